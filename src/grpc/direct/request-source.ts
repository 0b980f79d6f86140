import { InvalidArgumentError } from "../../core/index.js";
import { openIterator } from "../../core/source.js";

/** True for what `asyncClient` accepts as requests: an async iterable or a (sync) iterable. */
function isRequestIterable(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    (typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function" || typeof (value as Iterable<unknown>)[Symbol.iterator] === "function")
  );
}

/**
 * The caller's requests of a client-streaming or bidi call: iterated once, one `next()` at a time, by
 * whatever side reads them (the handler's `requests`, or its server call's Readable), and closed once when the
 * call is over.
 *
 * A sync iterable is read the way `for await` reads it (promises among its values are awaited).
 */
class RequestSource {
  /** The caller's iterable, until its iterator is opened on the first read or the close. */
  #iterable: AsyncIterable<unknown> | Iterable<unknown> | undefined;
  /** Its iterator, once opened. */
  #iterator: AsyncIterator<unknown> | undefined;
  /** A `next()` on the caller's iterator has not settled yet. */
  #reading = false;
  /** Set once closed: no read after this; `return()` was called if the iterator was open. */
  #closing: Promise<void> | undefined;

  /** @throws {@link InvalidArgumentError} when `requests` is not iterable. */
  constructor(requests: unknown) {
    if (!isRequestIterable(requests)) throw new InvalidArgumentError("requests", "an async iterable or an iterable", requests);
    this.#iterable = requests;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The next request; `done` once the caller's iterable ended or the source was closed. Rejects with the iterable's own error. */
  async next(): Promise<IteratorResult<unknown>> {
    if (this.#closing !== undefined) return { done: true, value: undefined };
    const iterator = (this.#iterator ??= open(this.#iterable as AsyncIterable<unknown> | Iterable<unknown>));
    this.#iterable = undefined;
    this.#reading = true;
    try {
      const result = await iterator.next();
      return this.#closing === undefined ? result : { done: true, value: undefined };
    } finally {
      this.#reading = false;
    }
  }

  /**
   * Closes the caller's iterable (`return()`, once) and resolves when its `finally` blocks have run. If a
   * `next()` is still pending on it, `return()` cannot run before that settles (an async generator queues it):
   * then this resolves at once rather than wait on the caller's own await. Never rejects: the call is over, and
   * an error thrown while closing has nobody left to go to.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const iterator = this.#iterator;
    const iterable = this.#iterable;
    this.#iterable = undefined;
    // Never opened: open it to close it, so that a generator or a bridge given as requests is finished too. A
    // sync iterable is opened itself (not through the async wrapper, whose unstarted body would never open it).
    let closing: Promise<unknown>;
    try {
      const opened = iterator ?? (isAsync(iterable) ? iterable[Symbol.asyncIterator]() : (iterable as Iterable<unknown>)[Symbol.iterator]());
      closing = Promise.resolve(opened.return?.());
    } catch (error) {
      closing = Promise.reject(error);
    }
    const settled = closing.then(ignore, ignore);
    this.#closing = this.#reading ? Promise.resolve() : settled;
    return this.#closing;
  }
}

const ignore = (): void => {};

function isAsync(iterable: AsyncIterable<unknown> | Iterable<unknown> | undefined): iterable is AsyncIterable<unknown> {
  return typeof (iterable as Partial<AsyncIterable<unknown>> | undefined)?.[Symbol.asyncIterator] === "function";
}

/**
 * The caller's iterator, a sync one read as `for await` reads it.
 * @throws {@link InvalidArgumentError} when the iterable's method returns no iterator.
 */
function open(iterable: AsyncIterable<unknown> | Iterable<unknown>): AsyncIterator<unknown> {
  if (isAsync(iterable)) return openIterator(iterable, "requests");
  const iterator = (iterable as Iterable<unknown>)[Symbol.iterator]();
  if ((typeof iterator !== "object" && typeof iterator !== "function") || iterator === null || typeof iterator.next !== "function") {
    throw new InvalidArgumentError("requests[Symbol.iterator]()", "an iterator (an object with a next() method)", iterator);
  }
  return fromSync({ [Symbol.iterator]: () => iterator })[Symbol.asyncIterator]();
}

/** A sync iterable read as `for await` reads it. */
async function* fromSync(values: Iterable<unknown>): AsyncGenerator<unknown> {
  yield* values;
}

export { RequestSource, isRequestIterable };
