import { Duplex } from "node:stream";
import type { Metadata, ServerDuplexStream } from "@grpc/grpc-js";
import { ResponseWriter } from "./server-response-writer.js";
import type { ServerCallPort } from "./server-call-port.js";
import { type CallSurface, callPath, callPort, installCallSurface } from "./server-surface.js";

// The accessors (getPeer, getDeadline, …) are installed on the prototype by installCallSurface; the merged
// interface declares them. It must repeat the class's type parameters, unused here.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
interface InProcessServerDuplexStream<Req, Res> extends CallSurface {}

/**
 * What a bidi handler receives in-process: an objectMode `Duplex` (requests in, responses out),
 * like grpc-js's `ServerDuplexStream`, with the same `end(trailers)` and `emit('error', …)` rules
 * as {@link InProcessServerWritableStream}.
 */
class InProcessServerDuplexStream<Req, Res> extends Duplex implements ServerDuplexStream<Req, Res> {
  /** The call's transport (read by the accessors installed from server-surface.ts). */
  readonly [callPort]: ServerCallPort;
  /** The full method path, `/package.Service/Method`. */
  readonly [callPath]: string;
  /** Writes, trailers and the final status of the response side. */
  readonly #responses: ResponseWriter;
  /** Set (with a `'cancelled'` event) when the call is over, including after success. */
  cancelled = false;
  /** A copy of the request metadata. */
  readonly metadata: Metadata;

  constructor(path: string, port: ServerCallPort, metadata: Metadata) {
    super({ objectMode: true });
    this[callPath] = path;
    this[callPort] = port;
    this.metadata = metadata;
    this.#responses = new ResponseWriter(port, this);
    this.on("error", (error: unknown) => {
      this.#responses.fail(error);
      this.end();
    });
  }

  override _read(_size: number): void {
    this[callPort].startRead();
  }

  /** `write(message)` alone goes straight to the caller when the call's port has a fast lane (the direct path). */
  override write(chunk: Res, encoding?: unknown, callback?: unknown): boolean {
    if (encoding === undefined && callback === undefined) {
      const taken = this.#responses.offer(chunk);
      if (taken !== undefined) return taken;
    }
    this.#responses.closeLane();
    return super.write(chunk, encoding as BufferEncoding, callback as (error: Error | null | undefined) => void);
  }

  override cork(): void {
    this.#responses.closeLane();
    super.cork();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#responses.closeLane();
    callback(error);
  }

  override _write(chunk: Res, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#responses.write(chunk, callback);
  }

  override _writev(chunks: Array<{ chunk: Res; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    this.#responses.writev(chunks, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#responses.final(callback);
  }

  /** Ends the response side; a `Metadata` argument becomes the trailers. */
  override end(metadata?: unknown): this {
    this.#responses.closeLane();
    this.#responses.keepTrailers(metadata);
    return super.end();
  }
}

installCallSurface(InProcessServerDuplexStream);

export { InProcessServerDuplexStream };
