import type { ClientDuplexStream, ClientReadableStream, ClientUnaryCall, ClientWritableStream, requestCallback } from "@grpc/grpc-js";

/**
 * The four call shapes of a gRPC method, named as the handler adapters that write them.
 * @example
 * ```ts
 * const shapes = { SayHello: "unary", SayHelloStream: "serverStreaming" } satisfies Record<string, CallShape>;
 * ```
 */
export type CallShape = "unary" | "serverStreaming" | "clientStreaming" | "bidi";

// What a grpc-js client method's type says about its call, read from its last overload (a conditional
// type sees only that one). Generators differ in their overloads and callbacks but agree on the return
// types: ClientUnaryCall, ClientReadableStream<Res>, ClientWritableStream<Req>, ClientDuplexStream<Req, Res>.
// A duplex stream is also readable and writable, and every stream is also a ClientUnaryCall, so the
// order of the tests matters.

/** The call shape of a client method, from what it returns (`never` for anything else). */
export type ShapeOfClientMethod<M> = M extends (...args: never) => ClientDuplexStream<infer _Req, infer _Res>
  ? "bidi"
  : M extends (...args: never) => ClientReadableStream<infer _Res>
    ? "serverStreaming"
    : M extends (...args: never) => ClientWritableStream<infer _Req>
      ? "clientStreaming"
      : M extends (...args: never) => ClientUnaryCall
        ? "unary"
        : never;

/** The request message a client method sends: its first parameter, or what its request stream takes. */
export type RequestOfClientMethod<M> = M extends (...args: never) => ClientDuplexStream<infer Req, infer _Res>
  ? Req
  : M extends (...args: infer A) => ClientReadableStream<infer _Res>
    ? A[0]
    : M extends (...args: never) => ClientWritableStream<infer Req>
      ? Req
      : M extends (...args: infer A) => ClientUnaryCall
        ? A[0]
        : never;

/** The response message a client method receives: from its response stream, or its callback (the last parameter). */
export type ResponseOfClientMethod<M> = M extends (...args: never) => ClientDuplexStream<infer _Req, infer Res>
  ? Res
  : M extends (...args: never) => ClientReadableStream<infer Res>
    ? Res
    : M extends (...args: infer A) => ClientUnaryCall
      ? A extends readonly [...unknown[], infer Callback]
        ? CallbackResponse<Callback>
        : never
      : never;

/**
 * The message a callback answers with, whichever way its generator spelt it: grpc-js's
 * `requestCallback<T>` (`value?: T`: proto-loader-gen-types, hand-written clients) or
 * `(error, response: T) => void` (ts-proto). The first test must come first: read the second way,
 * `requestCallback<T>` would give `T | undefined`.
 */
type CallbackResponse<F> = F extends requestCallback<infer Res> ? Res : F extends (error: never, response: infer Res) => unknown ? Res : never;
