/**
 * Node streams in and out: a `Readable` as a sluice iterator (`fromReadable`), and any async iterable as a
 * `Readable` (`toReadable`). Node-only, so it is its own subpath: `sluice`, `sluice/interop` and
 * `sluice/testing` never load it and run in browsers, Deno and Bun. The other way round, `drive(source,
 * writable)` of `sluice` takes a Node `Writable` directly. See docs/platform.md.
 * @example
 * ```ts
 * import { pipeline } from "node:stream/promises";
 * import { fromReadable, toReadable } from "sluice/node";
 * import { mapConcurrent } from "sluice";
 * const upper = mapConcurrent(fromReadable<string>(process.stdin.setEncoding("utf8")), async (text) => text.toUpperCase(), { concurrency: 1 });
 * await pipeline(toReadable(upper, { objectMode: false }), process.stdout);
 * ```
 * @module sluice/node
 */

// For users
export { fromReadable } from "./from-readable.js";
export type { FromReadableOptions } from "./from-readable.js";
export { toReadable } from "./to-readable.js";
export type { ToReadableOptions } from "./to-readable.js";
