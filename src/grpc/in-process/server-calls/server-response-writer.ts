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
  /**
   * The port's fast lane (the direct path offers one), while every write so far took it: closed for good by the
   * first write the Writable must take (one with a callback or an encoding), `cork()`, `end()` or a destroy, so
   * that from then on the Writable's own order and errors apply.
   */
  #lane: ((message: unknown, onRoom: () => void) => boolean) | undefined;
  /** Emits `'drain'` on the stream once the caller has room again (one closure per stream, not per write). */
  readonly #onRoom: () => void;

  constructor(port: ServerCallPort, stream: Writable) {
    this.#port = port;
    this.#lane = port.offerResponse;
    this.#onRoom = () => stream.emit("drain");
  }

  /**
   * A plain `write(message)` taken by the port's fast lane, while it is open: the message goes to the caller
   * without the Writable's machinery. Returns the `write()` result, or `undefined` when the Writable must take
   * the write.
   */
  offer(message: unknown): boolean | undefined {
    const lane = this.#lane;
    return lane === undefined ? undefined : lane(message, this.#onRoom);
  }

  /** The Writable takes every write from now on (see `#lane`). */
  closeLane(): void {
    this.#lane = undefined;
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
