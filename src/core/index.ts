/**
 * The core: push→pull bridges (`channel`, `pull`, `subscribe`), pull→push (`drive`), combinators
 * (`merge`, `broadcast`, `mapConcurrent`, `batches`, `deadline`, `timeout`), errors and the leak registry.
 *
 * Every bridge follows one contract (docs/semantics.md): values in push order, concurrent `next()`
 * calls settled in call order, an idempotent stop that settles everything at once and runs teardown
 * exactly once, backpressure through `send()`/`ready()`, and cancellation through `signal`. No
 * dependency on gRPC or Node streams.
 * @example
 * ```ts
 * import { subscribe } from "sluice";
 * const ticks = subscribe<number>((sink) => {
 *   const timer = setInterval(() => sink.push(Date.now()), 100);
 *   return () => clearInterval(timer); // runs exactly once, however the loop ends
 * });
 * let seen = 0;
 * for await (const t of ticks) if (++seen === 10) break; // stops the bridge: the interval is cleared
 * ```
 * @module sluice
 */

// For users
export { channel } from "./channel.js";
export type { Channel } from "./channel.js";
export { pull } from "./pull.js";
export type { Producer } from "./pull.js";
export { subscribe } from "./subscribe.js";
export type { Setup } from "./subscribe.js";
export { on } from "./on.js";
export type { EventEmitterLike, EventTargetLike, OnOptions } from "./on.js";
export type { BridgeIterator } from "./bridge-iterator.js";
export type { Sink } from "./sink.js";
export type { Teardown } from "./bridge.js";
export { Overflow } from "./options.js";
export type { BridgeOptions, SourceOptions } from "./options.js";
export { drive } from "./drive.js";
export type { DriveOptions, DriveSink } from "./drive.js";
export type { WritableLike, WritableStreamLike, WritableStreamWriterLike } from "./drive-targets.js";
export { fromReadableStream } from "./from-readable-stream.js";
export { toReadableStream } from "./to-readable-stream.js";
export type { ToReadableStreamOptions } from "./to-readable-stream.js";
export { merge } from "./merge.js";
export { broadcast } from "./broadcast.js";
export type { Broadcast, BroadcastOptions } from "./broadcast.js";
export { mapConcurrent } from "./map-concurrent.js";
export type { MapConcurrentOptions } from "./map-concurrent.js";
export { batches } from "./batches.js";
export type { BatchIterator, BatchesOptions } from "./batches.js";
export { deadline } from "./deadline.js";
export { timeout } from "./timeout.js";
export { AbortError, ErrorCode, InvalidArgumentError, SluiceError, isAbortError } from "./errors.js";

// For leak checks and integrators
export { configureLeakTracking, openBridges } from "./registry.js";
export type { BridgeInfo, BridgeSnapshot, LeakTrackingOptions } from "./registry.js";
