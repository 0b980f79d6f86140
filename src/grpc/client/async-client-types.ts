import type { Client, ClientDuplexStream, ClientReadableStream, ClientUnaryCall, ClientWritableStream, requestCallback } from "@grpc/grpc-js";
import type { BridgeIterator } from "../../core/index.js";
import type { AsyncCallOptions } from "./async-call-options.js";

/**
 * The promise/iterator form of one grpc-js client method, by its call shape (read from the method's
 * last overload): what each method of an {@link AsyncClient} is.
 * @example
 * ```ts
 * // (requests: AsyncIterable<HelloRequest> | Iterable<HelloRequest>, options?) => BridgeIterator<HelloReply>
 * const chat: AsyncMethod<GreeterClient["Chat"]> = asyncClient(greeter).Chat;
 * ```
 */
export type AsyncMethod<M> =
  M extends (...args: infer A) => ClientDuplexStream<infer Req, infer Res>
    ? A extends readonly unknown[]
      ? (requests: AsyncIterable<Req> | Iterable<Req>, options?: AsyncCallOptions) => BridgeIterator<Res>
      : never
    : M extends (...args: infer A) => ClientReadableStream<infer Res>
      ? (request: A[0], options?: AsyncCallOptions) => BridgeIterator<Res>
      : M extends (...args: infer A) => ClientWritableStream<infer Req>
        ? A extends [...unknown[], requestCallback<infer Res>]
          ? (requests: AsyncIterable<Req> | Iterable<Req>, options?: AsyncCallOptions) => Promise<Res>
          : never
        : M extends (...args: infer A) => ClientUnaryCall
          ? A extends [infer Req, ...unknown[], requestCallback<infer Res>]
            ? (request: Req, options?: AsyncCallOptions) => Promise<Res>
            : never
          : never;

/**
 * The promise/async-iterable face of a grpc-js client: the same method names, typed from the client's
 * own method signatures (their last overload). Messages are `unknown` for untyped clients.
 * @example
 * ```ts
 * const api: AsyncClient<GreeterClient> = asyncClient(greeter);
 * const reply: HelloReply = await api.SayHello({ name: "x" }); // unary
 * const total: HelloCount = await api.CountHellos([{ name: "a" }, { name: "b" }]); // client-streaming
 * for await (const r of api.SayHelloStream({ name: "x" })) console.log(r.message); // server-streaming
 * for await (const r of api.Chat([{ name: "a" }])) console.log(r.message); // bidi
 * ```
 */
export type AsyncClient<C> = {
  readonly [K in Exclude<keyof C, keyof Client> as AsyncMethod<C[K]> extends never ? never : K]: AsyncMethod<C[K]>;
};

/**
 * An untyped client: every method of its service, messages `unknown`. What {@link asyncClient} returns
 * for a client typed only as `grpc.Client` (as `loadPackageDefinition` gives it).
 * @example
 * ```ts
 * const api: UntypedAsyncClient = asyncClient(greeter as grpc.Client);
 * const sayHello = api["SayHello"]; // one of the four call shapes: cast the client to its interface instead
 * ```
 */
export interface UntypedAsyncClient {
  readonly [method: string]:
    | ((request: unknown, options?: AsyncCallOptions) => Promise<unknown>)
    | ((request: unknown, options?: AsyncCallOptions) => BridgeIterator<unknown>)
    | ((requests: AsyncIterable<unknown> | Iterable<unknown>, options?: AsyncCallOptions) => Promise<unknown>)
    | ((requests: AsyncIterable<unknown> | Iterable<unknown>, options?: AsyncCallOptions) => BridgeIterator<unknown>);
}
