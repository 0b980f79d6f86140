import { receiveSingleRequest } from "./receive-requests.js";
import type { ServerCallPort } from "./server-call-port.js";
import { InProcessServerWritableStream } from "./server-writable-stream.js";

/** A server-streaming handler as given to `server.addService`. */
type ServerStreamingHandler = (call: InProcessServerWritableStream<unknown, unknown>) => unknown;

/**
 * Runs a server-streaming handler on an in-process call: reads the single request and the
 * half-close, then calls the handler with a writable response stream.
 */
function handleServerStreamingCall(port: ServerCallPort, path: string, handler: ServerStreamingHandler): void {
  receiveSingleRequest(
    port,
    path,
    (metadata, request) => new InProcessServerWritableStream<unknown, unknown>(path, port, metadata, request),
    handler,
  );
}

export { handleServerStreamingCall };
export type { ServerStreamingHandler };
