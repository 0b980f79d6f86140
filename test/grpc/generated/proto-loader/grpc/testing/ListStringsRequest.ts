// Original file: test-service.proto


export interface ListStringsRequest {
  'count'?: (number);
  'size'?: (number);
}

export interface ListStringsRequest__Output {
  'count': (number);
  'size': (number);
}
