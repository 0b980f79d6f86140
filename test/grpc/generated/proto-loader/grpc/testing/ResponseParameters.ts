// Original file: test-service.proto


export interface ResponseParameters {
  'size'?: (number);
  'interval_us'?: (number);
}

export interface ResponseParameters__Output {
  'size': (number);
  'interval_us': (number);
}
