// asyncClient's types, for the two client shapes in use: hand-written overloads (last overload with
// metadata and options) and proto-loader-gen-types (last overload `(argument, callback)`).
import type * as grpc from "@grpc/grpc-js";
import { describe, expectTypeOf, it } from "vitest";
import type { BridgeIterator } from "../../src/core/index.js";
import type { AsyncCallOptions, AsyncClient, UntypedAsyncClient, asyncClient } from "../../src/grpc/index.js";
import type { SimpleResponse, TestServiceClient } from "./fixtures/test-service.js";

interface Req {
  id: string;
}
interface Res {
  name: string;
}

/** The shape proto-loader-gen-types writes. */
interface GeneratedClient extends grpc.Client {
  Get(argument: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>): grpc.ClientUnaryCall;
  Get(argument: Req, callback: grpc.requestCallback<Res>): grpc.ClientUnaryCall;
  List(argument: Req, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<Res>;
  List(argument: Req, options?: grpc.CallOptions): grpc.ClientReadableStream<Res>;
  Put(metadata: grpc.Metadata, callback: grpc.requestCallback<Res>): grpc.ClientWritableStream<Req>;
  Put(callback: grpc.requestCallback<Res>): grpc.ClientWritableStream<Req>;
  Chat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<Req, Res>;
  Chat(options?: grpc.CallOptions): grpc.ClientDuplexStream<Req, Res>;
}

describe("asyncClient types", () => {
  it("maps each call shape of a generated client", () => {
    type Api = AsyncClient<GeneratedClient>;
    expectTypeOf<Api["Get"]>().toEqualTypeOf<(request: Req, options?: AsyncCallOptions) => Promise<Res>>();
    expectTypeOf<Api["List"]>().toEqualTypeOf<(request: Req, options?: AsyncCallOptions) => BridgeIterator<Res>>();
    expectTypeOf<Api["Put"]>().toEqualTypeOf<(requests: AsyncIterable<Req> | Iterable<Req>, options?: AsyncCallOptions) => Promise<Res>>();
    expectTypeOf<Api["Chat"]>().toEqualTypeOf<(requests: AsyncIterable<Req> | Iterable<Req>, options?: AsyncCallOptions) => BridgeIterator<Res>>();
    expectTypeOf<keyof Api>().toEqualTypeOf<"Get" | "List" | "Put" | "Chat">();
  });

  it("maps the hand-written test client and leaves an untyped client untyped", () => {
    type Api = ReturnType<typeof asyncClient<TestServiceClient>>;
    expectTypeOf<Awaited<ReturnType<Api["UnaryCall"]>>>().toEqualTypeOf<SimpleResponse>();
    expectTypeOf<ReturnType<typeof asyncClient<grpc.Client>>>().toEqualTypeOf<UntypedAsyncClient>();
  });
});
