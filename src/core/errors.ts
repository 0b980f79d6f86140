/**
 * The stable codes of {@link SluiceError}. Match on `error.code`, never on the message.
 */
export const ErrorCode = {
  /** `push`/`send`/`fail` after the producer's own `end()` or `fail()`: a producer bug, the value would be lost. */
  PushAfterEnd: "ERR_SLUICE_PUSH_AFTER_END",
  /** The buffer was full under `overflow: 'error'`; the stream fails with this after its buffered values. */
  Overflow: "ERR_SLUICE_OVERFLOW",
  /** A deadline or timeout stopped the stream. */
  Timeout: "ERR_SLUICE_TIMEOUT",
  /** A bridge was left open (leak assertions) or garbage-collected while open (the GC backstop warning). */
  Leak: "ERR_SLUICE_LEAK",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An error raised by sluice itself (not by your producer). Its `code` is one of {@link ErrorCode}.
 */
export class SluiceError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SluiceError";
    this.code = code;
  }
}

/**
 * The error of a cancelled operation: `next()` after the bridge's `signal` was aborted, and the
 * reason of the producer's `signal` when the consumer stops. The reason given to `stop()` or the
 * aborted signal's own reason is its `cause`.
 *
 * Same `name` (`"AbortError"`) and `code` (`"ABORT_ERR"`) as Node's own, so existing checks keep working.
 */
export class AbortError extends Error {
  readonly code = "ABORT_ERR";

  constructor(message = "The operation was aborted", options?: ErrorOptions) {
    super(message, options);
    this.name = "AbortError";
  }
}

/**
 * An option or argument with the wrong type or value. Thrown synchronously, before anything is attached.
 */
export class InvalidArgumentError extends TypeError {
  readonly code = "ERR_SLUICE_INVALID_ARGUMENT";

  constructor(name: string, expected: string, actual: unknown) {
    super(`Expected \`${name}\` to be ${expected}, got ${describe(actual)}`);
    this.name = "InvalidArgumentError";
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : `an object (${value.constructor?.name ?? "null prototype"})`;
}

/** True for errors that mean "this was cancelled": an {@link AbortError} or any error named `AbortError`. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
