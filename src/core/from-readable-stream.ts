import type { BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import type { SourceOptions } from "./options.js";
import { createSubscription } from "./subscribe.js";

/**
 * A WHATWG `ReadableStream` as a bridge: its chunks in order, with stop, cancellation and leak tracking,
 * and a `return()` that settles at once, even with a `next()` pending (the stream's own async iterator
 * waits for that read, forever on an idle stream).
 *
 * On the first `next()` (or at once with `lazy: false`) it locks the stream with a reader and reads it
 * only while fewer than `highWaterMark` chunks wait in the bridge, so the stream's `pull` is the
 * backpressure: a stream built with a `pull` source produces only what is read. The stream closing ends
 * the bridge after the buffered chunks, an error fails it after them. Stopping the bridge (`break`,
 * `return()`, `stop()`, the `signal`) cancels the stream (`reader.cancel`, with an `AbortError` whose
 * `cause` is the stop reason) and waits for that cancel; the lock is released either way.
 *
 * Byte streams work as they are (a default reader on a `type: "bytes"` stream yields its `Uint8Array`
 * chunks).
 * @param stream - a `ReadableStream` (any runtime's: browser, Deno, Bun, Node); it must not be locked.
 * @param options - buffer size, overflow policy, `signal`, `name`, `lazy`; see {@link SourceOptions}.
 * @returns an iterator of the stream's chunks.
 * @throws {@link InvalidArgumentError} when `stream` is not an unlocked `ReadableStream` or an option is invalid.
 * @example
 * ```ts
 * const response = await fetch("https://example.com/events");
 * if (response.body === null) throw new Error("no body");
 * const decoder = new TextDecoder();
 * for await (const bytes of fromReadableStream(response.body, { signal: AbortSignal.timeout(30_000) })) {
 *   if (decoder.decode(bytes, { stream: true }).includes("bye")) break; // cancels the body
 * }
 * ```
 */
export function fromReadableStream<T>(stream: ReadableStream<T>, options?: SourceOptions): BridgeIterator<T> {
  if (typeof stream !== "object" || stream === null || typeof (stream as Partial<ReadableStream<T>>).getReader !== "function") {
    throw new InvalidArgumentError("stream", "a ReadableStream", stream);
  }
  if (stream.locked) throw new InvalidArgumentError("stream", "an unlocked ReadableStream (release its reader first)", stream);
  return createSubscription<T>(
    "readable-stream",
    (sink) => {
      const reader = stream.getReader();
      let cancelled = false; // the consumer stopped: the reading loop's next read resolves done
      const reading = (async () => {
        try {
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) return cancelled ? undefined : sink.end();
            // push, not send: no promise per chunk while there is room; ready() once the bridge is full.
            if (!sink.push(chunk.value as T) && !(await sink.ready())) return;
          }
        } catch (error) {
          if (!cancelled) sink.fail(error);
        }
      })();
      return async () => {
        if (sink.signal.aborted) {
          cancelled = true;
          try {
            await reader.cancel(sink.signal.reason);
          } finally {
            await reading;
            reader.releaseLock();
          }
          return;
        }
        await reading;
        reader.releaseLock();
      };
    },
    options,
    fromReadableStream,
  );
}
