/**
 * The platform's own writables as {@link DriveSink}s, recognised by shape (the core imports nothing from
 * Node, and runs where there is no Node): a Node `Writable` (and so a grpc-js writable call, which is one),
 * and a WHATWG `WritableStream`. Each adapter also tells `drive` when the destination fails on its own
 * (an `'error'`, a premature `'close'`, a cancelled call, an errored stream), so that the source is stopped
 * at once instead of at its next value.
 */
import type { DriveSink } from "./drive.js";
import { InvalidArgumentError, asError } from "./errors.js";

/**
 * A Node `Writable`, as {@link drive} takes it: `write()` with its `false`-then-`'drain'` backpressure,
 * `end()`, `destroy()` and the events. A grpc-js writable call (`ClientWritableStream`,
 * `ClientDuplexStream`, and a server handler's `ServerWritableStream`, `ServerDuplexStream`) is one too,
 * and `drive` ends and fails it the gRPC way. Matched by shape: sluice imports nothing from Node.
 * @example
 * ```ts
 * import { createWriteStream } from "node:fs";
 * const file: WritableLike<string> = createWriteStream("rows.ndjson");
 * ```
 */
export interface WritableLike<T> {
  /** Writes one chunk; `false` means "wait for `'drain'`". */
  write(chunk: T): boolean;
  /** Ends the stream (`'finish'` follows). */
  end(): unknown;
  /** Destroys the stream with an error (`'error'` and `'close'` follow). */
  destroy(error?: Error): unknown;
  /** Adds an event listener. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Adds a one-time event listener. */
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Removes an event listener. */
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * A WHATWG `WritableStream`, as {@link drive} takes it: `drive` locks it with `getWriter()`, waits for
 * `writer.ready` when `desiredSize` runs out, closes it at the end and aborts it on a failure. Matched by
 * shape, so any runtime's `WritableStream` (browser, Deno, Bun, Node) works.
 * @example
 * ```ts
 * const collected: string[] = [];
 * const stream: WritableStreamLike<string> = new WritableStream<string>({ write: (chunk) => void collected.push(chunk) });
 * ```
 */
export interface WritableStreamLike<T> {
  /** True while a writer holds the stream: `drive` needs an unlocked one. */
  readonly locked: boolean;
  /** Locks the stream to a new writer. */
  getWriter(): WritableStreamWriterLike<T>;
}

/**
 * The writer of a {@link WritableStreamLike}: a `WritableStreamDefaultWriter`.
 * @example
 * ```ts
 * const writer: WritableStreamWriterLike<string> = new WritableStream<string>().getWriter();
 * await writer.write("a");
 * ```
 */
export interface WritableStreamWriterLike<T> {
  /** Room left in the stream's queue; `null` once it errored. */
  readonly desiredSize: number | null;
  /** Resolves once `desiredSize` is positive again; rejects once the stream errored. */
  readonly ready: PromiseLike<unknown>;
  /** Resolves once the stream closed; rejects once it errored. */
  readonly closed: PromiseLike<unknown>;
  /** Queues a chunk. */
  write(chunk: T): PromiseLike<unknown>;
  /** Closes the stream after the queued chunks. */
  close(): PromiseLike<unknown>;
  /** Errors the stream and drops the queued chunks. */
  abort(reason?: unknown): PromiseLike<unknown>;
  /** Releases the lock. */
  releaseLock(): void;
}

const noop = (): void => {};

/**
 * A sink that can fail on its own, between `drive`'s calls. `drive` calls `watch` once, before the first
 * write, and the function it returns once, when it settles. @internal
 */
export abstract class WatchedSink<T> implements DriveSink<T> {
  abstract write(value: T): unknown;
  abstract waitForDrain(signal: AbortSignal): PromiseLike<unknown>;
  abstract end(): unknown;
  abstract fail(error: unknown): unknown;
  /** Calls `onFailure` (at most once) if the destination fails on its own; returns how to stop watching. */
  abstract watch(onFailure: (error: unknown) => void): () => void;
}

/**
 * Adapts `sink` when it is a Node `Writable` (a grpc-js call included) or a WHATWG `WritableStream`;
 * returns anything else as it is (a {@link DriveSink}, or a wrong argument for `drive` to reject). @internal
 */
export function toDriveSink<T>(sink: DriveSink<T> | WritableLike<T> | WritableStreamLike<T>): DriveSink<T> {
  if (typeof sink !== "object" || sink === null) return sink;
  const shape = sink as unknown as Partial<Record<string, unknown>>;
  if (typeof shape["getWriter"] === "function") {
    if ((sink as WritableStreamLike<T>).locked) throw new InvalidArgumentError("sink", "an unlocked WritableStream (release its writer first)", sink);
    return new WebWritableSink(sink as WritableStreamLike<T>);
  }
  const isWritable = ["write", "end", "destroy", "on", "once", "removeListener"].every((key) => typeof shape[key] === "function");
  if (!isWritable || shape["waitForDrain"] !== undefined) return sink as DriveSink<T>;
  const writable = sink as WritableLike<T>;
  if (typeof shape["getPeer"] === "function") {
    if (typeof shape["cancel"] === "function") return new NodeWritableSink(writable, GrpcRole.Client);
    if (typeof shape["sendMetadata"] === "function") return new NodeWritableSink(writable, GrpcRole.Server);
  }
  return new NodeWritableSink(writable, GrpcRole.None);
}

/** Which end of a grpc-js call a Writable is, if any: it decides how `drive` ends and fails it. */
const GrpcRole = { None: 0, Client: 1, Server: 2 } as const;
type GrpcRole = (typeof GrpcRole)[keyof typeof GrpcRole];

/** A status as grpc-js reports it on a client call's `'status'` event. */
interface StatusLike {
  readonly code: number;
  readonly details: string;
  readonly metadata?: unknown;
}

/**
 * A Node `Writable`: `false` from `write()` waits for `'drain'`; `end()` waits for `'finish'`; a failure of
 * the source destroys it with that error (a grpc-js client call is cancelled instead, a server call ends
 * with the error's status, as grpc-js does for a handler that emits `'error'`).
 */
class NodeWritableSink<T> extends WatchedSink<T> {
  readonly #writable: WritableLike<T>; // the destination
  readonly #role: GrpcRole; // a grpc-js call's end, which changes how it is ended and failed
  #failure: { readonly error: unknown } | undefined; // the destination failed on its own
  #finished = false; // 'finish' was emitted: a 'close' after it is the normal end
  #ending = false; // end() was called: a client call's status after it is the call's own business
  #drained: (() => void) | undefined; // resolves the drain wait in progress; the one 'drain' listener calls it

