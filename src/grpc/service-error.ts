import { status as Status } from "@grpc/grpc-js";
import type { ServiceError, StatusObject } from "@grpc/grpc-js";

/**
 * A `ServiceError` as grpc-js builds one from a non-OK status (call.ts `callErrorFromStatus`): an `Error`
 * whose message is `"<code> <NAME>: <details>"`, with the status's `code`, `details` and `metadata`.
 * (grpc-js also appends the calling stack, "for call at …", captured when the call started; sluice does not
 * pay for a stack capture per call.) @internal
 */
export function serviceErrorFrom(status: StatusObject): ServiceError {
  return Object.assign(new Error(`${status.code} ${Status[status.code]}: ${status.details}`), status);
}
