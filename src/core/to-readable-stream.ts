import type { BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import { assertAsyncIterable, assertOptions, closeIterator, openIterator } from "./source.js";

/**
 * Options of {@link toReadableStream}.
 * @example
 * ```ts
 * const options: ToReadableStreamOptions = { highWaterMark: 4 };
 * const body = toReadableStream(chunks, { ...options, type: "bytes" }); // a byte stream: BYOB readers work
 * ```
 */
export interface ToReadableStreamOptions {
  /**
   * How many chunks the stream reads ahead of its reader (its queuing strategy's `highWaterMark`; for a
   * byte stream, in bytes), a non-negative integer. `0` reads only when a reader asks.
   * @default 1 (a byte stream: 0)
   */
  readonly highWaterMark?: number;
  /**
   * `"bytes"` makes a byte stream (`ReadableByteStreamController`): every value must be a `Uint8Array`
   * (or another `ArrayBufferView`; anything else errors the stream with an `InvalidArgumentError`, and an
   * empty one is skipped), and readers may bring their own buffer (`getReader({ mode: "byob" })`).
   * @default undefined (a default stream of any values)
   */
  readonly type?: "bytes";
}

/** A zero-length `ArrayBufferView`: a byte stream cannot enqueue it. */
function isEmptyView(value: unknown): boolean {
  return ArrayBuffer.isView(value) && value.byteLength === 0;
}

/** The iterator toReadableStream reads, with the batch read of a sluice bridge when the source has one. */
type Source<T> = AsyncIterator<T> & Partial<Pick<BridgeIterator<T>, "nextBatch">>;

/**
 * An async iterable as a WHATWG `ReadableStream`, pulled only as its reader reads: for `fetch` bodies,
 * `Response`s, `pipeTo`/`pipeThrough`, and any web API that takes a stream.
 *
 * The stream's `pull` reads the iterable (one `next()` at a time; from a sluice bridge, what is buffered
 * up to the stream's `desiredSize` in one `nextBatch()`), so nothing is read ahead beyond the stream's
 * `highWaterMark` and its queue stays short. The iterable's end closes the stream; its error errors the
 * stream once the chunks already queued have been read (a stream's error would drop them). Cancelling the stream (`reader.cancel()`, a failed `pipeTo`, breaking out of a `for await`
 * over it) stops the iterable with `return()`, and the cancel resolves once that has finished.
 *
 * **Gotcha:** the global `ReadableStream` is used, so this needs a runtime that has one (every browser,
 * Deno, Bun, Node >= 18). An `async function*` stuck in an `await` finishes its `return()` only after
 * that `await`; a sluice bridge stops at once.
 * @param source - any async iterable; it is iterated once, starting on the stream's first pull.
 * @param options - `highWaterMark`, `type`; see {@link ToReadableStreamOptions}.
 * @returns a `ReadableStream` of the values.
 * @throws {@link InvalidArgumentError} when `source` is not an async iterable or an option is invalid.
 * @example
 * ```ts
 * async function* ndjson(): AsyncGenerator<Uint8Array> {
 *   const encoder = new TextEncoder();
 *   for await (const row of rows) yield encoder.encode(JSON.stringify(row) + "\n");
 * }
 * const response = new Response(toReadableStream(ndjson(), { type: "bytes" })); // a streamed HTTP body
 * ```
 */
export function toReadableStream<T>(source: AsyncIterable<T>, options?: ToReadableStreamOptions): ReadableStream<T> {
  assertAsyncIterable(source, "source");
  assertOptions(options);
  const { type, highWaterMark = type === "bytes" ? 0 : 1 } = options ?? {};
  if (type !== undefined && type !== "bytes") throw new InvalidArgumentError("type", '"bytes" or undefined', type);
  if (!(Number.isSafeInteger(highWaterMark) && highWaterMark >= 0)) throw new InvalidArgumentError("highWaterMark", "a non-negative integer", highWaterMark);
  let iterator: Source<T> | undefined; // opened on the first pull
  let cancelled = false; // the stream was cancelled: a read that settles now has nowhere to go
  let failure: { readonly error: unknown } | undefined; // the source failed while chunks were still queued
  const pull = async (controller: ReadableStreamDefaultController<T> | ReadableByteStreamController): Promise<void> => {
    if (failure === undefined) {
      try {
        const it: Source<T> = (iterator ??= openIterator(source, "source"));
        if (it.nextBatch !== undefined && type !== "bytes") {
          const result = await it.nextBatch(Math.max(1, controller.desiredSize ?? 1));
          if (cancelled) return;
          if (result.done === true) return controller.close();
          for (const value of result.value) (controller as ReadableStreamDefaultController<T>).enqueue(value);
          return;
        }
        let result = await it.next();
        // A byte stream refuses an empty chunk (enqueue throws): there is nothing in it to deliver, so read on.
        while (type === "bytes" && result.done !== true && isEmptyView(result.value)) result = await it.next();
        if (cancelled) return;
        if (result.done !== true) {
          if (type === "bytes" && !ArrayBuffer.isView(result.value)) {
            // The stream fails with this; the source, which did not fail, is stopped (a sluice bridge at once).
            closeIterator(it).catch(() => undefined);
            throw new InvalidArgumentError("value", 'bytes (an ArrayBufferView such as a Uint8Array: type is "bytes")', result.value);
          }
          return (controller as ReadableStreamDefaultController<T>).enqueue(result.value);
        }
        controller.close();
        (controller as Partial<ReadableByteStreamController>).byobRequest?.respond(0);
        return;
      } catch (error) {
        failure = { error };
      }
    }
    // Erroring a stream drops its queue: deliver the queued chunks first. The stream pulls again after each read,
    // so the error goes out once the queue is empty.
    if (!cancelled && controller.desiredSize === highWaterMark) controller.error(failure.error);
  };
  // Cancel: the stream has already settled its reads; stop the source and let cancel() wait for it.
  const cancel = async (): Promise<void> => {
    cancelled = true;
    const it = (iterator ??= openIterator(source, "source")); // never pulled: open it only to stop it (a sluice bridge must not stay open)
    await closeIterator(it);
  };
  if (type === "bytes") {
    return new ReadableStream({ type: "bytes", pull, cancel }, { highWaterMark }) as unknown as ReadableStream<T>;
  }
  // A plain strategy (no size function): the stream then counts chunks without calling back into JavaScript.
  return new ReadableStream<T>({ pull, cancel }, { highWaterMark });
}