  constructor(writable: WritableLike<T>, role: GrpcRole) {
    super();
    this.#writable = writable;
    this.#role = role;
  }

  write(value: T): unknown {
    if (this.#failure !== undefined) throw this.#failure.error;
    return this.#writable.write(value);
  }

  waitForDrain(): Promise<void> {
    // One 'drain' listener for the whole drive (see watch), not one per wait: a wait is a promise and nothing more.
    // A failure meanwhile reaches drive through watch, which stops waiting; this promise is then dropped.
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    return new Promise<void>((resolve) => (this.#drained = resolve));
  }

  end(): Promise<void> {
    this.#ending = true;
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    const ended = this.#untilFinished();
    this.#writable.end();
    return ended;
  }

  fail(error: unknown): void {
    // Whatever the destination does now (an 'error' for the error we hand it, a cancelled call's status),
    // nobody may be listening any more: a stray 'error' would be an uncaught exception.
    this.#writable.on("error", noop);
    if (this.#role === GrpcRole.Client) (this.#writable as unknown as { cancel(): void }).cancel();
    else if (this.#role === GrpcRole.Server) (this.#writable as unknown as { emit(event: string, error: unknown): void }).emit("error", error);
    else this.#writable.destroy(asError(error));
  }

  watch(onFailure: (error: unknown) => void): () => void {
    const writable = this.#writable;
    const failed = (error: unknown): void => {
      if (this.#failure !== undefined) return;
      this.#failure = { error };
      onFailure(error);
    };
    const onError = (error: unknown): void => failed(error);
    const onFinish = (): void => void (this.#finished = true);
    const onDrain = (): void => {
      const drained = this.#drained;
      this.#drained = undefined;
      drained?.();
    };
    const onClose = (): void => {
      if (!this.#finished) failed(new Error("Expected the writable to finish, got it closed first (destroyed, or its other end went away)"));
    };
    const onStatus = (status: unknown): void => {
      const { code, details, metadata } = status as StatusLike;
      if (this.#ending && code === 0) return;
      const error = Object.assign(new Error(code === 0 ? "Expected the gRPC call to take every value, got it finished by the server first" : `${code} ${details}`), { code, details, metadata });
      failed(error);
    };
    const onCancelled = (): void => failed(new Error("Expected the gRPC call to take every value, got it cancelled by the client"));
    writable.on("error", onError);
    writable.on("drain", onDrain);
    writable.on("finish", onFinish);
    writable.on("close", onClose);
    if (this.#role === GrpcRole.Client) writable.on("status", onStatus);
    if (this.#role === GrpcRole.Server) writable.on("cancelled", onCancelled);
    const state = writable as unknown as { destroyed?: boolean; errored?: unknown; cancelled?: boolean };
    if (state.errored != null) failed(state.errored);
    else if (state.destroyed === true) onClose();
    else if (state.cancelled === true) onCancelled();
    return () => {
      writable.removeListener("error", onError);
      writable.removeListener("drain", onDrain);
      writable.removeListener("finish", onFinish);
      writable.removeListener("close", onClose);
      writable.removeListener("status", onStatus);
      writable.removeListener("cancelled", onCancelled);
    };
  }

  /** Resolves on 'finish'; a failure meanwhile reaches `drive` through `watch`, which stops waiting. */
  #untilFinished(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    if (this.#finished) return Promise.resolve();
    return new Promise<void>((resolve) => this.#writable.once("finish", () => resolve()));
  }

}

/** A WHATWG `WritableStream`, through one writer: `desiredSize` and `ready` are its backpressure. */
class WebWritableSink<T> extends WatchedSink<T> {
  readonly #stream: WritableStreamLike<T>; // locked by watch(), when the drive starts (not while drive() still checks its arguments)
  #writer!: WritableStreamWriterLike<T>; // holds the stream's lock until drive settles; set by watch(), which drive calls first
  #watching = true; // drive still listens for the stream's own failure

  constructor(stream: WritableStreamLike<T>) {
    super();
    this.#stream = stream;
  }

  write(value: T): boolean {
    const writer = this.#writer;
    // Its failure surfaces through `ready` and `closed`, which drive waits on.
    writer.write(value).then(undefined, noop);
    const room = writer.desiredSize;
    return room !== null && room > 0;
  }

  waitForDrain(): PromiseLike<unknown> {
    return this.#writer.ready;
  }

  end(): PromiseLike<unknown> {
    return this.#writer.close();
  }

  fail(error: unknown): void {
    this.#writer.abort(error).then(undefined, noop);
  }

  watch(onFailure: (error: unknown) => void): () => void {
    this.#writer = this.#stream.getWriter();
    this.#writer.closed.then(noop, (error: unknown) => {
      if (this.#watching) onFailure(error);
    });
    return () => {
      this.#watching = false;
      this.#writer.releaseLock(); // the stream is closed or errored by now; the lock served its purpose
    };
  }
}
