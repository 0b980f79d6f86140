import { status as Status } from "@grpc/grpc-js";
import type { sendUnaryData } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import { receiveSingleRequest } from "./receive-requests.js";
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
  receiveSingleRequest(
    port,
    path,
    (metadata, request) => new InProcessServerUnaryCall<unknown, unknown>(path, port, metadata, request),
    (call) => handler(call, unaryResponder(port)),
  );
}

export { handleUnaryCall, unaryResponder };
export type { UnaryHandler };
