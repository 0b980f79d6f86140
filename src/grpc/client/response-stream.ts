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
  /** Runs when the bridge is done with the call, after it was cancelled if it had to be. */
  readonly detached?: () => void;
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
  return createSubscription<Res>(
    "grpc-responses",
    (sink) => {
      const call = hooks.start();
      let status: StatusObject | undefined; // set once the call has ended, OK or not
      let failure: unknown; // the call's error, delivered once the responses before it were read
      let paused = false;
      const resume = (ok: boolean): void => {
        paused = false;
        if (ok) call.resume();
      };
      const onData = (response: Res): void => {
        if (!sink.push(response) && !paused) {
          paused = true;
          call.pause();
          void sink.ready().then(resume); // false once the bridge is finished; the teardown handles that
        }
      };
      const fail = (): void => sink.fail(hooks.mapError === undefined ? failure : hooks.mapError(failure));
      // grpc-js pushes null, then emits 'error' at once: responses may still sit in the Readable's buffer.
      const onError = (error: unknown): void => {
        failure = error;
        if (call.readableLength === 0) fail();
      };
      const onEnd = (): void => (failure === undefined ? sink.end() : fail());
      const onStatus = (received: StatusObject): void => {
        status = received;
      };
      call.on("data", onData);
      call.on("error", onError);
      call.once("end", onEnd);
      call.once("status", onStatus);
      return () => {
        call.removeListener("data", onData);
        call.removeListener("error", onError);
        call.removeListener("end", onEnd);
        call.removeListener("status", onStatus);
        if (status === undefined) {
          // The grpc-node#1238 fix: a consumer that stops reading cancels the call, remote or not.
          // The CANCELLED 'error' that follows has nobody to go to; keep it from becoming uncaught.
          call.on("error", ignore);
          call.cancel();
        }
        call.resume(); // drop whatever is still buffered
        hooks.detached?.();
      };
    },
    options,
    createdBy,
  );
}
