// Small promise wrappers that record what a client call emitted, in order.
import type * as grpc from "@grpc/grpc-js";

interface UnaryOutcome<T> {
  readonly error: grpc.ServiceError | null;
  readonly value: T | undefined;
  readonly status: grpc.StatusObject;
  readonly metadata: grpc.Metadata | undefined;
  /** Event names in order: `metadata`, `callback`, `status`. */
  readonly events: readonly string[];
}

/** Runs a unary or client-streaming call and resolves on its `'status'` event. */
function settleUnary<T, C extends grpc.ClientUnaryCall | grpc.ClientWritableStream<unknown>>(
  start: (callback: grpc.requestCallback<T>) => C,
  use?: (call: C) => void,
): Promise<UnaryOutcome<T>> {
  return new Promise((resolve) => {
    const events: string[] = [];
    let error: grpc.ServiceError | null = null;
    let value: T | undefined;
    let metadata: grpc.Metadata | undefined;
    const call = start((e, v) => {
      events.push("callback");
      error = e;
      value = v;
    });
    call.on("metadata", (md: grpc.Metadata) => {
      events.push("metadata");
      metadata = md;
    });
    call.on("status", (status: grpc.StatusObject) => {
      events.push("status");
      resolve({ error, value, status, metadata, events });
    });
    use?.(call);
  });
}

interface StreamOutcome<T> {
  readonly messages: readonly T[];
  readonly error: grpc.ServiceError | undefined;
  readonly status: grpc.StatusObject | undefined;
  readonly metadata: grpc.Metadata | undefined;
  /** Event names in order; consecutive `data` events are kept one by one. */
  readonly events: readonly string[];
}

/** Reads a response stream until just after its `'status'`, recording every event. */
function settleStream<T>(stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Promise<StreamOutcome<T>> {
  return new Promise((resolve) => {
    const events: string[] = [];
    const messages: T[] = [];
    let error: grpc.ServiceError | undefined;
    let status: grpc.StatusObject | undefined;
    let metadata: grpc.Metadata | undefined;
    stream.on("metadata", (md: grpc.Metadata) => {
      events.push("metadata");
      metadata = md;
    });
    stream.on("data", (message: T) => {
      events.push("data");
      messages.push(message);
    });
    stream.on("error", (e: grpc.ServiceError) => {
      events.push("error");
      error = e;
    });
    stream.on("status", (s: grpc.StatusObject) => {
      events.push("status");
      status = s;
      // 'end' (if any) follows on a later tick; a duplex whose writable side is open never closes.
      setImmediate(() => resolve({ messages, error, status, metadata, events }));
    });
    stream.on("end", () => events.push("end"));
  });
}

/** Resolves with the next `'data'` message of a stream. */
function nextMessage<T>(stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Promise<T> {
  return new Promise((resolve) => stream.once("data", resolve));
}

/** A promise with its resolver, for handlers that report what they saw. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export { deferred, nextMessage, settleStream, settleUnary };
export type { StreamOutcome, UnaryOutcome };
