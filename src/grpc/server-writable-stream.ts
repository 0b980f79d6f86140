import { Writable } from "node:stream";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { Deadline, ServerWritableStream } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import type { PartialStatusObject } from "./call-status.js";
import { sendBatch } from "./server-call-port.js";
import type { ServerCallPort } from "./server-call-port.js";
import type { AuthContext, MetricsRecorder } from "./server-surface.js";

/**
 * What a server-streaming handler receives in-process: an objectMode `Writable` of responses
 * (highWaterMark 16, so the 16th pending `write()` returns false and `'drain'` follows as the
 * caller reads), like grpc-js's `ServerWritableStream`. `end(trailers)` sends the OK status with
 * those trailers; `emit('error', {code, details, metadata})` turns into that status, then ends.
 */
class InProcessServerWritableStream<Req, Res> extends Writable implements ServerWritableStream<Req, Res> {
  /** The call's transport. */
  readonly #port: ServerCallPort;
  /** The full method path, `/package.Service/Method`. */
  readonly #path: string;
  /** The status `_final` will send: OK unless an `'error'` was emitted. */
  #pendingStatus: PartialStatusObject = { code: Status.OK, details: "OK" };
  /** Trailers given to `end(md)`; sent with an OK status. */
  #trailers = new Metadata();
  /** Set (with a `'cancelled'` event) when the call is over, including after success. */
  cancelled = false;
  /** A copy of the request metadata. */
  readonly metadata: Metadata;
  request: Req;

  constructor(path: string, port: ServerCallPort, metadata: Metadata, request: Req) {
    super({ objectMode: true });
    this.#path = path;
    this.#port = port;
    this.metadata = metadata;
    this.request = request;
    this.on("error", (error: unknown) => {
      this.#pendingStatus = statusFromServerError(error);
      this.end();
    });
  }

  override _write(chunk: Res, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#port.sendMessage(chunk, () => callback());
  }

  /**
   * Hands every write buffered behind the one in flight to the call at once: the caller can then
   * take them without a round trip through this stream per message. The batch's callback (and so
   * each write's own callback, and `'drain'`) fires once the caller has taken the last of them.
   */
  override _writev(chunks: Array<{ chunk: Res; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    sendBatch(this.#port, chunks, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback(null);
    this.#port.sendStatus({ ...this.#pendingStatus, metadata: this.#pendingStatus.metadata ?? this.#trailers });
  }

  /** Ends the stream; a `Metadata` argument becomes the trailers. */
  override end(metadata?: unknown): this {
    if (metadata instanceof Metadata) this.#trailers = metadata;
    return super.end();
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

export { InProcessServerWritableStream };
