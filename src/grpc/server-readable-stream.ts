import { Readable } from "node:stream";
import type { Deadline, Metadata, ServerReadableStream } from "@grpc/grpc-js";
import type { ServerCallPort } from "./server-call-port.js";
import { createNoopMetricsRecorder, emptyAuthContext } from "./server-surface.js";
import type { AuthContext, MetricsRecorder } from "./server-surface.js";

/**
 * What a client-streaming handler receives in-process: an objectMode `Readable` of requests, like
 * grpc-js's `ServerReadableStream`. Each `_read` asks the call for exactly one message.
 */
class InProcessServerReadableStream<Req, Res> extends Readable implements ServerReadableStream<Req, Res> {
  /** The call's transport. */
  readonly #port: ServerCallPort;
  /** Set (with a `'cancelled'` event) when the call is over, including after success. */
  cancelled = false;
  /** A copy of the request metadata. */
  readonly metadata: Metadata;

  constructor(port: ServerCallPort, metadata: Metadata) {
    super({ objectMode: true });
    this.#port = port;
    this.metadata = metadata;
  }

  override _read(_size: number): void {
    this.#port.startRead();
  }

  getPeer(): string {
    return this.#port.getPeer();
  }
  sendMetadata(responseMetadata: Metadata): void {
    this.#port.sendMetadata(responseMetadata);
  }
  getDeadline(): Deadline {
    return this.#port.getDeadline();
  }
  getPath(): string {
    return this.#port.path;
  }
  getHost(): string {
    return this.#port.getHost();
  }
  getAuthContext(): AuthContext {
    return emptyAuthContext;
  }
  getMetricsRecorder(): MetricsRecorder {
    return createNoopMetricsRecorder();
  }
}

export { InProcessServerReadableStream };
