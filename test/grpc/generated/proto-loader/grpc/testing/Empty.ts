// Original file: test-service.proto


export interface Empty {
}

export interface Empty__Output {
}
