import { BridgeHandle } from "./bridge-iterator.js";
import { assertAsyncIterable, assertCount, assertOptions, closeIterator, openIterator } from "./source.js";

/**
 * Options of {@link batches}.
 * @example
 * ```ts
 * const reader = batches(changes, { max: 500 });
 * ```
 */
export interface BatchesOptions {
  /** The most values in one batch. @default Infinity */
  readonly max?: number;
}

/**
 * What {@link batches} returns: an async iterator of arrays whose `return()` stops the source.
 * @example
 * ```ts
 * const ch = channel<number>();
 * [1, 2, 3].forEach(ch.push);
 * const reader: BatchIterator<number> = batches(ch);
 * try {
 *   console.log((await reader.next()).value); // [1, 2, 3]: everything buffered, in one call
 * } finally {
 *   await reader.return(); // stops the channel too
 * }
 * ```
 */
export interface BatchIterator<T> extends AsyncIterableIterator<T[], undefined, undefined> {
  /**
   * The next batch: every value available now (at most `max`), or the next value alone once it
   * arrives; `{ done: true }` once the source ended. A source error rejects it.
   */
  next(): Promise<IteratorResult<T[], undefined>>;
  /** Stops the source (its `return()`, called at once) and resolves `{ done: true }` once it finished. */
  return(): Promise<IteratorResult<T[], undefined>>;
  /** Returns this same iterator, so that it can be given to `for await` (and iterated once). */
  [Symbol.asyncIterator](): BatchIterator<T>;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Reads a stream in batches: each step yields every value available now (at most `max`), or waits for
 * the next value and yields it alone. A consumer that is slower than its producer pays one promise per
 * batch instead of one per value.
 *
 * On a sluice bridge (`channel`, `pull`, `subscribe`, a combinator) this uses `nextBatch()`. Any other
 * async iterable is read one value at a time and yields one-value batches (it cannot tell what is
 * available without waiting). `return()` is forwarded at once, so breaking out of the loop stops the
 * source, even with a `next()` pending.
 *
 * **Gotcha:** it is a view, not a new bridge: it is iterated once, and leak reports name the source.
 * @param source - the stream to read; iterated once.
 * @param options - `max`; see {@link BatchesOptions}.
 * @throws {@link InvalidArgumentError} when `source` is not an async iterable or `max` is not an integer >= 1 or `Infinity`.
 * @example
 * ```ts
 * // `changes` is a sluice bridge: each batch is everything it has buffered, up to 500 rows.
 * for await (const batch of batches(changes, { max: 500 })) await db.insertMany(batch);
 * ```
 */
export function batches<T>(source: AsyncIterable<T>, options?: BatchesOptions): BatchIterator<T> {
  assertAsyncIterable(source, "source");
  assertOptions(options);
  const max = options?.max ?? Infinity;
  assertCount(max, "max");
  return new BatchReader(source, max);
}

class BatchReader<T> implements BatchIterator<T> {
  readonly #source: AsyncIterable<T>; // opened on the first next()
  readonly #max: number; // the most values per batch
  #iterator: AsyncIterator<T> | undefined; // the source's iterator, once opened
  #bridge: BridgeHandle<T> | undefined; // the same iterator when it is a sluice bridge: read with nextBatch()

  constructor(source: AsyncIterable<T>, max: number) {
    this.#source = source;
    this.#max = max;
  }

  next(): Promise<IteratorResult<T[], undefined>> {
    let iterator = this.#iterator;
    if (iterator === undefined) {
      try {
        iterator = this.#open();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const bridge = this.#bridge;
    if (bridge !== undefined) return bridge.nextBatch(this.#max);
    return iterator.next().then((result) => (result.done === true ? DONE : { value: [result.value], done: false }));
  }

  return(): Promise<IteratorResult<T[], undefined>> {
    // A batch reader that was never read still owns its source: a bridge passed in must be finished.
    let iterator = this.#iterator;
    if (iterator === undefined) {
      try {
        iterator = this.#open();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return closeIterator(iterator).then(() => DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #open(): AsyncIterator<T> {
    const iterator = openIterator(this.#source, "source");
    this.#iterator = iterator;
    if (iterator instanceof BridgeHandle) this.#bridge = iterator as BridgeHandle<T>;
    return iterator;
  }
}
