import type { sendUnaryData } from "@grpc/grpc-js";
import { unaryResponder } from "./handle-unary-call.js";
import { receiveRequestStream } from "./receive-requests.js";
import type { ServerCallPort } from "./server-call-port.js";
import { InProcessServerReadableStream } from "./server-readable-stream.js";

/** A client-streaming handler as given to `server.addService`. */
type ClientStreamingHandler = (call: InProcessServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;

/**
 * Runs a client-streaming handler on an in-process call: the handler starts with the metadata and
 * reads requests from a readable stream that ends at the caller's half-close.
 */
function handleClientStreamingCall(port: ServerCallPort, path: string, handler: ClientStreamingHandler): void {
  receiveRequestStream(
    port,
    (metadata) => new InProcessServerReadableStream<unknown, unknown>(path, port, metadata),
    (call) => handler(call, unaryResponder(port)),
  );
}

export { handleClientStreamingCall };
export type { ClientStreamingHandler };
