import type { Writable } from "node:stream";
import { drive } from "../../core/index.js";

/** The writable side of a grpc-js server call (server-streaming or bidi). */
type ResponseWritable = Writable & { readonly cancelled: boolean };

/**
 * Writes what `responses` yields into the call with `drive`: one `next()` at a time, and after a
 * `write()` that returned `false` (the Writable's highWaterMark, 16 for grpc-js) nothing more until
 * `'drain'`. So at most highWaterMark responses are ever pending in the call. The call is not ended
 * here: the adapter ends it with the trailers, or with an error status.
 *
 * Resolves when `responses` is exhausted; rejects with its error, or with an `AbortError` once
 * `signal` aborted (the caller cancelled) — after `responses.return()` ran, so a generator's
 * `finally` has run by then. @internal
 */
export function writeResponses<Res>(call: ResponseWritable, responses: AsyncIterable<Res>, signal: AbortSignal): Promise<void> {
  return drive(
    responses,
    {
      write: (response: Res) => call.write(response),
      waitForDrain: (stop) =>
        new Promise<void>((resolve, reject) => {
          const onDrain = (): void => settle(resolve);
          const onClose = (): void => settle(() => reject(new Error("Expected the call to drain, got it closed")));
          const settle = (how: () => void): void => {
            call.removeListener("drain", onDrain);
            call.removeListener("close", onClose);
            stop.removeEventListener("abort", onStop);
            how();
          };
          // drive() aborts `stop` when it gives up waiting (the caller cancelled): just detach.
          const onStop = (): void => settle(resolve);
          if (stop.aborted) return resolve();
          call.once("drain", onDrain);
          call.once("close", onClose);
          stop.addEventListener("abort", onStop, { once: true });
        }),
    },
    { signal },
  );
}
