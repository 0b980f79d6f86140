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
  /** Any other grpc-js `CallOptions` (`parent`, `propagate_flags`, `credentials`, `interceptors`…). @default {} */
  readonly callOptions?: CallOptions;
}
