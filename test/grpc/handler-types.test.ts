// The handler adapters and createInProcessClient's `implementation`, typed against the code ts-proto and
// proto-loader-gen-types generate (test/grpc/generated/): the adapters take their message types from the
// slot they are assigned to, and an implementation is checked against its service. Compile-time checks
// (`npm run typecheck` covers test/), restated with expectTypeOf.
import type * as grpc from "@grpc/grpc-js";
import { describe, expectTypeOf, it } from "vitest";
import type { BridgeIterator } from "../../src/core/index.js";
import { bidi, clientStreaming, createInProcessClient, serverStreaming, unary } from "../../src/grpc/index.js";
import type { ServiceClientConstructor, UntypedClient } from "../../src/grpc/index.js";
import { TestService } from "./fixtures/test-service.js";
import type { TestServiceClient } from "./fixtures/test-service.js";
import type { GreeterClient as LoaderGreeterClient, GreeterDefinition, GreeterHandlers } from "./generated/proto-loader/example/Greeter.js";
import type { HelloRequest__Output } from "./generated/proto-loader/example/HelloRequest.js";
import type { ProtoGrpcType } from "./generated/proto-loader/greeter.js";
import { GreeterClient } from "./generated/ts-proto/greeter.js";
import type { GreeterServer, HelloRequest } from "./generated/ts-proto/greeter.js";

/** A ProtoGrpcType's Greeter class, as `loadPackageDefinition(…) as unknown as ProtoGrpcType` gives it. */
declare const LoaderGreeter: ProtoGrpcType["example"]["Greeter"];

describe("adapters take their types from the slot", () => {
  it("ts-proto's GreeterServer", () => {
    const implementation: GreeterServer = {
      sayHello: unary(async (request, ctx) => {
        expectTypeOf(request).toEqualTypeOf<HelloRequest>();
        expectTypeOf(ctx.call.request).toEqualTypeOf<HelloRequest>();
        return { message: `hello ${request.name}`, last: false };
      }),
      sayHelloStream: serverStreaming(async function* (request) {
        expectTypeOf(request).toEqualTypeOf<HelloRequest>();
        yield { message: request.name, last: true };
      }),
      countHellos: clientStreaming(async (requests) => {
        expectTypeOf(requests).toEqualTypeOf<BridgeIterator<HelloRequest>>();
        let count = 0;
        for await (const _ of requests) count += 1;
        return { count };
      }),
      chat: bidi(async function* (requests) {
        for await (const { name } of requests) yield { message: name, last: false };
      }),
    };
    expectTypeOf(implementation.sayHello).toEqualTypeOf<GreeterServer["sayHello"]>();
  });

  it("proto-loader-gen-types' GreeterHandlers: output messages in, input messages (all fields optional) out", () => {
    const implementation: GreeterHandlers = {
      SayHello: unary(async (request) => {
        expectTypeOf(request).toEqualTypeOf<HelloRequest__Output>();
        return { message: `hello ${request.name}` };
      }),
      SayHelloStream: serverStreaming(async function* ({ name }) {
        yield { message: name };
      }),
      CountHellos: clientStreaming(async () => ({})),
      Chat: bidi(async function* (requests) {
        for await (const request of requests) yield { message: request.name };
      }),
    };
    expectTypeOf(implementation).toMatchTypeOf<grpc.UntypedServiceImplementation>();
  });
});

