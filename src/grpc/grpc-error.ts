import { Metadata, status as Status } from "@grpc/grpc-js";
import { InvalidArgumentError } from "../core/index.js";
import { isInstance } from "../core/errors.js";

/**
 * An error that becomes a gRPC status: throw it from a handler written with the adapters
 * (`unary`, `serverStreaming`, `clientStreaming`, `bidi`) and the caller receives exactly this
 * `code`, `details` and trailing `metadata`.
 *
 * Its fields are the ones of grpc-js's `ServiceError` (`code`, `details`, `metadata`) and its message
 * is written the same way (`"5 NOT_FOUND: no such user"`), so code that reads either works with both.
 *
 * **Gotcha:** only a `GrpcError` chooses the status. Any other error thrown by a handler, including a
 * `ServiceError` of a downstream call you did not catch, ends the call with UNKNOWN "Unknown error" (as
 * grpc-js does for a throwing handler), so internal statuses never leak to callers by accident. Wrap it:
 * `throw new GrpcError(error.code, error.details)` if forwarding is what you mean.
 * @example
 * ```ts
 * import { GrpcError, unary } from "sluice/grpc";
 * const SayHello = unary<HelloRequest, HelloReply>(async ({ name }) => {
 *   const user = await db.find(name);
 *   if (user === undefined) throw new GrpcError(grpc.status.NOT_FOUND, `no user ${name}`);
 *   return { message: `hello ${user.name}` };
 * });
 * ```
 */
export class GrpcError extends Error {
  /** The status code (an integer of grpc-js's `status` enum). */
  readonly code: Status;
  /** The status details, sent to the caller as they are. */
  readonly details: string;
  /** Trailing metadata sent with the status (added to the handler's `ctx.trailers`). */
  readonly metadata: Metadata;

  /**
   * Creates the error; its message is `"<code> <NAME>: <details>"`, as grpc-js writes a `ServiceError`'s.
   * @param code - a status code other than OK.
   * @param details - the text the caller sees as `error.details` (default `""`).
   * @param metadata - trailers sent with the status (default: none, `new Metadata()`).
   * @param options - `cause`, as for `Error`: kept on this side, never sent.
   * @throws {@link sluice!InvalidArgumentError} when `code` is not an integer status code other than OK,
   *   `details` not a string, or `metadata` not a grpc-js `Metadata`.
   */
  constructor(code: Status, details = "", metadata: Metadata = new Metadata(), options?: ErrorOptions) {
    if (!Number.isInteger(code) || code <= Status.OK || code > Status.UNAUTHENTICATED) {
      throw new InvalidArgumentError("code", "a grpc status code other than OK (1–16)", code);
    }
    if (typeof details !== "string") throw new InvalidArgumentError("details", "a string", details);
    if (!isInstance(metadata, Metadata)) throw new InvalidArgumentError("metadata", "a grpc-js Metadata", metadata);
    super(`${code} ${Status[code]}: ${details}`, options);
    this.name = "GrpcError";
    this.code = code;
    this.details = details;
    this.metadata = metadata;
  }
}
