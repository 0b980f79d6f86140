import type { CallOptions, Deadline, Metadata } from "@grpc/grpc-js";

/**
 * Per-call options of an {@link asyncClient} method.
 * @example
 * ```ts
 * const metadata = new grpc.Metadata();
 * metadata.set("authorization", "Bearer abc");
 * const shutdown = new AbortController();
 * await asyncClient(greeter).SayHello({ name: "x" }, { deadline: Date.now() + 1_000, metadata, signal: shutdown.signal });
 * ```
 */
export interface AsyncCallOptions {
  /**
   * Aborting it cancels the call (the server sees `'cancelled'`) and rejects the promise, or the
   * iterator's pending and later `next()`, with an `AbortError` whose `cause` is the signal's reason.
   * @default undefined (the call runs until it ends, its deadline passes or its stream is stopped)
   */
  readonly signal?: AbortSignal;
  /** Request metadata. @default new Metadata() */
  readonly metadata?: Metadata;
  /** The call's deadline (a `Date` or ms epoch); shorthand for `callOptions.deadline`. @default Infinity */
  readonly deadline?: Deadline;
  /**
   * Any other grpc-js `CallOptions` (`parent`, `propagate_flags`, `credentials`, `interceptors`…). On an
   * in-process client, `interceptors`, `interceptor_providers` and `credentials` keep the call off the direct
   * path (they need grpc-js's call objects).
   * @default {}
   */
  readonly callOptions?: CallOptions;
  /**
   * Streaming calls: how many responses may wait unread in the iterator before the other side is told to wait (a
   * handler's `write()` returns `false` until you read; over the network the call is paused, so HTTP/2 flow control
   * reaches the server). Raise it when you read in batches (`nextBatch()`, `batches()`): each batch then carries
   * more. A handler written with `serverStreaming` or `bidi` on the direct path is pulled, never ahead of you, so
   * nothing is buffered there. An integer >= 1, or `Infinity`.
   * @default 16
   */
  readonly highWaterMark?: number;
  /**
   * Called once with the response headers, when they arrive (before the first response). Not called when the
   * call ends without headers (a "trailers-only" response, e.g. an error before any response). A throw from it
   * cancels the call, and the call fails with that error.
   * @default undefined
   */
  readonly onHeader?: (headers: Metadata) => void;
  /**
   * Called once with the trailing metadata when the call's status arrives, OK or not, before the promise
   * settles or the iterator's last result (done, or the error) is delivered. Not called when you stopped the
   * call yourself (`break`, `return()`, an aborted `signal`). A throw from it fails the call with that error.
   * A failed call's trailers are also its error's `metadata`.
   * @default undefined
   */
  readonly onTrailer?: (trailers: Metadata) => void;
}