describe("createInProcessClient checks the implementation against the service", () => {
  it("ts-proto: handlers typed from the service definition, the client's own type back", () => {
    const client = createInProcessClient(GreeterClient, {
      sayHello: unary(async (request) => {
        expectTypeOf(request).toEqualTypeOf<HelloRequest>();
        return { message: request.name, last: false };
      }),
    });
    expectTypeOf(client).toEqualTypeOf<GreeterClient>();
    client.close();
  });

  it("proto-loader-gen-types: under the method's name or its original (camelCase) name", () => {
    expectTypeOf(createInProcessClient<LoaderGreeterClient, GreeterDefinition>).toBeFunction();
    const byName = (): LoaderGreeterClient =>
      createInProcessClient(LoaderGreeter, {
        SayHello: unary(async (request) => {
          expectTypeOf(request).toEqualTypeOf<HelloRequest__Output>();
          return { message: request.name };
        }),
      });
    const byOriginalName = (): LoaderGreeterClient =>
      createInProcessClient(LoaderGreeter, { sayHelloStream: serverStreaming(async function* ({ name }) { yield { message: name }; }) });
    const generatedHandlers = (handlers: GreeterHandlers): LoaderGreeterClient => createInProcessClient(LoaderGreeter, handlers);
    expectTypeOf(byName).returns.toEqualTypeOf<LoaderGreeterClient>();
    expectTypeOf(byOriginalName).returns.toEqualTypeOf<LoaderGreeterClient>();
    expectTypeOf(generatedHandlers).returns.toEqualTypeOf<LoaderGreeterClient>();
  });

  it("a hand-written client with an untyped definition: handlers typed from the client's methods", () => {
    const client = createInProcessClient(TestService, {
      EmptyCall: unary(async () => ({})),
      listStrings: serverStreaming(async function* ({ count = 0 }) {
        for (let i = 0; i < count; i++) yield { value: String(i) };
      }),
    });
    expectTypeOf(client).toEqualTypeOf<TestServiceClient>();
    client.close();
  });

  it("an untyped client class: anything goes at compile time (the run-time check still applies)", () => {
    const untyped = (Untyped: grpc.ServiceClientConstructor): grpc.Client => createInProcessClient(Untyped, { Whatever: () => undefined });
    const shaped = (Untyped: ServiceClientConstructor<UntypedClient<{ SayHello: "unary" }>>): grpc.Client =>
      createInProcessClient(Untyped, { SayHello: unary(async (request) => request) });
    expectTypeOf(untyped).returns.toEqualTypeOf<grpc.Client>();
    expectTypeOf(shaped).returns.toEqualTypeOf<grpc.Client>();
  });
});

// The mistakes the types catch. Each line must fail to compile: an unused @ts-expect-error is itself an
// error, so `npm run typecheck` fails if one of them starts compiling.
export function mistakes(): void {
  // @ts-expect-error a misspelt method name (ts-proto).
  createInProcessClient(GreeterClient, { sayHelo: unary(async () => ({ message: "", last: false })) });
  // @ts-expect-error a misspelt method name (proto-loader-gen-types).
  createInProcessClient(LoaderGreeter, { SayHelo: unary(async () => ({ message: "" })) });
  // @ts-expect-error a handler of the wrong shape: sayHello is unary.
  createInProcessClient(GreeterClient, { sayHello: serverStreaming(async function* () { yield { message: "", last: false }; }) });
  // @ts-expect-error a handler of the wrong shape, by original name: Chat is bidi.
  createInProcessClient(LoaderGreeter, { chat: clientStreaming(async () => ({ message: "" })) });
  // @ts-expect-error a response of the wrong type.
  createInProcessClient(GreeterClient, { sayHello: unary(async () => ({ mesage: "" })) });
  // @ts-expect-error a request field that does not exist.
  createInProcessClient(LoaderGreeter, { SayHello: unary(async (request) => ({ message: request.nam })) });
  // @ts-expect-error a misspelt method name (hand-written client).
  createInProcessClient(TestService, { EmptyCal: unary(async () => ({})) });
  const handlers: GreeterServer = {
    // @ts-expect-error a wrong response type in a ts-proto GreeterServer slot.
    sayHello: unary(async () => ({ message: 1, last: false })),
    sayHelloStream: serverStreaming(async function* () {}),
    countHellos: clientStreaming(async () => ({ count: 0 })),
    chat: bidi(async function* () {}),
  };
  void handlers;
}
