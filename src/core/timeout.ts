import type { BridgeIterator } from "./bridge-iterator.js";
import { expiring } from "./deadline.js";
import { InvalidArgumentError } from "./errors.js";
import type { SourceOptions } from "./options.js";
import { assertAsyncIterable } from "./source.js";

/**
 * Passes `source` through for at most `ms` milliseconds, then fails with a `SluiceError`
 * (`ERR_SLUICE_TIMEOUT`) and stops the source. The clock starts on the first `next()` (or at once with
 * `lazy: false`); everything else is as {@link deadline}: one value read ahead by default, the timer
 * cleared on every exit and `unref`'d.
 *
 * **Gotcha:** this limits the whole stream, not the gap between two values.
 * @param source - the stream to limit.
 * @param ms - the time limit in milliseconds, from the first `next()`; `Infinity` for none.
 * @param options - `highWaterMark` (default 0), `overflow`, `signal`, `name` (default "timeout"), `lazy`.
 * @throws {@link InvalidArgumentError} when `source` is not an async iterable, `ms` is not a non-negative number, or an option is invalid.
 * @example
 * ```ts
 * const seen: Row[] = [];
 * try {
 *   for await (const row of timeout(rows, 5_000)) seen.push(row);
 * } catch (error) {
 *   if (!(error instanceof SluiceError && error.code === ErrorCode.Timeout)) throw error;
 *   console.warn(`timed out after ${seen.length} rows`); // `rows` was stopped
 * }
 * ```
 */
export function timeout<T>(source: AsyncIterable<T>, ms: number, options?: SourceOptions): BridgeIterator<T> {
  assertAsyncIterable(source, "source");
  if (typeof ms !== "number" || !(ms >= 0)) throw new InvalidArgumentError("ms", "a number of milliseconds >= 0 (or Infinity)", ms);
  return expiring("timeout", source, () => Date.now() + ms, `within ${ms} ms`, options, timeout);
}
