import { Metadata, status as Status } from "@grpc/grpc-js";
import { runHandler } from "./run-handler.js";
import type { ServerCallPort } from "./server-call-port.js";
import { InProcessServerWritableStream } from "./server-writable-stream.js";

/** A server-streaming handler as given to `server.addService`. */
type ServerStreamingHandler = (call: InProcessServerWritableStream<unknown, unknown>) => unknown;

/**
 * Runs a server-streaming handler on an in-process call: reads the single request and the
 * half-close, then calls the handler with a writable response stream.
 */
function handleServerStreamingCall(port: ServerCallPort, path: string, handler: ServerStreamingHandler): void {
  let stream: InProcessServerWritableStream<unknown, unknown> | undefined;
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
      const current = new InProcessServerWritableStream<unknown, unknown>(path, port, requestMetadata, request.value);
      stream = current;
      runHandler(port, () => handler(current));
    },
    onCancel() {
      if (stream === undefined) return;
      stream.cancelled = true;
      stream.emit("cancelled", "cancelled");
      stream.destroy();
    },
  });
}

export { handleServerStreamingCall };
export type { ServerStreamingHandler };
