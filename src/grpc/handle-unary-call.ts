import { Metadata, status as Status } from "@grpc/grpc-js";
import type { sendUnaryData } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import { runHandler } from "./run-handler.js";
import type { ServerCallPort } from "./server-call-port.js";
import { InProcessServerUnaryCall } from "./server-unary-call.js";

/** A unary handler as given to `server.addService`. */
type UnaryHandler = (call: InProcessServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;

/**
 * Builds the `callback(err, value, trailer, flags)` of unary and client-streaming handlers, with
 * grpc-js's rules: an error becomes the status (trailer wins over `err.metadata`); a value is sent,
 * then OK with the trailer once the caller took it. Later calls are no-ops once the call is over.
 */
function unaryResponder(port: ServerCallPort): sendUnaryData<unknown> {
  return (error, value, trailer) => {
    if (error) {
      port.sendStatus(statusFromServerError(error, trailer));
      return;
    }
    port.sendMessage(value, () => port.sendStatus({ code: Status.OK, details: "OK", metadata: trailer ?? null }));
  };
}

/**
 * Runs a unary handler on an in-process call: reads the single request and the half-close, then
 * calls the handler; a missing or second request is UNIMPLEMENTED with grpc-js's messages.
 */
function handleUnaryCall(port: ServerCallPort, path: string, handler: UnaryHandler): void {
  let call: InProcessServerUnaryCall<unknown, unknown> | undefined;
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
      const current = new InProcessServerUnaryCall<unknown, unknown>(path, port, requestMetadata, request.value);
      call = current;
      runHandler(port, () => handler(current, unaryResponder(port)));
    },
    onCancel() {
      if (call === undefined) return;
      call.cancelled = true;
      call.emit("cancelled", "cancelled");
    },
  });
}

export { handleUnaryCall, unaryResponder };
export type { UnaryHandler };
