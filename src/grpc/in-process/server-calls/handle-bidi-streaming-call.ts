import { receiveRequestStream } from "./receive-requests.js";
import type { ServerCallPort } from "./server-call-port.js";
import { InProcessServerDuplexStream } from "./server-duplex-stream.js";

/** A bidi-streaming handler as given to `server.addService`. */
type BidiStreamingHandler = (call: InProcessServerDuplexStream<unknown, unknown>) => unknown;

/**
 * Runs a bidi handler on an in-process call: the handler starts with the metadata, reads requests
 * (ending at the caller's half-close) and writes responses.
 */
function handleBidiStreamingCall(port: ServerCallPort, path: string, handler: BidiStreamingHandler): void {
  receiveRequestStream(port, (metadata) => new InProcessServerDuplexStream<unknown, unknown>(path, port, metadata), handler);
}

export { handleBidiStreamingCall };
export type { BidiStreamingHandler };
