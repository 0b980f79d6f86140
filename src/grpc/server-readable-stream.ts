import { Readable } from "node:stream";
import type { Deadline, Metadata, ServerReadableStream } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import type { ServerCallPort } from "./server-call-port.js";
import type { AuthContext, MetricsRecorder } from "./server-surface.js";

/**
 * What a client-streaming handler receives in-process: an objectMode `Readable` of requests, like
 * grpc-js's `ServerReadableStream`. Each `_read` asks the call for exactly one message.
 */
class InProcessServerReadableStream<Req, Res> extends Readable implements ServerReadableStream<Req, Res> {
  /** The call's transport. */
  readonly #port: ServerCallPort;
  /** The full method path, `/package.Service/Method`. */
  readonly #path: string;
  /** Set (with a `'cancelled'` event) when the call is over, including after success. */
  cancelled = false;
  /** A copy of the request metadata. */
  readonly metadata: Metadata;

  constructor(path: string, port: ServerCallPort, metadata: Metadata) {
    super({ objectMode: true });
    this.#path = path;
    this.#port = port;
    this.metadata = metadata;
    // grpc-js hands client-streaming handlers a Duplex that turns an emitted 'error' into the status.
    this.on("error", (error: unknown) => port.sendStatus(statusFromServerError(error)));
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
    return this.#path;
  }
  getHost(): string {
    return this.#port.getHost();
  }
  getAuthContext(): AuthContext {
    return this.#port.getAuthContext();
  }
  getMetricsRecorder(): MetricsRecorder {
    return this.#port.getMetricsRecorder();
  }
}

export { InProcessServerReadableStream };
