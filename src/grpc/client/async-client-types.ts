import type { Client } from "@grpc/grpc-js";
import type { BridgeIterator } from "../../core/index.js";
import type { RequestOfClientMethod, ResponseOfClientMethod, ShapeOfClientMethod } from "../call-shape.js";
import type { AsyncCallOptions } from "./async-call-options.js";

/** The promise/iterator form of each call shape. */
interface AsyncForms<Req, Res> {
  unary: (request: Req, options?: AsyncCallOptions) => Promise<Res>;
  serverStreaming: (request: Req, options?: AsyncCallOptions) => BridgeIterator<Res>;
  clientStreaming: (requests: AsyncIterable<Req> | Iterable<Req>, options?: AsyncCallOptions) => Promise<Res>;
  bidi: (requests: AsyncIterable<Req> | Iterable<Req>, options?: AsyncCallOptions) => BridgeIterator<Res>;
}

/**
 * The promise/iterator form of one grpc-js client method, by its call shape (read from the method's
 * last overload: what it returns, and for unary and client-streaming methods the callback it takes
 * last). Works with the clients of proto-loader-gen-types, ts-proto (`outputServices=grpc-js`) and
 * hand-written ones; `never` for anything that is not a client method.
 * @example
 * ```ts
 * // (requests: AsyncIterable<HelloRequest> | Iterable<HelloRequest>, options?) => BridgeIterator<HelloReply>
 * const chat: AsyncMethod<GreeterClient["Chat"]> = asyncClient(greeter).Chat;
 * ```
 */
export type AsyncMethod<M> = AsyncForms<RequestOfClientMethod<M>, ResponseOfClientMethod<M>>[ShapeOfClientMethod<M>];

/**
 * The promise/async-iterable face of a grpc-js client: the same method names, typed from the client's
 * own method signatures (their last overload). A client whose methods are not typed (grpc-js's
 * `ServiceClient`, as `loadPackageDefinition` gives it, or a bare `grpc.Client`) gives an
 * {@link UntypedAsyncClient}; cast it to an {@link UntypedClient} to have each method's call shape.
 * @example
 * ```ts
 * const api: AsyncClient<GreeterClient> = asyncClient(greeter);
 * const reply: HelloReply = await api.SayHello({ name: "x" }); // unary
 * const total: HelloCount = await api.CountHellos([{ name: "a" }, { name: "b" }]); // client-streaming
 * for await (const r of api.SayHelloStream({ name: "x" })) console.log(r.message); // server-streaming
 * for await (const r of api.Chat([{ name: "a" }])) console.log(r.message); // bidi
 * ```
 */
export type AsyncClient<C> = string extends keyof C
  ? UntypedAsyncClient
  : { readonly [K in Exclude<keyof C, keyof Client> as [ShapeOfClientMethod<C[K]>] extends [never] ? never : K]: AsyncMethod<C[K]> };

/**
 * What {@link asyncClient} returns for a client whose methods it cannot type: grpc-js's `ServiceClient`
 * (what `new Greeter(…)` gives when `Greeter` came from `loadPackageDefinition` and was cast to
 * `grpc.ServiceClientConstructor`) or a bare `grpc.Client`. Every method takes a request (or, for a
 * streaming-request method, any iterable of requests) and gives a promise (unary, client-streaming) or
 * a {@link sluice!BridgeIterator} (server-streaming, bidi); messages are `unknown`.
 *
 * **Gotcha:** nothing here knows a method's call shape, so the result must be narrowed before
 * `for await`. To have the shapes, cast the client to an {@link UntypedClient} (or to generated types).
 * @example
 * ```ts
 * const Untyped = (grpc.loadPackageDefinition(definition)["example"] as grpc.GrpcObject)["Greeter"] as grpc.ServiceClientConstructor;
 * const api: UntypedAsyncClient = asyncClient(new Untyped("localhost:50051", grpc.credentials.createInsecure()));
 * const reply: unknown = await api["SayHello"]?.({ name: "x" }); // unary: a promise
 * ```
 */
export interface UntypedAsyncClient {
  readonly [method: string]: UntypedAsyncMethod;
}

/**
 * One method of an {@link UntypedAsyncClient}: a call of any shape, messages `unknown`.
 * @example
 * ```ts
 * const call: UntypedAsyncMethod | undefined = asyncClient(greeter as grpc.Client)["SayHello"];
 * const reply: unknown = await call?.({ name: "x" }, { deadline: Date.now() + 1_000 });
 * ```
 */
export type UntypedAsyncMethod = (request: unknown, options?: AsyncCallOptions) => Promise<unknown> | BridgeIterator<unknown>;
