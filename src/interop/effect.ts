// sluice/interop/effect: Effect streams ⇄ sluice bridges. The only module that imports `effect` (an optional peer).

// For users
export { toStream } from "./effect/to-stream.js";
export type { ToStreamOptions } from "./effect/to-stream.js";
export { fromStream } from "./effect/from-stream.js";
export type { FromStreamOptions } from "./effect/from-stream.js";
