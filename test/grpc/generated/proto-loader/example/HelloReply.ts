// Original file: greeter.proto


export interface HelloReply {
  'message'?: (string);
  'last'?: (boolean);
}

export interface HelloReply__Output {
  'message': (string);
  'last': (boolean);
}
