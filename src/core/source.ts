/**
 * Helpers shared by the combinators for the async iterables they read from. @internal
 */
import { InvalidArgumentError } from "./errors.js";
import type { SourceOptions } from "./options.js";
import type { Sink } from "./sink.js";

/** True for anything with a `[Symbol.asyncIterator]` method. @internal */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"
  );
}

/** Checks that `value` is an async iterable. @throws {InvalidArgumentError} naming `name`. @internal */
export function assertAsyncIterable<T>(value: AsyncIterable<T>, name: string): void {
  if (!isAsyncIterable(value)) throw new InvalidArgumentError(name, "an async iterable (with [Symbol.asyncIterator])", value);
}

/**
 * Opens `source` (`[Symbol.asyncIterator]()`) and checks that what it returned can be read. An iterable
 * whose method returns something else would otherwise fail later, inside a pump, with an engine TypeError.
 * @throws {InvalidArgumentError} naming `name`, or whatever the method itself throws. @internal
 */
export function openIterator<T>(source: AsyncIterable<T>, name: string): AsyncIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  if ((typeof iterator !== "object" && typeof iterator !== "function") || iterator === null || typeof iterator.next !== "function") {
    throw new InvalidArgumentError(`${name}[Symbol.asyncIterator]()`, "an async iterator (an object with a next() method)", iterator);
  }
  return iterator;
}

/**
 * Calls `iterator.return()` now (so that a sluice bridge settles its pending `next()` at once) and
 * resolves once it has finished. A synchronous throw becomes a rejection. @internal
 */
export function closeIterator(iterator: AsyncIterator<unknown>): Promise<unknown> {
  try {
    return Promise.resolve(iterator.return?.());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Finishes a source that will not be read: opens it and calls `return()` at once, so that a sluice bridge
 * passed in does not stay open. Rejects with what either step threw. @internal
 */
export function openAndClose(source: AsyncIterable<unknown>): Promise<unknown> {
  try {
    return closeIterator(openIterator(source, "source"));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Stops every iterator concurrently and waits for all of them. Rejects with the first error, or an
 * `AggregateError` when several `return()` calls failed, so that the caller of `stop()` sees them (no stray rejections).
 * @internal
 */
export async function closeAll(iterators: Iterable<AsyncIterator<unknown>>, others: Iterable<Promise<unknown>> = []): Promise<void> {
  const work: Array<Promise<unknown>> = [];
  for (const iterator of iterators) work.push(closeIterator(iterator));
  const returns = work.length;
  for (const promise of others) work.push(promise);
  const results = await Promise.allSettled(work);
  const errors: unknown[] = [];
  for (let i = 0; i < returns; i += 1) {
    const result = results[i];
    if (result?.status === "rejected") errors.push(result.reason);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} sources failed to stop`);
}

/** Checks a positive integer (or Infinity) option. @internal */
export function assertCount(value: unknown, name: string): asserts value is number {
  if (!(value === Infinity || (Number.isSafeInteger(value) && (value as number) >= 1))) {
    throw new InvalidArgumentError(name, "an integer >= 1 or Infinity", value);
  }
}

/** Checks an options argument: undefined or an object. @internal */
export function assertOptions(value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== "object")) {
    throw new InvalidArgumentError("options", "an object", value);
  }
}

/** True when the bridge's overflow policy is "wait": its pumps must wait for room. @internal */
export function waitsForRoom(options: SourceOptions | undefined): boolean {
  return (options?.overflow ?? "wait") === "wait";
}

/**
 * Hands `value` to a combinator's own bridge, with backpressure: `true` (at once, no promise) to go
 * on, or a promise of whether to go on once there is room (`false`: the bridge takes nothing more).
 *
 * Not `sink.send()`: under a drop policy it resolves `false` for a dropped value, which a pump would
 * take for "the consumer stopped" and stop reading, hanging the stream. Here a dropped value is just
 * dropped; the caller learns that the consumer stopped from its own teardown flag.
 * Never call it after the bridge's own `end()`/`fail()` (push would throw).
 * @internal
 */
export function forward<T>(sink: Sink<T>, value: T, waits: boolean): true | Promise<boolean> {
  if (sink.push(value) || !waits) return true;
  return sink.ready();
}

/** A promise or anything with a callable `then` (what `await` would adopt). @internal */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}
