/**
 * grpc-js services as async functions and generators, calls as sluice iterators and promises, and two
 * ways to reach a grpc-js service without a network: in-process, and over an in-memory HTTP/2 pipe.
 *
 * Needs `@grpc/grpc-js` >= 1.11 (an optional peer dependency). Behaviour, differences from grpc-js over
 * TCP and benchmarks: docs/grpc.md.
 * @example
 * ```ts
 * import { asyncClient, createInProcessClient, serverStreaming } from "sluice/grpc";
 * const client = createInProcessClient(Greeter, {
 *   SayHelloStream: serverStreaming<HelloRequest, HelloReply>(async function* ({ name }) {
 *     for (const greeting of ["hello", "hi"]) yield { message: `${greeting} ${name}` };
 *   }),
 * });
 * for await (const reply of asyncClient(client).SayHelloStream({ name: "x" })) console.log(reply.message);
 * ```
 * @module sluice/grpc
 */

// For users: handlers written as async functions and generators.
export { unary } from "./adapters/unary.js";
export { serverStreaming } from "./adapters/server-streaming.js";
export { clientStreaming } from "./adapters/client-streaming.js";
export { bidi } from "./adapters/bidi.js";
export type { CallContext } from "./adapters/call-context.js";
export { GrpcError } from "./grpc-error.js";

// For users: calls as promises and sluice iterators.
export { asyncClient } from "./client/async-client.js";
export type { AsyncCallOptions } from "./client/async-call-options.js";
export type { AsyncClient, UntypedAsyncClient, UntypedAsyncMethod } from "./client/async-client-types.js";
export type { UntypedClient } from "./untyped-client.js";
export type { CallShape } from "./call-shape.js";
export { responses } from "./client/responses.js";
export { sendAll } from "./client/send-all.js";
export type { SendAllOptions } from "./client/send-all.js";

// For users: calling a service without a network.
export { createInProcessClient } from "./in-process/in-process-client.js";
export type { InProcessClientOptions, InProcessServerOptions, ServiceClientConstructor } from "./in-process/in-process-client.js";
export type { ServiceImplementation } from "./in-process/service-implementation.js";
export type { MessageMode } from "./in-process/message-modes.js";
export { createPipeChannel } from "./pipe/create-pipe-channel.js";
export type { PipeChannelOptions } from "./pipe/create-pipe-channel.js";

// For integrators: the shapes the helpers accept and produce, for wrapping them in your own APIs.
export type { AsyncMethod } from "./client/async-client-types.js";
export type { ServerSurfaceCall } from "./adapters/call-context.js";
export type { ResponseCall } from "./client/response-stream.js";
export type { RequestCall } from "./client/send-all.js";
