import type { CallOptions, Client, ClientDuplexStream, ClientReadableStream, ClientUnaryCall, ClientWritableStream, Metadata, requestCallback } from "@grpc/grpc-js";
import type { CallShape } from "./call-shape.js";

/** One grpc-js client method of the given shape, messages `unknown` (its last overload is the one tools read). */
type UntypedClientMethod<Shape extends CallShape> = {
  unary: (request: unknown, metadata: Metadata, options: CallOptions, callback: requestCallback<unknown>) => ClientUnaryCall;
  serverStreaming: (request: unknown, metadata?: Metadata, options?: CallOptions) => ClientReadableStream<unknown>;
  clientStreaming: (metadata: Metadata, options: CallOptions, callback: requestCallback<unknown>) => ClientWritableStream<unknown>;
  bidi: (metadata?: Metadata, options?: CallOptions) => ClientDuplexStream<unknown, unknown>;
}[Shape];

/**
 * A grpc-js client of a service known only by the call shapes of its methods, messages `unknown`: what
 * to cast an untyped client (from `loadPackageDefinition`) to when there are no generated types, so that
 * {@link asyncClient} gives each method its right form and {@link createInProcessClient} checks the
 * handlers' names and shapes. Only the shapes are a claim of yours: nothing checks them against the
 * service, and a wrong one fails when the method is called.
 * @example
 * ```ts
 * type UntypedGreeter = UntypedClient<{ SayHello: "unary"; SayHelloStream: "serverStreaming"; CountHellos: "clientStreaming"; Chat: "bidi" }>;
 * const Untyped = (grpc.loadPackageDefinition(definition)["example"] as grpc.GrpcObject)["Greeter"] as grpc.ServiceClientConstructor;
 * const api = asyncClient(new Untyped("localhost:50051", grpc.credentials.createInsecure()) as unknown as UntypedGreeter);
 * const reply: unknown = await api.SayHello({ name: "x" });
 * for await (const update of api.SayHelloStream({ name: "x" })) console.log(update);
 * ```
 */
export type UntypedClient<Shapes extends Readonly<Record<string, CallShape>>> = Client & { [K in keyof Shapes]: UntypedClientMethod<Shapes[K]> };
