import { Metadata } from "@grpc/grpc-js";
import type { ClientDuplexStream, ClientReadableStream, StatusObject } from "@grpc/grpc-js";
import type { BridgeIterator, SourceOptions } from "../../core/index.js";
import { createSubscription } from "../../core/subscribe.js";

/**
 * A grpc-js call with responses to read: what a server-streaming or bidi method returns, and what
 * {@link responses} takes.
 * @example
 * ```ts
 * async function firstReply(call: ResponseCall<HelloReply>): Promise<HelloReply | undefined> {
 *   for await (const reply of responses(call)) return reply; // leaving the loop cancels the call
 *   return undefined;
 * }
 * ```
 */
export type ResponseCall<Res> = ClientReadableStream<Res> | ClientDuplexStream<unknown, Res>;

/** How {@link responseStream} starts and reports. @internal */
export interface ResponseStreamHooks<Res> {
  /** Starts (or hands over) the call; runs on the first `next()`. */
  readonly start: () => ResponseCall<Res>;
  /** Replaces the error a failed call reports (e.g. with the error of the requests being sent). */
  readonly mapError?: (error: unknown) => unknown;
  /** Called once with the response headers (the call's `'metadata'` event). A throw cancels the call and fails the bridge with it. */
  readonly onHeader?: ((headers: Metadata) => void) | undefined;
  /** Called once with the trailers when the status arrives (not after the bridge was stopped). A throw fails the bridge with it. */
  readonly onTrailer?: ((trailers: Metadata) => void) | undefined;
  /**
   * Work that must finish before the last result (done or the error) is delivered, and that the bridge's
   * `stop()` waits for: closing the caller's requests. Also run when the bridge is stopped before it started.
   * Never rejects.
   */
  readonly release?: (() => Promise<void>) | undefined;
}

const ignore = (): void => {};

/**
 * The responses of a grpc-js call as a sluice bridge of kind `grpc-responses`. The Readable is
 * paused while the bridge is full and resumed at `ready()`. A non-OK status fails the bridge with the
 * call's `ServiceError` after the responses already received; OK ends it. Stopping the bridge before
 * the status cancels the call (`call.cancel()`: CANCELLED "Cancelled on client" for grpc-js, the
 * handler sees `'cancelled'`). @internal
 */
export function responseStream<Res>(
  hooks: ResponseStreamHooks<Res>,
  options: SourceOptions,
  createdBy: (...args: never[]) => unknown,
): BridgeIterator<Res> {
  const release = hooks.release;
  return createSubscription<Res>(
    "grpc-responses",
    (sink) => {
      let call: ResponseCall<Res>;
      try {
        call = hooks.start();
      } catch (error) {
        // grpc-js refused to start it (a closed client, an interceptor or transformer that threw): the requests
        // are closed all the same before the error is delivered.
        if (release === undefined) throw error;
        void release().then(() => sink.fail(error));
        return undefined;
      }
      let status: StatusObject | undefined; // set once the call has ended, OK or not
      let failure: unknown; // the call's error, delivered once the responses before it were read
      let callbackFailure: { readonly error: unknown } | undefined; // onHeader/onTrailer threw: the bridge's error
      let paused = false;
      const resume = (ok: boolean): void => {
        paused = false;
        if (ok) call.resume();
      };
      const onData = (response: Res): void => {
        // A throwing onHeader/onTrailer ended the call for the caller: what still arrives is dropped, as a cancel drops it.
        if (callbackFailure !== undefined) return;
        if (!sink.push(response) && !paused) {
          paused = true;
          call.pause();
          void sink.ready().then(resume); // false once the bridge is finished; the teardown handles that
        }
      };
      // The requests (if any) are closed before the bridge's last result: done, or the error.
      const settle = (deliver: () => void): void => {
        if (release === undefined) deliver();
        else void release().then(deliver);
      };
      const fail = (): void => {
        const error = callbackFailure?.error ?? (hooks.mapError === undefined ? failure : hooks.mapError(failure));
        settle(() => sink.fail(error));
      };
      // grpc-js pushes null, then emits 'error' at once: responses may still sit in the Readable's buffer.
      const onError = (error: unknown): void => {
        failure = error;
        // 'status' comes right after 'error', too late: failing the bridge below removes its listener. The
        // error carries the status's trailers.
        const trailers = (error as { metadata?: unknown } | null)?.metadata;
        if (trailers instanceof Metadata) reportTrailers(trailers);
        if (call.readableLength === 0) fail();
      };
      const onEnd = (): void => (failure === undefined && callbackFailure === undefined ? settle(() => sink.end()) : fail());
      const callbackFailed = (error: unknown): void => {
        if (callbackFailure !== undefined) return;
        callbackFailure = { error };
        if (status === undefined) {
          call.on("error", ignore); // the CANCELLED that follows is ours
          call.cancel();
        } else if (failure === undefined) {
          // The status is in (OK): its 'end' may already be past, so fail now, after what is buffered.
          fail();
        }
      };
      let trailersReported = false;
      const reportTrailers = (trailers: Metadata): void => {
        const onTrailer = hooks.onTrailer;
        if (trailersReported || onTrailer === undefined || callbackFailure !== undefined) return;
        trailersReported = true;
        try {
          onTrailer(trailers);
        } catch (error) {
          callbackFailed(error);
        }
      };
      const onStatus = (received: StatusObject): void => {
        status = received;
        reportTrailers(received.metadata);
      };
      const onMetadata = (headers: Metadata): void => {
        try {
          hooks.onHeader?.(headers);
        } catch (error) {
          callbackFailed(error);
        }
      };
      call.on("data", onData);
      call.on("error", onError);
      call.once("end", onEnd);
      call.once("status", onStatus);
      if (hooks.onHeader !== undefined) call.once("metadata", onMetadata);
      return () => {
        call.removeListener("data", onData);
        call.removeListener("error", onError);
        call.removeListener("end", onEnd);
        call.removeListener("status", onStatus);
        call.removeListener("metadata", onMetadata);
        if (status === undefined) {
          // The grpc-node#1238 fix: a consumer that stops reading cancels the call, remote or not.
          // The CANCELLED 'error' that follows has nobody to go to; keep it from becoming uncaught.
          call.on("error", ignore);
          call.cancel();
        }
        call.resume(); // drop whatever is still buffered
        return release?.();
      };
    },
    options,
    createdBy,
    undefined,
    release === undefined ? undefined : () => void release(),
  );
}
