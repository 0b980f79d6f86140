// Original file: greeter.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HelloCount as _example_HelloCount, HelloCount__Output as _example_HelloCount__Output } from '../example/HelloCount.js';
import type { HelloReply as _example_HelloReply, HelloReply__Output as _example_HelloReply__Output } from '../example/HelloReply.js';
import type { HelloRequest as _example_HelloRequest, HelloRequest__Output as _example_HelloRequest__Output } from '../example/HelloRequest.js';

export interface GreeterClient extends grpc.Client {
  Chat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_example_HelloRequest, _example_HelloReply__Output>;
  Chat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_example_HelloRequest, _example_HelloReply__Output>;
  chat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_example_HelloRequest, _example_HelloReply__Output>;
  chat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_example_HelloRequest, _example_HelloReply__Output>;
  
  CountHellos(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  CountHellos(metadata: grpc.Metadata, callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  CountHellos(options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  CountHellos(callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  countHellos(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  countHellos(metadata: grpc.Metadata, callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  countHellos(options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  countHellos(callback: grpc.requestCallback<_example_HelloCount__Output>): grpc.ClientWritableStream<_example_HelloRequest>;
  
  SayHello(argument: _example_HelloRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  SayHello(argument: _example_HelloRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  SayHello(argument: _example_HelloRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  SayHello(argument: _example_HelloRequest, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  sayHello(argument: _example_HelloRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  sayHello(argument: _example_HelloRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  sayHello(argument: _example_HelloRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  sayHello(argument: _example_HelloRequest, callback: grpc.requestCallback<_example_HelloReply__Output>): grpc.ClientUnaryCall;
  
  SayHelloStream(argument: _example_HelloRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_example_HelloReply__Output>;
  SayHelloStream(argument: _example_HelloRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_example_HelloReply__Output>;
  sayHelloStream(argument: _example_HelloRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_example_HelloReply__Output>;
  sayHelloStream(argument: _example_HelloRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_example_HelloReply__Output>;
  
}

export interface GreeterHandlers extends grpc.UntypedServiceImplementation {
  Chat: grpc.handleBidiStreamingCall<_example_HelloRequest__Output, _example_HelloReply>;
  
  CountHellos: grpc.handleClientStreamingCall<_example_HelloRequest__Output, _example_HelloCount>;
  
  SayHello: grpc.handleUnaryCall<_example_HelloRequest__Output, _example_HelloReply>;
  
  SayHelloStream: grpc.handleServerStreamingCall<_example_HelloRequest__Output, _example_HelloReply>;
  
}

export interface GreeterDefinition extends grpc.ServiceDefinition {
  Chat: MethodDefinition<_example_HelloRequest, _example_HelloReply, _example_HelloRequest__Output, _example_HelloReply__Output>
  CountHellos: MethodDefinition<_example_HelloRequest, _example_HelloCount, _example_HelloRequest__Output, _example_HelloCount__Output>
  SayHello: MethodDefinition<_example_HelloRequest, _example_HelloReply, _example_HelloRequest__Output, _example_HelloReply__Output>
  SayHelloStream: MethodDefinition<_example_HelloRequest, _example_HelloReply, _example_HelloRequest__Output, _example_HelloReply__Output>
}
