import { BridgeHandle, type BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import type { SourceOptions } from "./options.js";
import { assertAsyncIterable, closeAll, closeIterator, forward, openAndClose, openIterator, waitsForRoom } from "./source.js";
import { createCombinator } from "./combinator.js";

/**
 * Fan-in: one iterator over the values of every source, as they arrive.
 *
 * Each source is read by its own pump, one `next()` in flight at a time, and its values keep their
 * order; values of different sources interleave in arrival order. A pump waits while the merged
 * buffer is full, so it holds at most `highWaterMark + sources.length - 1` values. A source that is a
 * sluice bridge is read with `nextBatch()`, up to `highWaterMark` values at a time (at most 256): the
 * rest of such a batch waits in its pump, so memory stays bounded by about
 * `highWaterMark × (sources.length + 1)` values. The merged
 * stream ends once every source has ended. The first source error stops the other sources and is
 * delivered once, after the values already buffered; later errors are dropped.
 *
 * Stopping the merged iterator (`return()`, `stop()`, `break`, an aborted `signal`) calls `return()` on
 * every unfinished source concurrently, and resolves once all of them have finished. If some of those
 * `return()` calls reject, `stop()` rejects with the error (an `AggregateError` for several).
 *
 * **Gotcha:** an `async function*` source that is suspended in an `await` finishes its `return()` only
 * after that `await` settles (generators queue `return()` behind a pending `next()`), so stopping waits
 * for it. Sluice bridges stop at once.
 * @param sources - the async iterables to read; read on the first `next()` (or at once with `lazy: false`).
 * @param options - `highWaterMark` (default 16), `overflow`, `signal`, `name` (default "merge"), `lazy`; see {@link SourceOptions}.
 * @throws {@link InvalidArgumentError} when `sources` is not an iterable of async iterables, or an option is invalid.
 * @example
 * ```ts
 * for await (const event of merge([clicks, keys])) render(event); // break stops both sources
 * ```
 */
export function merge<T>(sources: Iterable<AsyncIterable<T>>, options?: SourceOptions): BridgeIterator<T> {
  if (sources === null || typeof sources !== "object" || typeof (sources as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new InvalidArgumentError("sources", "an iterable (e.g. an array) of async iterables", sources);
  }
  const list = [...sources];
  for (const [i, source] of list.entries()) assertAsyncIterable(source, `sources[${i}]`);
  return createCombinator<T>(
    "merge",
    (sink) => {
      if (list.length === 0) {
        sink.end();
        return undefined;
      }
      const iterators: Array<AsyncIterator<T>> = [];
      try {
        for (const [i, source] of list.entries()) iterators.push(openIterator(source, `sources[${i}]`));
      } catch (error) {
        // Sources opened before the failing one must not stay open, and those after it are finished too (a
        // sluice bridge passed in would leak); their stop errors are secondary.
        void Promise.allSettled([...iterators.map(closeIterator), ...list.slice(iterators.length + 1).map(openAndClose)]);
        throw error;
      }
      const unfinished = new Set(iterators); // sources not yet done, failed or stopped: the ones teardown returns
      let finished = false; // the merged stream is over (ended, failed or stopped): pumps stop sending
      const waits = waitsForRoom(options); // a drop policy never holds a pump back

      // A sluice bridge is read a batch at a time (one promise per batch, not per value), at most this many.
      const batchSize = Math.max(1, Math.min(options?.highWaterMark ?? 16, 256));

      const pump = async (iterator: AsyncIterator<T>): Promise<void> => {
        // Stryker disable next-line ConditionalExpression: batches are an optimization: a bridge read one value at a time gives the same values in the same order.
        const bridge = iterator instanceof BridgeHandle ? (iterator as BridgeHandle<T>) : undefined;
        for (;;) {
          let result: IteratorResult<T | T[]>;
          try {
            result = await (bridge === undefined ? iterator.next() : bridge.nextBatch(batchSize));
          } catch (error) {
            unfinished.delete(iterator);
            // Ignored once the stream is over (the first error wins); otherwise its teardown stops the others.
            sink.fail(error);
            return;
          }
          // Stryker disable next-line ConditionalExpression: a shortcut: past it, push drops the value after a stop (and throws into the pump's catch after a failure) and the check below returns.
          if (finished) return; // a value read while stopping is dropped, as stop() promises
          if (result.done === true) {
            unfinished.delete(iterator);
            if (unfinished.size === 0) sink.end(); // its teardown sets `finished`
            return;
          }
          // One value from a plain source, a batch from a bridge (never empty); no array per plain value.
          const batch = bridge === undefined ? undefined : (result.value as T[]);
          let i = 0;
          do {
            const go = forward(sink, batch === undefined ? (result.value as T) : (batch[i] as T), waits);
            // Stryker disable next-line ConditionalExpression,BooleanLiteral: a fast path: awaiting `true` only costs a microtask.
            if (go !== true) await go; // false once the stream is over, whose teardown has already set `finished`
            if (finished) return; // the consumer stopped, or the stream is over
            i += 1;
          } while (batch !== undefined && i < batch.length);
        }
      };
      // A pump rejects only when a source breaks the protocol (a next() that resolves to undefined or null): the
      // stream fails with that error (ignored, like any later error, once the stream is over).
      for (const iterator of iterators) void pump(iterator).catch(sink.fail);
      return () => {
        finished = true;
        const open = [...unfinished];
        unfinished.clear();
        // Not the pumps: a source whose next() ignores return() would hang stop(); they send nothing more.
        return closeAll(open);
      };
    },
    list,
    options,
    merge,
  );
}
