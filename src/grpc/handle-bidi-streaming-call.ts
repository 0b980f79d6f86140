import { runHandler } from "./run-handler.js";
import type { ServerCallPort } from "./server-call-port.js";
import { InProcessServerDuplexStream } from "./server-duplex-stream.js";

/** A bidi-streaming handler as given to `server.addService`. */
type BidiStreamingHandler = (call: InProcessServerDuplexStream<unknown, unknown>) => unknown;

/**
 * Runs a bidi handler on an in-process call: the handler starts with the metadata, reads requests
 * (ending at the caller's half-close) and writes responses.
 */
function handleBidiStreamingCall(port: ServerCallPort, path: string, handler: BidiStreamingHandler): void {
  let stream: InProcessServerDuplexStream<unknown, unknown> | undefined;
  port.start({
    onReceiveMetadata(metadata) {
      const current = new InProcessServerDuplexStream<unknown, unknown>(path, port, metadata);
      stream = current;
      runHandler(port, () => handler(current));
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

export { handleBidiStreamingCall };
export type { BidiStreamingHandler };
