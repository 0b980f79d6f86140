import type { sendUnaryData } from "@grpc/grpc-js";
import { unaryResponder } from "./handle-unary-call.js";
import { runHandler } from "./run-handler.js";
import type { ServerCallPort } from "./server-call-port.js";
import { InProcessServerReadableStream } from "./server-readable-stream.js";

/** A client-streaming handler as given to `server.addService`. */
type ClientStreamingHandler = (call: InProcessServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => unknown;

/**
 * Runs a client-streaming handler on an in-process call: the handler starts with the metadata and
 * reads requests from a readable stream that ends at the caller's half-close.
 */
function handleClientStreamingCall(port: ServerCallPort, path: string, handler: ClientStreamingHandler): void {
  let stream: InProcessServerReadableStream<unknown, unknown> | undefined;
  port.start({
    onReceiveMetadata(metadata) {
      const current = new InProcessServerReadableStream<unknown, unknown>(path, port, metadata);
      stream = current;
      runHandler(port, () => handler(current, unaryResponder(port)));
    },
    onReceiveMessage(message) {
      stream?.push(message);
    },
    onReceiveHalfClose() {
      stream?.push(null);
    },
    onCancel() {
      if (stream === undefined) return;
      stream.cancelled = true;
      stream.emit("cancelled", "cancelled");
      stream.destroy();
    },
  });
}

export { handleClientStreamingCall };
export type { ClientStreamingHandler };
