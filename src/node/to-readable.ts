import { Readable } from "node:stream";
import type { BridgeIterator } from "../core/bridge-iterator.js";
import { AbortError, InvalidArgumentError, asError } from "../core/errors.js";
import { assertSignal, detachSignal } from "../core/options.js";
import { closeIterator, openIterator } from "../core/source.js";

/**
 * Options of {@link toReadable}.
 * @example
 * ```ts
 * const options: ToReadableOptions = { objectMode: false, highWaterMark: 64 * 1024, signal: AbortSignal.timeout(30_000) };
 * toReadable(chunks, options).pipe(file);
 * ```
 */
export interface ToReadableOptions {
  /**
   * Values are objects (`true`), or bytes and strings (`false`: each value must be a `Buffer`, a
   * `Uint8Array` or a string).
   * @default true
   */
  readonly objectMode?: boolean;
  /**
   * The stream's own buffer: values (object mode) or bytes read ahead of its consumer.
   * @default Node's default for the mode (16 values in object mode)
   */
  readonly highWaterMark?: number;
  /**
   * Aborting it destroys the stream with an `AbortError`, which stops the source.
   * @default undefined (the stream lives until it ends, fails or is destroyed)
   */
  readonly signal?: AbortSignal;
}

/** The iterator toReadable reads, with the batch read of a sluice bridge when the source has one. */
type Source<T> = AsyncIterator<T> & Partial<Pick<BridgeIterator<T>, "nextBatch">>;

/**
 * An async (or sync) iterable as a Node `Readable`, read only as fast as the stream's consumer reads.
 *
 * Values are pulled one `next()` at a time, only while the stream's buffer is below its `highWaterMark`
 * (from a sluice bridge, every buffered value in one `nextBatch()`). The source's end ends the stream; its
 * error destroys the stream with that error (a `Readable` drops what it still buffers when destroyed:
 * `highWaterMark: 0` hands every value over before the error). Destroying the stream (by its consumer, `pipeline`, or the
 * `signal`) stops the source with `return()`, and `'close'` follows once that has finished; a source that
 * was never read is stopped too, so a sluice bridge given here never stays open.
 *
 * **Gotcha:** a `null` value cannot travel through a `Readable` (it means "end"): in object mode it destroys
 * the stream with an `InvalidArgumentError` (a `TypeError`), as `Readable.from` fails with a `TypeError`; so does
 * a value other than a string or bytes when `objectMode` is `false`. An `async function*` stuck in an `await` finishes
 * its `return()` only after that `await`; a sluice bridge stops at once.
 * @param source - an async iterable, or a sync one; iterated once.
 * @param options - `objectMode`, `highWaterMark`, `signal`; see {@link ToReadableOptions}.
 * @returns a `Readable` of the values.
 * @throws {@link sluice!InvalidArgumentError} when `source` is not iterable or an option is invalid.
 * @example
 * ```ts
 * import { pipeline } from "node:stream/promises";
 * import { toReadable } from "sluice/node";
 * async function* lines(): AsyncGenerator<string> {
 *   for await (const row of rows) yield JSON.stringify(row) + "\n";
 * }
 * await pipeline(toReadable(lines(), { objectMode: false }), file); // stops lines() if the file fails
 * ```
 */
export function toReadable<T>(source: AsyncIterable<T> | Iterable<T>, options?: ToReadableOptions): Readable {
  const open = opener(source);
  if (options !== undefined && (options === null || typeof options !== "object")) throw new InvalidArgumentError("options", "an object", options);
  const { objectMode = true, highWaterMark, signal } = options ?? {};
  if (typeof objectMode !== "boolean") throw new InvalidArgumentError("objectMode", "a boolean", objectMode);
  if (highWaterMark !== undefined && !(Number.isSafeInteger(highWaterMark) && highWaterMark >= 0)) {
    throw new InvalidArgumentError("highWaterMark", "a non-negative integer", highWaterMark);
  }
  assertSignal(signal);
  let iterator: Source<T> | undefined; // opened on the first read; cleared once finished or stopped
  let finished = false; // the source ended or failed: nothing to stop
  let reading = false; // a pump is running: a read() now is already being served

  const pump = async (): Promise<void> => {
    reading = true;
    try {
      for (;;) {
        const it = (iterator ??= open());
        const room = Math.max(1, readable.readableHighWaterMark - readable.readableLength);
        const result = it.nextBatch === undefined ? await it.next() : await it.nextBatch(objectMode ? room : Infinity);
        if (readable.destroyed) return; // destroy() stopped the source meanwhile
        if (result.done === true) {
          finished = true;
          readable.push(null);
          return;
        }
        const values: readonly T[] = it.nextBatch === undefined ? [result.value as T] : (result.value as T[]);
        let wantsMore = true;
        for (const value of values) {
          if (objectMode ? value === null : !(typeof value === "string" || ArrayBuffer.isView(value))) {
            const expected = objectMode ? "a value other than null (null ends a Readable)" : "a string or bytes (a Buffer, a Uint8Array: objectMode is false)";
            readable.destroy(new InvalidArgumentError("value", expected, value));
            return;
          }
          wantsMore = readable.push(value);
        }
        if (!wantsMore) return;
      }
    } catch (error) {
      finished = true; // the source failed: it is done, no return() to call
      readable.destroy(asError(error));
    } finally {
      reading = false;
    }
  };

  const readable: Readable = new Readable({
    objectMode,
    ...(highWaterMark === undefined ? {} : { highWaterMark }),
    read() {
      if (!reading) void pump();
    },
    destroy(error, callback) {
      if (finished) return callback(error);
      finished = true;
      let it: AsyncIterator<T>;
      try {
        it = iterator ?? open(); // never read: open it only to stop it
      } catch (openError) {
        return callback(error ?? (openError as Error));
      }
      iterator = undefined;
      closeIterator(it).then(
        () => callback(error),
        (stopError: unknown) => callback(error ?? (stopError as Error)),
      );
    },
  });
  // The signal is listened to here, not given to Node (which would call a look-alike's methods unchecked, and
  // let a removeEventListener that throws escape as an uncaught exception and keep the stream from closing).
  if (signal !== undefined) {
    const onAbort = (): void => void readable.destroy(new AbortError("The stream was aborted", { cause: signal.reason }));
    try {
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        readable.once("close", () => detachSignal(signal, onAbort));
      }
    } catch (error) {
      // A signal that throws: the stream never reaches the caller. Its source is stopped, and what that fails
      // with has nobody to go to (the caller has this error).
      readable.on("error", () => undefined);
      readable.destroy();
      throw error;
    }
  }
  return readable;
}

/** How to open `source`'s iterator once; a sync iterable is read through an async view of it. */
function opener<T>(source: AsyncIterable<T> | Iterable<T>): () => Source<T> {
  if (typeof source === "object" && source !== null) {
    if (typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === "function") return () => openIterator(source as AsyncIterable<T>, "source");
    if (typeof (source as Iterable<T>)[Symbol.iterator] === "function") {
      return () => {
        const it = (source as Iterable<T>)[Symbol.iterator]();
        if ((typeof it !== "object" && typeof it !== "function") || it === null || typeof it.next !== "function") {
          throw new InvalidArgumentError("source[Symbol.iterator]()", "an iterator (an object with a next() method)", it);
        }
        return {
          next: async () => it.next(),
          return: async () => it.return?.() ?? { done: true, value: undefined },
        };
      };
    }
  }
  throw new InvalidArgumentError("source", "an async iterable or an iterable", source);
}
