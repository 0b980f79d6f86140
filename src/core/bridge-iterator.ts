import type { BridgeCore } from "./bridge.js";
import { assertCount } from "./source.js";

/**
 * The consumer side of every bridge: an async iterator you pull with `for await`, that you can stop.
 *
 * **Gotcha:** `for await` calls `return()` for you when the loop exits early (break, throw, return);
 * if you call `next()` by hand, finish with `return()`, `stop()` or `await using`.
 * @example
 * ```ts
 * const numbers: BridgeIterator<number> = pull(async (send) => {
 *   for (let i = 0; ; i += 1) if (!(await send(i))) return;
 * });
 * try {
 *   const first = await numbers.next();
 *   console.log(first.value); // 0
 * } finally {
 *   await numbers.return(); // for await and `await using` do this for you
 * }
 * ```
 */
export interface BridgeIterator<T> extends AsyncIterableIterator<T, undefined, undefined>, AsyncDisposable {
  /**
   * The next value, or `{ done: true }` once the stream ended or was stopped. Calls may overlap: each
   * settles exactly once, in call order.
   * @throws the producer's error (once, after the buffered values), or an `AbortError` once the
   * `signal` option aborted (then on every later call too).
   */
  next(): Promise<IteratorResult<T, undefined>>;
  /**
   * Takes every buffered value (up to `max`) in one call; when nothing is buffered, waits for the next
   * value and returns it alone. Same ordering, ending and error rules as `next()`. Don't mix it with
   * concurrent `next()` calls.
   * @param max - the most values to return at once (default `Infinity`).
   * @throws {@link InvalidArgumentError} at once when `max` is not an integer >= 1 or `Infinity`.
   * @example
   * ```ts
   * await using feed = pull<Row>(async (send) => {
   *   for await (const row of rows) if (!(await send(row))) return;
   * }, { highWaterMark: 500 });
   * for (let r = await feed.nextBatch(); !r.done; r = await feed.nextBatch()) await db.insertMany(r.value);
   * ```
   */
  nextBatch(max?: number): Promise<IteratorResult<T[], undefined>>;
  /** Stops the bridge (see {@link BridgeIterator.stop}) and resolves `{ done: true }`. */
  return(): Promise<IteratorResult<T, undefined>>;
  /** Stops the bridge with `error` as the reason, then rejects with `error`. */
  throw(error?: unknown): Promise<IteratorResult<T, undefined>>;
  /**
   * Stops the bridge. Idempotent. At once: pending `next()` calls resolve `{ done: true }`, buffered
   * values are dropped, producers waiting in `send()`/`ready()` get `false`, and the producer's
   * `signal` aborts with an `AbortError` whose `cause` is `reason`. The promise resolves once the
   * teardown has run (`subscribe`) or the producer function has returned (`pull`), and rejects if
   * the teardown threw.
   */
  stop(reason?: unknown): Promise<void>;
  /** Same as `stop()`: lets you write `await using events = subscribe(…)`. */
  [Symbol.asyncDispose](): Promise<void>;
  /** Returns this same iterator, so that a bridge can be given to `for await` (and iterated once). */
  [Symbol.asyncIterator](): BridgeIterator<T>;
}

const done = (): IteratorResult<never, undefined> => ({ done: true, value: undefined });

/** The consumer handle. Holds the bridge; the bridge never holds it (so it can be collected and reported). @internal */
export class BridgeHandle<T> implements BridgeIterator<T> {
  readonly #core: BridgeCore<T>; // shared with the producer side

  constructor(core: BridgeCore<T>) {
    this.#core = core;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    return this.#core.next();
  }

  nextBatch(max = Infinity): Promise<IteratorResult<T[], undefined>> {
    assertCount(max, "max");
    return this.#core.nextBatch(max);
  }

  return(): Promise<IteratorResult<T, undefined>> {
    return this.#core.stop().then(done);
  }

  throw(error?: unknown): Promise<IteratorResult<T, undefined>> {
    return this.#core.stop(error).then(() => Promise.reject(error as Error));
  }

  stop(reason?: unknown): Promise<void> {
    return this.#core.stop(reason);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.#core.stop();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
