import { Metadata, status as Status } from "@grpc/grpc-js";
import { runHandler } from "./run-handler.js";
import type { ServerCallPort } from "./server-call-port.js";

/** What every server call object shares for a cancel: grpc-js's `cancelled` flag and event; streams are destroyed. */
interface CancellableCall {
  cancelled: boolean;
  emit(event: "cancelled", reason: "cancelled"): boolean;
  destroy?: () => unknown;
}

/** The call is over (cancelled, or finished: grpc-js >= 1.10 emits `'cancelled'` then too). */
function markCancelled(call: CancellableCall): void {
  call.cancelled = true;
  call.emit("cancelled", "cancelled");
  call.destroy?.();
}

/**
 * Unary and server-streaming calls: receives the one request and the half-close with grpc-js's rules (a
 * missing or second request is UNIMPLEMENTED, with its messages), then opens the call object and runs the
 * handler on it. The call object is known before the handler runs, so a cancel during the handler reaches it.
 */
function receiveSingleRequest<C extends CancellableCall>(
  port: ServerCallPort,
  path: string,
  open: (metadata: Metadata, request: unknown) => C,
  run: (call: C) => unknown,
): void {
  let call: C | undefined;
  let requestMetadata = new Metadata();
  let request: { value: unknown } | undefined;
  port.start({
    onReceiveMetadata(metadata) {
      requestMetadata = metadata;
      port.startRead();
    },
    onReceiveMessage(message) {
      if (request !== undefined) {
        port.sendStatus({ code: Status.UNIMPLEMENTED, details: `Received a second request message for server streaming method ${path}` });
        return;
      }
      request = { value: message };
      port.startRead();
    },
    onReceiveHalfClose() {
      if (request === undefined) {
        port.sendStatus({ code: Status.UNIMPLEMENTED, details: `Received no request message for server streaming method ${path}` });
        return;
      }
      const current = open(requestMetadata, request.value);
      call = current;
      runHandler(port, () => run(current));
    },
    onCancel() {
      if (call !== undefined) markCancelled(call);
    },
  });
}

/**
 * Client-streaming and bidi calls: the handler starts with the metadata; requests are pushed into the call
 * object's readable side as they arrive, and the caller's half-close ends it.
 */
function receiveRequestStream<C extends CancellableCall & { push(chunk: unknown): boolean }>(
  port: ServerCallPort,
  open: (metadata: Metadata) => C,
  run: (call: C) => unknown,
): void {
  let call: C | undefined;
  port.start({
    onReceiveMetadata(metadata) {
      const current = open(metadata);
      call = current;
      runHandler(port, () => run(current));
    },
    onReceiveMessage(message) {
      call?.push(message);
    },
    onReceiveHalfClose() {
      call?.push(null);
    },
    onCancel() {
      if (call !== undefined) markCancelled(call);
    },
  });
}

export { receiveRequestStream, receiveSingleRequest };
