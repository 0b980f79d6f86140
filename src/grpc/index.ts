// sluice/grpc: call a grpc-js service implementation in-process through its own client class.

// For users.
export { createInProcessClient } from "./in-process-client.js";
export type { InProcessClientOptions, InProcessServerOptions, ServiceClientConstructor } from "./in-process-client.js";
export type { MessageMode } from "./message-modes.js";
