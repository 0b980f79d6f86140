// Original file: test-service.proto


export interface EchoStatus {
  'code'?: (number);
  'message'?: (string);
}

export interface EchoStatus__Output {
  'code': (number);
  'message': (string);
}
