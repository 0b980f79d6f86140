/**
 * The names the API examples use without defining them, typed like the real thing, so that the examples
 * type-check (scripts/api-docs/examples.ts) and still read like the code you would write. Declarations
 * only: nothing here runs, and nothing imports this file but the example checker.
 */
import type * as grpc from "@grpc/grpc-js";
import type { MethodDefinition, PackageDefinition } from "@grpc/proto-loader";
import type { Socket } from "node:net";
import type { Interface as ReadLine } from "node:readline";
import type { Writable } from "node:stream";
import type { BridgeIterator } from "../../src/core/index.js";

// ---- A gRPC service with one method of each kind, typed as proto-loader-gen-types generates it. ----

/** `message HelloRequest { string name = 1; }` */
export interface HelloRequest {
  name: string;
}
/** `message HelloReply { string message = 1; bool last = 2; }` */
export interface HelloReply {
  message: string;
  last?: boolean;
}
/** `message HelloCount { int32 count = 1; }` */
export interface HelloCount {
  count: number;
}

/**
 * ```proto
 * service Greeter {
 *   rpc SayHello (HelloRequest) returns (HelloReply);
 *   rpc SayHelloStream (HelloRequest) returns (stream HelloReply);
 *   rpc CountHellos (stream HelloRequest) returns (HelloCount);
 *   rpc Chat (stream HelloRequest) returns (stream HelloReply);
 * }
 * ```
 */
export interface GreeterClient extends grpc.Client {
  SayHello(request: HelloRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<HelloReply>): grpc.ClientUnaryCall;
  SayHello(request: HelloRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<HelloReply>): grpc.ClientUnaryCall;
  SayHello(request: HelloRequest, options: grpc.CallOptions, callback: grpc.requestCallback<HelloReply>): grpc.ClientUnaryCall;
  SayHello(request: HelloRequest, callback: grpc.requestCallback<HelloReply>): grpc.ClientUnaryCall;
  SayHelloStream(request: HelloRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<HelloReply>;
  SayHelloStream(request: HelloRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<HelloReply>;
  CountHellos(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<HelloCount>): grpc.ClientWritableStream<HelloRequest>;
  CountHellos(metadata: grpc.Metadata, callback: grpc.requestCallback<HelloCount>): grpc.ClientWritableStream<HelloRequest>;
  CountHellos(options: grpc.CallOptions, callback: grpc.requestCallback<HelloCount>): grpc.ClientWritableStream<HelloRequest>;
  CountHellos(callback: grpc.requestCallback<HelloCount>): grpc.ClientWritableStream<HelloRequest>;
  Chat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<HelloRequest, HelloReply>;
  Chat(options?: grpc.CallOptions): grpc.ClientDuplexStream<HelloRequest, HelloReply>;
}

/** The handlers of the Greeter service, as `server.addService(Greeter.service, handlers)` takes them. */
export interface GreeterHandlers extends grpc.UntypedServiceImplementation {
  SayHello: grpc.handleUnaryCall<HelloRequest, HelloReply>;
  SayHelloStream: grpc.handleServerStreamingCall<HelloRequest, HelloReply>;
  CountHellos: grpc.handleClientStreamingCall<HelloRequest, HelloCount>;
  Chat: grpc.handleBidiStreamingCall<HelloRequest, HelloReply>;
}

/** The Greeter service definition, typed as proto-loader-gen-types writes it (`server.addService(Greeter.service, …)`). */
export interface GreeterDefinition extends grpc.ServiceDefinition {
  SayHello: MethodDefinition<HelloRequest, HelloReply>;
  SayHelloStream: MethodDefinition<HelloRequest, HelloReply>;
  CountHellos: MethodDefinition<HelloRequest, HelloCount>;
  Chat: MethodDefinition<HelloRequest, HelloReply>;
}

/** The Greeter client class (`proto.example.Greeter` of proto-loader-gen-types' `ProtoGrpcType`). */
export declare const Greeter: (new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => GreeterClient) & {
  readonly service: GreeterDefinition;
};
/** What proto-loader-gen-types writes for greeter.proto: the package's classes, typed. */
export interface ProtoGrpcType {
  example: { Greeter: typeof Greeter };
}
/** `protoLoader.loadSync("greeter.proto")`. */
export declare const definition: PackageDefinition;
/** A Greeter client connected to a remote server. */
export declare const greeter: GreeterClient;
/** A Greeter implementation. */
export declare const handlers: GreeterHandlers;
/** A `grpc.Server`, bound or not. */
export declare const server: grpc.Server;

// ---- Data sources and destinations. ----

/** A database row. */
export interface Row {
  readonly id: number;
  readonly name: string;
}
/** Rows from a database cursor. */
export declare const rows: AsyncIterable<Row>;
/** A database. */
export declare const db: {
  insertMany(rows: readonly Row[]): Promise<void>;
  find(id: string): Promise<Row | undefined>;
  /** Calls `onChange` for every changed row until the feed is closed. */
  watch(onChange: (row: Row) => void): { close(): Promise<void> };
};
/** Changed rows, as a sluice bridge (`subscribe((sink) => …db.watch(sink.push)…)`). */
export declare const changes: BridgeIterator<Row>;
/** A file being written. */
export declare const file: Writable;
/** A readline interface (`readline.createInterface({ input })`). */
export declare const rl: ReadLine;
/** A TCP connection. */
export declare const socket: Socket;
/** Addresses to fetch. */
export declare const urls: AsyncIterable<string>;
/** Chunks of bytes from somewhere (a file, a socket, a generator). */
export declare const chunks: AsyncIterable<Uint8Array>;

/** One page of a paginated HTTP API. */
export interface Page {
  readonly rows: readonly Row[];
  readonly next: string | undefined;
}
/** Fetches one page. */
export declare function fetchPage(url: string, options: { signal: AbortSignal }): Promise<Page>;

/** A user-interface event. */
export interface UiEvent {
  readonly type: string;
  readonly at: number;
}
/** Streams of UI events. */
export declare const clicks: AsyncIterable<UiEvent>;
export declare const keys: AsyncIterable<UiEvent>;
/** Draws an event. */
export declare function render(event: UiEvent): void;
