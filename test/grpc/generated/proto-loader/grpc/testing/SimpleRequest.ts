// Original file: test-service.proto

import type { PayloadType as _grpc_testing_PayloadType, PayloadType__Output as _grpc_testing_PayloadType__Output } from '../../grpc/testing/PayloadType.js';
import type { Payload as _grpc_testing_Payload, Payload__Output as _grpc_testing_Payload__Output } from '../../grpc/testing/Payload.js';
import type { EchoStatus as _grpc_testing_EchoStatus, EchoStatus__Output as _grpc_testing_EchoStatus__Output } from '../../grpc/testing/EchoStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface SimpleRequest {
  'response_type'?: (_grpc_testing_PayloadType);
  'response_size'?: (number);
  'payload'?: (_grpc_testing_Payload | null);
  'fill_username'?: (boolean);
  'response_status'?: (_grpc_testing_EchoStatus | null);
  'request_id'?: (number | string | Long);
  'note'?: (string);
  'weight'?: (number);
  'hint'?: "note"|"weight";
}

export interface SimpleRequest__Output {
  'response_type': (_grpc_testing_PayloadType__Output);
  'response_size': (number);
  'payload': (_grpc_testing_Payload__Output | null);
  'fill_username': (boolean);
  'response_status': (_grpc_testing_EchoStatus__Output | null);
  'request_id': (string);
  'note'?: (string);
  'weight'?: (number);
  'hint'?: "note"|"weight";
}
