import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { GreeterClient as _example_GreeterClient, GreeterDefinition as _example_GreeterDefinition } from './example/Greeter.js';
import type { HelloCount as _example_HelloCount, HelloCount__Output as _example_HelloCount__Output } from './example/HelloCount.js';
import type { HelloReply as _example_HelloReply, HelloReply__Output as _example_HelloReply__Output } from './example/HelloReply.js';
import type { HelloRequest as _example_HelloRequest, HelloRequest__Output as _example_HelloRequest__Output } from './example/HelloRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  example: {
    Greeter: SubtypeConstructor<typeof grpc.Client, _example_GreeterClient> & { service: _example_GreeterDefinition }
    HelloCount: MessageTypeDefinition<_example_HelloCount, _example_HelloCount__Output>
    HelloReply: MessageTypeDefinition<_example_HelloReply, _example_HelloReply__Output>
    HelloRequest: MessageTypeDefinition<_example_HelloRequest, _example_HelloRequest__Output>
  }
}

