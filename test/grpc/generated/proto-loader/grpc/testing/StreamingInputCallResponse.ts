// Original file: test-service.proto


export interface StreamingInputCallResponse {
  'aggregated_payload_size'?: (number);
}

export interface StreamingInputCallResponse__Output {
  'aggregated_payload_size': (number);
}
