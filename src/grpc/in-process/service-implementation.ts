import type { Client, handleBidiStreamingCall, handleClientStreamingCall, handleServerStreamingCall, handleUnaryCall } from "@grpc/grpc-js";
import type { CallShape, ShapeOfClientMethod } from "../call-shape.js";

/** The grpc-js handler type of a call shape (any of the four when the shape is unknown). */
type HandlerOf<Shape extends CallShape, Req, Res> = {
  unary: handleUnaryCall<Req, Res>;
  serverStreaming: handleServerStreamingCall<Req, Res>;
  clientStreaming: handleClientStreamingCall<Req, Res>;
  bidi: handleBidiStreamingCall<Req, Res>;
}[Shape];

/** `Fallback` when `T` is `never`. */
type Or<T, Fallback> = [T] extends [never] ? Fallback : T;

/**
 * The call shape a method definition states in its flags, when they are literal types (ts-proto writes
 * `requestStream: true as const`); `never` when they are plain booleans (proto-loader-gen-types).
 */
type ShapeOfDefinition<D> = D extends { readonly requestStream: infer Q; readonly responseStream: infer R }
  ? [Q, R] extends [false, false]
    ? "unary"
    : [Q, R] extends [false, true]
      ? "serverStreaming"
      : [Q, R] extends [true, false]
        ? "clientStreaming"
        : [Q, R] extends [true, true]
          ? "bidi"
          : never
  : never;

/** What the server side reads: the type `requestDeserialize` gives (`unknown` if untyped). */
type RequestOf<D> = D extends { requestDeserialize: (bytes: Buffer) => infer Req } ? Req : unknown;
/** What the server side writes: the type `responseSerialize` takes. */
type ResponseOf<D> = D extends { responseSerialize: (value: infer Res) => unknown } ? Res : unknown;

/**
 * The keys `T` names, without its index signatures: proto-loader-gen-types' `GreeterDefinition` extends
 * `grpc.ServiceDefinition`, so it has both; an untyped definition has only the index signature.
 */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** The methods of client type `C`: its own members that have a call shape (grpc-js's `Client` members excluded). */
type ClientMethodNames<C> = { [K in Exclude<keyof C, keyof Client>]: [ShapeOfClientMethod<C[K]>] extends [never] ? never : K }[Exclude<keyof C, keyof Client>];

/** The methods an implementation may name: the definition's, and any other method of the client (a hand-written client with an untyped definition). */
type MethodNames<C, S> = KnownKeys<S> | Exclude<ClientMethodNames<C>, KnownKeys<S> | Uncapitalize<KnownKeys<S> & string>>;

/** The definition of method `K` (`MethodDefinition<any, any>` for an untyped definition). */
type DefinitionOf<S, K> = K extends keyof S ? S[K] : unknown;

/**
 * The handler of method `K`: its shape from the definition's flags, or else from the client's method;
 * its messages from the definition's (de)serializers. The messages never come from the client's
 * types: while TypeScript infers `C` and `S` it may read this type before `S` is known, and a message
 * type taken from the client then would stick to the adapters' inferred types.
 */
type MethodHandler<C, S, K> =
  | HandlerOf<
      Or<ShapeOfDefinition<DefinitionOf<S, K>>, Or<K extends keyof C ? ShapeOfClientMethod<C[K]> : never, CallShape>>,
      RequestOf<DefinitionOf<S, K>>,
      ResponseOf<DefinitionOf<S, K>>
    >
  | undefined;

/**
 * The `implementation` that {@link createInProcessClient} accepts for client type `C` and service
 * definition type `S`: what `server.addService(S, …)` would run, checked.
 *
 * - A typed definition (ts-proto's `GreeterService`, proto-loader-gen-types' `GreeterDefinition`): one
 *   optional handler per method, under its name or its camelCase original name, whose shape comes from
 *   the definition's flags or the client's method, and whose messages are those of the definition's
 *   (de)serializers: the request as the server reads it, the response as the server writes it. These are
 *   the types of ts-proto's `GreeterServer` and proto-loader-gen-types' `GreeterHandlers`.
 * - An untyped definition but a typed client (hand-written, or an {@link UntypedClient}): one optional
 *   handler per method of the client, of that method's shape; messages are not checked (`any`, as
 *   `grpc.UntypedServiceImplementation` has them).
 * - Neither typed (`grpc.ServiceClientConstructor`): any object; only the run-time check applies.
 *
 * A missing (or `undefined`) handler answers UNIMPLEMENTED, as with `grpc.Server`.
 * @example
 * ```ts
 * const implementation: ServiceImplementation<GreeterClient, GreeterDefinition> = {
 *   SayHello: unary(async ({ name }) => ({ message: `hello ${name}` })), // request and reply typed from the slot
 * };
 * ```
 */
export type ServiceImplementation<C, S> = { readonly [K in MethodNames<C, S>]?: MethodHandler<C, S, K> } & {
  readonly [K in MethodNames<C, S> as K extends string ? Uncapitalize<K> : never]?: MethodHandler<C, S, K>;
};
