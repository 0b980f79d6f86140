import type { BridgeIterator, SourceOptions } from "../../core/index.js";
import { InvalidArgumentError } from "../../core/index.js";
import { responseStream } from "./response-stream.js";
import type { ResponseCall } from "./response-stream.js";

/**
 * Reads a grpc-js response stream (`ClientReadableStream` or `ClientDuplexStream`, remote or
 * in-process) as a sluice iterator whose stop **cancels the call**.
 *
 * With grpc-js alone, breaking out of `for await (const m of call)` destroys the Readable but leaves the
 * call running on the server until its deadline (grpc-node#1238). Here `break`, `return()`, `stop()`,
 * `await using` and an aborted `options.signal` call `call.cancel()` when no status has arrived yet:
 * the handler sees `'cancelled'` at once. A non-OK status makes `next()` reject with the call's
 * `ServiceError` (`code`, `details`, `metadata`) after the responses received before it.
 *
 * It is a bridge of kind `grpc-responses` (leak reports say `grpc-responses "<name>"`), buffering up to
 * `highWaterMark` responses; a full buffer pauses the call, so HTTP/2 flow control reaches the server.
 *
 * Listeners are attached at once (`lazy: false` by default), so a call that fails before the first
 * `next()` is still caught (grpc-js throws an uncaught exception for an `'error'` nobody listens to).
 *
 * **Gotcha:** like every bridge, read it to the end or stop it (`for await` does); the leak checks
 * report one left open.
 * @param call - a call object returned by a grpc-js client method.
 * @param options - `highWaterMark` (default 16), `signal`, `name` (default "grpc-responses"), `lazy` (default false), as for `subscribe`.
 * @throws {@link sluice!InvalidArgumentError} when `call` is not a grpc-js readable call.
 * @example
 * ```ts
 * for await (const reply of responses(greeter.SayHelloStream({ name: "x" }))) {
 *   if (reply.last === true) break; // cancels the call on the server too
 * }
 * ```
 */
export function responses<Res>(call: ResponseCall<Res>, options?: SourceOptions): BridgeIterator<Res> {
  const shape = call as Partial<ResponseCall<Res>> | null;
  const methods = ["on", "once", "removeListener", "pause", "resume", "cancel"] as const;
  if (typeof shape !== "object" || shape === null || !methods.every((key) => typeof shape[key] === "function")) {
    throw new InvalidArgumentError("call", "a grpc-js ClientReadableStream or ClientDuplexStream", call);
  }
  return responseStream({ start: () => call }, { lazy: false, ...options }, responses);
}
