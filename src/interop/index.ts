/**
 * Drop-ins and adapters for the it-* / libp2p world: `pushable()` and `pushableV()` with it-pushable's
 * API (switch by changing the import) on the sluice bridge, and `duplex()`, your end of a stream in the
 * it-stream-types `Duplex` shape. Every sluice iterator is already an it-pipe source.
 *
 * Imports only the core: no dependency on it-pushable, it-pipe or Effect (Effect streams live in
 * `sluice/interop/effect`). Which it-pushable behaviours are kept and which are changed, and why:
 * docs/interop.md.
 * @example
 * ```ts
 * import { pushable } from "sluice/interop"; // was: import { pushable } from "it-pushable"
 *
 * const source = pushable<string>({ objectMode: true });
 * source.push("a").push("b").end();
 * const [first, second] = [source.next(), source.next()]; // concurrent reads settle in order
 * console.log(await first, await second); // { done: false, value: "a" } { done: false, value: "b" }
 * ```
 * @module sluice/interop
 */

// For users
export { pushable } from "./pushable.js";
export type {
  AbortOptions,
  BasePushable,
  BytePushableOptions,
  DoneResult,
  NextResult,
  ObjectPushableOptions,
  Options,
  Pushable,
  PushableV,
  ValueResult,
} from "./pushable.js";
export { pushableV } from "./pushable-v.js";
export { duplex } from "./duplex.js";
export type { DuplexEndpoint, DuplexOptions } from "./duplex.js";
