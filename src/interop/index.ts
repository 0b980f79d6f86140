// sluice/interop: drop-ins and adapters for the it-* / libp2p world. Imports only the core.

// For users
export { pushable } from "./pushable.js";
export type {
  AbortOptions,
  BasePushable,
  BytePushableOptions,
  DoneResult,
  NextResult,
  ObjectPushableOptions,
  Options,
  Pushable,
  PushableV,
  ValueResult,
} from "./pushable.js";
export { pushableV } from "./pushable-v.js";
export { duplex } from "./duplex.js";
export type { DuplexEndpoint, DuplexOptions } from "./duplex.js";
