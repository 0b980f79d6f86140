// Original file: greeter.proto


export interface HelloCount {
  'count'?: (number);
}

export interface HelloCount__Output {
  'count': (number);
}
