// sluice: the core push→pull bridge. No dependency on gRPC or Node streams.

// For users
export { channel } from "./channel.js";
export type { Channel } from "./channel.js";
export { pull } from "./pull.js";
export type { Producer } from "./pull.js";
export { subscribe } from "./subscribe.js";
export type { Setup } from "./subscribe.js";
export type { BridgeIterator } from "./bridge-iterator.js";
export type { Sink } from "./sink.js";
export type { Teardown } from "./bridge.js";
export { Overflow } from "./options.js";
export type { BridgeOptions, SourceOptions } from "./options.js";
export { AbortError, ErrorCode, InvalidArgumentError, SluiceError, isAbortError } from "./errors.js";

// For leak checks and integrators
export { configureLeakTracking, openBridges } from "./registry.js";
export type { BridgeInfo, BridgeSnapshot, LeakTrackingOptions } from "./registry.js";
