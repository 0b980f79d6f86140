import type { Writable } from "node:stream";
import { Metadata, status as Status } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import type { PartialStatusObject } from "./call-status.js";
import { sendBatch } from "./server-call-port.js";
import type { ServerCallPort } from "./server-call-port.js";

/**
 * The response side of a server stream (the Writable and the Duplex handler objects): writes go to the
 * call one by one or in batches, `end(trailers)` keeps the trailers, an emitted `'error'` chooses the
 * status, and `_final` sends it. Written once for both stream classes.
 */
class ResponseWriter {
  /** The call's transport. */
  readonly #port: ServerCallPort;
  /** The status `final` will send: OK unless an `'error'` was emitted. */
  #pendingStatus: PartialStatusObject = { code: Status.OK, details: "OK" };
  /** Trailers given to `end(md)`; sent with an OK status. */
  #trailers = new Metadata();

  constructor(port: ServerCallPort) {
    this.#port = port;
  }

  /**
   * A plain `write(message)` (no callback, nothing buffered in the Writable, not corked or ended) taken by the
   * port's fast lane, if it has one: the message goes to the caller without the Writable's machinery. Returns
   * the `write()` result, or `undefined` when there is no lane and the Writable must take the write.
   */
  offer(stream: Writable, message: unknown): boolean | undefined {
    const offerResponse = this.#port.offerResponse;
    if (offerResponse === undefined || stream.writableLength !== 0 || stream.writableCorked !== 0 || stream.writableEnded || stream.destroyed) return undefined;
    return offerResponse(message, () => stream.emit("drain"));
  }

  /** One write (`_write`): its callback fires once the caller has taken the message. */
  write(chunk: unknown, callback: (error?: Error | null) => void): void {
    this.#port.sendMessage(chunk, () => callback());
  }

  /**
   * Every write buffered behind the one in flight, at once (`_writev`): the caller can then take them
   * without a round trip through the stream per message. The callback (and so each write's own, and
   * `'drain'`) fires once the caller has taken the last of them.
   */
  writev(chunks: ReadonlyArray<{ readonly chunk: unknown }>, callback: (error?: Error | null) => void): void {
    sendBatch(this.#port, chunks, callback);
  }

  /** An `'error'` emitted by the handler: its code, details and metadata become the status. */
  fail(error: unknown): void {
    this.#pendingStatus = statusFromServerError(error);
  }

  /** `end(metadata)`: a `Metadata` argument becomes the trailers of an OK status. */
  keepTrailers(metadata: unknown): void {
    if (metadata instanceof Metadata) this.#trailers = metadata;
  }

  /** `_final`: the stream is finished; send the status. */
  final(callback: (error?: Error | null) => void): void {
    callback(null);
    this.#port.sendStatus({ ...this.#pendingStatus, metadata: this.#pendingStatus.metadata ?? this.#trailers });
  }
}

export { ResponseWriter };
