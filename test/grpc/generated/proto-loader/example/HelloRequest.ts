// Original file: greeter.proto


export interface HelloRequest {
  'name'?: (string);
}

export interface HelloRequest__Output {
  'name': (string);
}
