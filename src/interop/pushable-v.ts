import { type BytePushableOptions, type ObjectPushableOptions, type Options, type PushableV, createPushable } from "./pushable.js";

/**
 * Creates a pushable whose every `next()` yields everything buffered, as one array: a drop-in for
 * it-pushable's `pushableV()`, on the sluice bridge (one bridge read per batch, not per value).
 *
 * When nothing is buffered, `next()` waits for the next value and yields it alone (`[value]`). Unlike
 * it-pushable's, the last batch before `end()` is yielded as a value (`{ done: false, value: [...] }`),
 * not folded into the final `{ done: true }` where `for await` would drop it; see docs/interop.md.
 *
 * **Gotcha:** the options, the byte/object modes and the leak rules are those of `pushable()`.
 * @param options - `objectMode`, `onEnd`, `highWaterMark`, `signal`, `name`; see `Options`.
 * @throws {InvalidArgumentError} when an option is invalid.
 * @example
 * ```ts
 * const writes = pushableV<Uint8Array>();
 * writes.push(new Uint8Array([1])).push(new Uint8Array([2])).end();
 * for await (const chunks of writes) socket.write(Buffer.concat(chunks)); // one write per batch
 * ```
 */
export function pushableV<T extends { byteLength: number } = Uint8Array>(options?: BytePushableOptions): PushableV<T>;
export function pushableV<T>(options: ObjectPushableOptions): PushableV<T>;
export function pushableV<T>(options?: Options): PushableV<T> {
  return createPushable<T, T[]>(options, true, pushableV);
}
