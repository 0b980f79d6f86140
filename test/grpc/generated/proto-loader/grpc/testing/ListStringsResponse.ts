// Original file: test-service.proto


export interface ListStringsResponse {
  'value'?: (string);
}

export interface ListStringsResponse__Output {
  'value': (string);
}
