import { Metadata, status as Status } from "@grpc/grpc-js";
import type { Deadline } from "@grpc/grpc-js";
import { GrpcError } from "../grpc-error.js";

/**
 * What every grpc-js server call has that the context uses (grpc-js does not export its `ServerSurfaceCall`):
 * the common ground of the four call kinds, and the default type of {@link CallContext.call}.
 * @example
 * ```ts
 * // One helper for the context of every call kind.
 * const logCall = (ctx: CallContext<ServerSurfaceCall>): void => console.log(ctx.call.getPath(), ctx.peer);
 * const SayHello = unary<HelloRequest, HelloReply>(async ({ name }, ctx) => {
 *   logCall(ctx);
 *   return { message: `hello ${name}` };
 * });
 * ```
 */
export interface ServerSurfaceCall {
  /** True once the caller cancelled or the deadline passed. */
  readonly cancelled: boolean;
  /** The request metadata. */
  readonly metadata: Metadata;
  /** The caller's address. */
  getPeer(): string;
  /** The method's path, `/package.Service/Method`. */
  getPath(): string;
  /** The call's deadline: a `Date`, a ms epoch, or `Infinity` when the caller set none. */
  getDeadline(): Deadline;
  /** Sends the response headers; only the first call counts. */
  sendMetadata(metadata: Metadata): void;
  /** Listens for `'cancelled'`, which grpc-js (since 1.10) also emits after a call ended normally. */
  on(event: "cancelled", listener: () => void): unknown;
  /** Removes a `'cancelled'` listener. */
  removeListener(event: "cancelled", listener: () => void): unknown;
}

/**
 * What a handler written with the adapters receives besides its request(s).
 * @example
 * ```ts
 * const SayHello = unary<HelloRequest, HelloReply>(async ({ name }, ctx) => {
 *   const headers = new grpc.Metadata();
 *   headers.set("x-region", "eu-west-1");
 *   ctx.sendMetadata(headers); // optional: sent before the response otherwise
 *   ctx.trailers.set("x-served-by", "greeter-1"); // sent with the status, OK or not
 *   const response = await fetch(`https://names.example.com/${name}`, { signal: ctx.signal }); // aborted on cancel
 *   return { message: `hello ${await response.text()}` };
 * });
 * ```
 */
export interface CallContext<Call extends ServerSurfaceCall = ServerSurfaceCall> {
  /** The request metadata (grpc-js gives the handler its own copy). */
  readonly metadata: Metadata;
  /** The call's deadline: a `Date`, a ms epoch, or `Infinity` when the caller set none. */
  readonly deadline: Deadline;
  /**
   * Aborted when the call is over for the handler: the caller cancelled (reason: a `GrpcError`
   * CANCELLED), the deadline passed (reason: a `GrpcError` DEADLINE_EXCEEDED), or the status was
   * sent. Pass it to whatever the handler awaits.
   */
  readonly signal: AbortSignal;
  /** Sends the response headers now. Only the first call counts; otherwise they go before the first message. */
  sendMetadata(metadata: Metadata): void;
  /** Trailing metadata: add to it at any time before the handler finishes; sent with the status (OK or not). */
  readonly trailers: Metadata;
  /** The caller's address as grpc-js reports it (`127.0.0.1:port`, a socket path, `"in-process"`). */
  readonly peer: string;
  /** The raw grpc-js server call, for anything else (`getPath()`, `getAuthContext()`, …). */
  readonly call: Call;
}

/** How early a deadline timer may fire and still count as the deadline. */
const deadlineSlackMs = 10;

/** A context and the one function that ends its lifetime. @internal */
export interface OpenContext<Call extends ServerSurfaceCall> {
  readonly ctx: CallContext<Call>;
  /** Removes the `'cancelled'` listener and aborts the signal (if not yet). Idempotent. */
  finish(): void;
  /** True once the caller cancelled or the deadline passed. */
  readonly cancelled: () => boolean;
}

/** Builds the context of one call and listens for its cancellation. @internal */
export function openContext<Call extends ServerSurfaceCall>(call: Call): OpenContext<Call> {
  const controller = new AbortController();
  let cancelled = false;
  const onCancelled = (): void => {
    if (controller.signal.aborted) return; // grpc-js >= 1.10 also emits 'cancelled' after our own status
    cancelled = true;
    const deadline = call.getDeadline();
    // Timers may fire a millisecond or two before Date.now() reaches the deadline; allow for that.
    const expired = deadline !== Infinity && new Date(deadline).getTime() <= Date.now() + deadlineSlackMs;
    controller.abort(
      expired ? new GrpcError(Status.DEADLINE_EXCEEDED, "Deadline exceeded") : new GrpcError(Status.CANCELLED, "Cancelled by the caller"),
    );
  };
  call.on("cancelled", onCancelled);
  const ctx: CallContext<Call> = {
    metadata: call.metadata,
    deadline: call.getDeadline(),
    signal: controller.signal,
    sendMetadata: (metadata) => call.sendMetadata(metadata),
    trailers: new Metadata(),
    peer: call.getPeer(),
    call,
  };
  if (call.cancelled) onCancelled();
  return {
    ctx,
    cancelled: () => cancelled,
    finish() {
      call.removeListener("cancelled", onCancelled);
      if (!controller.signal.aborted) controller.abort(new GrpcError(Status.CANCELLED, "The call has ended"));
    },
  };
}
