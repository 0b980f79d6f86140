// Original file: test-service.proto

import type { Payload as _grpc_testing_Payload, Payload__Output as _grpc_testing_Payload__Output } from '../../grpc/testing/Payload.js';
import type { Long } from '@grpc/proto-loader';

export interface SimpleResponse {
  'payload'?: (_grpc_testing_Payload | null);
  'username'?: (string);
  'request_id'?: (number | string | Long);
}

export interface SimpleResponse__Output {
  'payload': (_grpc_testing_Payload__Output | null);
  'username': (string);
  'request_id': (string);
}
