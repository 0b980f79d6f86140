import type { Readable } from "node:stream";
import type { BridgeIterator } from "../core/bridge-iterator.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { BridgeOptions } from "../core/options.js";
import { createSubscription } from "../core/subscribe.js";

/**
 * Options of {@link fromReadable}: every bridge option, and what a stop does to the stream.
 * @example
 * ```ts
 * const options: FromReadableOptions = { highWaterMark: 64, name: "upload", destroyOnReturn: true };
 * for await (const chunk of fromReadable<Buffer>(socket, options)) console.log(chunk.length);
 * ```
 */
export interface FromReadableOptions extends BridgeOptions {
  /**
   * Destroy the stream when the consumer stops before its end (`break`, `return()`, `stop()`, the
   * `signal`), as Node's own iterator does; `false` only detaches, leaving the stream and its unread data
   * (in paused mode) for someone else.
   * @default true
   */
  readonly destroyOnReturn?: boolean;
}

const noop = (): void => {};

/**
 * A Node `Readable` as a bridge: its chunks in order, with backpressure, stop and leak tracking, and none
 * of the hangs of the stream's own async iterator.
 *
 * The stream is read at once with `read()` (paused mode), until `highWaterMark` chunks wait in the bridge;
 * then its data stays in the stream's own buffer (bounded by its own `highWaterMark`, so the source is
 * slowed down) until the consumer has taken half of them. `'end'` ends the bridge after the buffered chunks; `'error'` fails it after
 * them; a `'close'` without either (a stream destroyed without an error) fails it with a "closed before
 * its end" error. A consumer that stops (even while a `next()` is pending) settles at once, and the stream
 * is destroyed (see `destroyOnReturn`). An `'error'` listener is attached from the start, so a stream
 * destroyed with an error before the first `next()` is a failed iterator, not an uncaught exception.
 *
 * **Gotcha:** it starts reading at once (up to `highWaterMark` chunks), so an iterator you never iterate
 * holds the stream until you call `return()`; the leak checks report it.
 * @param readable - a Node `Readable` (or anything with its events, `read()` and `destroy()`).
 * @param options - `highWaterMark`, `overflow`, `signal`, `name`, `destroyOnReturn`; see {@link FromReadableOptions}.
 * @returns an iterator of the stream's chunks (a `Buffer`, a string after `setEncoding()`, or an object in object mode).
 * @throws {@link sluice!InvalidArgumentError} when `readable` is not a readable stream or an option is invalid.
 * @example
 * ```ts
 * import { createReadStream } from "node:fs";
 * import { fromReadable } from "sluice/node";
 * let bytes = 0;
 * for await (const chunk of fromReadable<Buffer>(createReadStream("big.log"), { signal: AbortSignal.timeout(10_000) })) {
 *   bytes += chunk.length;
 *   if (bytes > 1_000_000) break; // the file stream is destroyed here
 * }
 * ```
 */
export function fromReadable<T = unknown>(readable: Readable, options?: FromReadableOptions): BridgeIterator<T> {
  const stream = readable as Partial<Readable> | null;
  const methods = ["on", "removeListener", "read", "destroy"] as const;
  if (typeof stream !== "object" || stream === null || !methods.every((key) => typeof stream[key] === "function")) {
    throw new InvalidArgumentError("readable", "a Node Readable (with on, removeListener, read and destroy)", readable);
  }
  if (options !== undefined && (options === null || typeof options !== "object")) throw new InvalidArgumentError("options", "an object", options);
  const destroyOnReturn = options?.destroyOnReturn ?? true;
  if (typeof destroyOnReturn !== "boolean") throw new InvalidArgumentError("destroyOnReturn", "a boolean", destroyOnReturn);
  return createSubscription<T>(
    "readable",
    (sink) => {
      let finished = false; // 'end', 'error' or 'close' arrived: nothing more will come
      let waiting = false; // the bridge is full: the stream keeps its data until ready() says there is room
      // Paused mode: read() what the stream buffered until the bridge is full; what is left stays in the stream.
      const onReadable = (): void => {
        if (waiting) return;
        for (let chunk = readable.read() as T | null; chunk !== null; chunk = readable.read() as T | null) {
          if (sink.push(chunk)) continue;
          waiting = true;
          void sink.ready().then((open) => {
            waiting = false;
            if (open && !finished) onReadable();
          });
          return;
        }
      };
      const onEnd = (): void => {
        finished = true;
        sink.end();
      };
      const onError = (error: unknown): void => {
        finished = true;
        sink.fail(error);
      };
      const onClose = (): void => {
        if (finished) return;
        finished = true;
        sink.fail(prematureClose());
      };
      readable.on("error", onError);
      readable.on("end", onEnd);
      readable.on("close", onClose);
      if (readable.errored != null) onError(readable.errored);
      else if (readable.readableEnded) onEnd();
      else if (readable.destroyed) onClose();
      else readable.on("readable", onReadable);
      return () => {
        readable.removeListener("readable", onReadable);
        readable.removeListener("end", onEnd);
        readable.removeListener("close", onClose);
        readable.removeListener("error", onError);
        if (finished) return;
        finished = true;
        if (!destroyOnReturn) return; // left in paused mode, its unread data kept
        // A _destroy that fails emits 'error' after we left: that must not become an uncaught exception.
        readable.on("error", noop);
        readable.destroy();
      };
    },
    { ...options, lazy: false, name: options?.name ?? "readable" },
    fromReadable,
  );
}

function prematureClose(): Error {
  return Object.assign(new Error("Expected the readable to end, got it closed before its end (destroyed without an error)"), {
    code: "ERR_STREAM_PREMATURE_CLOSE",
  });
}
