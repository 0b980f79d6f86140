import type { Readable } from "node:stream";
import { status as Status } from "@grpc/grpc-js";
import type { BridgeIterator } from "../../core/index.js";
import { createSubscription } from "../../core/subscribe.js";
import { GrpcError } from "../grpc-error.js";

/** The readable side of a grpc-js server call (client-streaming or bidi). */
type RequestReadable<Req> = Readable & { readonly cancelled: boolean; getPath(): string; on(event: "data", listener: (request: Req) => void): unknown };

/**
 * The incoming messages of a client-streaming or bidi call as a sluice iterator (bridge kind
 * `grpc-requests`, named after the method path). The Readable is paused while the bridge is full
 * (so grpc-js stops reading and HTTP/2 flow control pushes back on the caller) and resumed at its
 * `ready()`. The client's half-close ends it; a cancel or deadline fails it with a `GrpcError`
 * CANCELLED. Stopping it early (break) detaches and lets further requests be discarded, so the caller
 * is never stuck on flow control. The adapter stops it when the handler finishes. @internal
 */
export function requestStream<Req>(call: RequestReadable<Req>, createdBy: (...args: never[]) => unknown): BridgeIterator<Req> {
  return createSubscription<Req>(
    "grpc-requests",
    (sink) => {
      let paused = false;
      const resume = (ok: boolean): void => {
        paused = false;
        if (ok) call.resume();
      };
      const onData = (request: Req): void => {
        if (!sink.push(request) && !paused) {
          paused = true;
          call.pause();
          // ready() resolves false once the bridge is finished; the teardown resumes then.
          void sink.ready().then(resume);
        }
      };
      const onCancelled = (): void => sink.fail(new GrpcError(Status.CANCELLED, "The call was cancelled or ran out of time"));
      // On a cancel or deadline grpc-js may end the Readable just before it emits 'cancelled'. A real
      // half-close must not be mistaken for the end of a cancelled call, so wait one turn to tell them apart.
      let endTimer: NodeJS.Immediate | undefined;
      const onEnd = (): void => {
        endTimer = setImmediate(() => (call.cancelled ? onCancelled() : sink.end()));
      };
      const onError = (error: unknown): void => sink.fail(error);
      call.on("data", onData);
      call.once("end", onEnd);
      call.once("cancelled", onCancelled);
      call.on("error", onError);
      if (call.cancelled) onCancelled();
      return () => {
        clearImmediate(endTimer);
        call.removeListener("data", onData);
        call.removeListener("end", onEnd);
        call.removeListener("cancelled", onCancelled);
        call.removeListener("error", onError);
        // Nobody reads any more: let the rest flow into the void rather than stall the caller's writes.
        call.resume();
      };
    },
    { name: call.getPath() },
    createdBy,
  );
}
