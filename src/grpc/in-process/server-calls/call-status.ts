import type { Metadata, status as Status } from "@grpc/grpc-js";

/** A status as a server sends it: trailers may be missing (grpc-js's `PartialStatusObject`). */
interface PartialStatusObject {
  readonly code: Status;
  readonly details: string;
  readonly metadata?: Metadata | null | undefined;
}

/**
 * Turns what a handler passes to its callback or emits as `'error'` into a status, the way
 * grpc-js does: an integer `code` is kept (with `details` if it is a string), anything else is
 * UNKNOWN with the error's `message`; `trailers` (the callback's third argument) win over
 * `error.metadata`.
 */
function statusFromServerError(error: unknown, trailers?: Metadata | null): PartialStatusObject {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    details?: unknown;
    message?: unknown;
    metadata?: Metadata | null;
  };
  const metadata = trailers ?? e.metadata ?? null;
  if (typeof e.code === "number" && Number.isInteger(e.code)) {
    const details = typeof e.details === "string" ? e.details : "message" in e ? String(e.message) : "Unknown Error";
    return { code: e.code as Status, details, metadata };
  }
  return { code: 2 as Status, details: "message" in e ? String(e.message) : "Unknown Error", metadata };
}

export { statusFromServerError };
export type { PartialStatusObject };
