import { Metadata, status as Status } from "@grpc/grpc-js";
import type { Deadline } from "@grpc/grpc-js";
import { GrpcError } from "../grpc-error.js";

/** What every grpc-js server call has that the context uses (grpc-js does not export its `ServerSurfaceCall`). */
export interface ServerSurfaceCall {
  readonly cancelled: boolean;
  readonly metadata: Metadata;
  getPeer(): string;
  getPath(): string;
  getDeadline(): Deadline;
  sendMetadata(metadata: Metadata): void;
  on(event: "cancelled", listener: () => void): unknown;
  removeListener(event: "cancelled", listener: () => void): unknown;
}

/**
 * What a handler written with the adapters receives besides its request(s).
 * @example
 * const SayHello = unary(async (request, ctx) => {
 *   ctx.sendMetadata(headers);                 // optional: sent before the response otherwise
 *   ctx.trailers.set("x-served-by", host);      // sent with the status
 *   const answer = await lookup(request.name, { signal: ctx.signal });
 *   return { message: answer };
 * });
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
