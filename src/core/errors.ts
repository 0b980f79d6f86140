/**
 * The stable codes of {@link SluiceError}. Match on `error.code`, never on the message.
 * @example
 * ```ts
 * const ch = channel<number>();
 * ch.end();
 * try {
 *   ch.push(1);
 * } catch (error) {
 *   if (error instanceof SluiceError && error.code === ErrorCode.PushAfterEnd) console.error("a producer bug: push after end()");
 * }
 * ```
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

const codes: ReadonlySet<unknown> = new Set(Object.values(ErrorCode));

/**
 * An error raised by sluice itself (not by your producer). Its `code` is one of {@link ErrorCode}.
 * @example
 * ```ts
 * try {
 *   for await (const row of timeout(rows, 1_000)) console.log(row.name);
 * } catch (error) {
 *   if (error instanceof SluiceError) console.error(error.code, error.message); // ERR_SLUICE_TIMEOUT …
 *   else throw error;
 * }
 * ```
 */
export class SluiceError extends Error {
  /** Which failure this is; stable across versions, unlike the message. */
  readonly code: ErrorCode;

  /**
   * Creates an error with a stable code. For sluice and libraries built on it: applications match on
   * these errors rather than create them.
   * @param code - one of {@link ErrorCode}.
   * @param message - what happened and what to do about it.
   * @param options - `cause`, as for `Error`.
   * @throws {@link InvalidArgumentError} when `code` is not one of {@link ErrorCode} or `message` is not a string.
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    if (!codes.has(code)) throw new InvalidArgumentError("code", `one of ${[...codes].map((c) => `"${c}"`).join(", ")}`, code);
    assertErrorArguments(message, "message", options);
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
 * @example
 * ```ts
 * const shutdown = new AbortController();
 * const ch = channel<number>({ signal: shutdown.signal });
 * shutdown.abort(new Error("shutting down"));
 * try {
 *   await ch.next();
 * } catch (error) {
 *   if (error instanceof AbortError) console.log(error.cause); // Error: shutting down
 * }
 * ```
 */
export class AbortError extends Error {
  /** Always `"ABORT_ERR"`, as on Node's own `AbortError`. */
  readonly code = "ABORT_ERR";

  /**
   * Creates the error of a cancelled operation.
   * @param message - @default "The operation was aborted"
   * @param options - `cause`: the stop reason or the signal's reason.
   * @throws {@link InvalidArgumentError} when `message` is not a string or `options` not an object.
   */
  constructor(message = "The operation was aborted", options?: ErrorOptions) {
    assertErrorArguments(message, "message", options);
    super(message, options);
    this.name = "AbortError";
  }
}

/**
 * An option or argument with the wrong type or value. Thrown synchronously, before anything is attached.
 *
 * A `TypeError`, so code that checks for one keeps working; its message reads
 * "Expected `x` to be …, got …".
 * @example
 * ```ts
 * try {
 *   channel({ highWaterMark: -1 });
 * } catch (error) {
 *   if (error instanceof InvalidArgumentError) console.error(error.message); // Expected `highWaterMark` to be a non-negative integer or Infinity, got -1
 * }
 * ```
 */
export class InvalidArgumentError extends TypeError {
  /** Always `"ERR_SLUICE_INVALID_ARGUMENT"`. */
  readonly code = "ERR_SLUICE_INVALID_ARGUMENT";

  /**
   * Creates the error, message included, from what was expected and what was received.
   * @param name - the argument or option, as the caller wrote it (`"highWaterMark"`, `"sink.write"`).
   * @param expected - what it should be, completing "Expected `name` to be …".
   * @param actual - the value received; described in the message, never kept.
   * @throws {@link InvalidArgumentError} (about itself) when `name` or `expected` is not a string.
   */
  constructor(name: string, expected: string, actual: unknown) {
    if (typeof name !== "string") throw new InvalidArgumentError("name", "a string", name);
    if (typeof expected !== "string") throw new InvalidArgumentError("expected", "a string", expected);
    super(`Expected \`${name}\` to be ${expected}, got ${describe(actual)}`);
    this.name = "InvalidArgumentError";
  }
}

/** The received value, in words. Never throws, whatever the value (a proxy whose traps throw, say). */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || typeof value !== "object") return String(value);
  try {
    if (Array.isArray(value)) return "an array";
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return `an object (${typeof name === "string" ? name : "null prototype"})`;
  } catch {
    return "an object";
  }
}

/** The checks shared by the error constructors: a string message, and options that are an object if given. */
function assertErrorArguments(message: unknown, name: string, options: unknown): void {
  if (typeof message !== "string") throw new InvalidArgumentError(name, "a string", message);
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new InvalidArgumentError("options", "an object (with `cause`)", options);
  }
}

/**
 * True for errors that mean "this was cancelled": an {@link AbortError} or any error named `AbortError`
 * (Node's and the DOM's included).
 * @example
 * ```ts
 * try {
 *   await drive(rows, { write: (row) => console.log(row.name) }, { signal: AbortSignal.timeout(1_000) });
 * } catch (error) {
 *   if (!isAbortError(error)) throw error; // giving up was the plan; anything else is a failure
 * }
 * ```
 */
export function isAbortError(error: unknown): boolean {
  try {
    return error instanceof Error && error.name === "AbortError";
  } catch {
    return false; // a proxy whose traps throw: not an error anyone can tell apart
  }
}

/**
 * `value instanceof type`, false where asking throws (a proxy whose traps throw, thrown or rejected by user
 * code, must not break the code that inspects it). @internal
 */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/** `value` as an `Error`: itself, or an `Error` whose `cause` it is. Never throws, whatever the value. @internal */
export function asError(value: unknown): Error {
  if (isInstance(value, Error)) return value;
  let text: string;
  try {
    text = String(value);
  } catch {
    text = "a value that cannot be converted to a string";
  }
  return new Error(text, { cause: value });
}

/** An error's message, or the value in words: for status details and logs. Never throws, whatever the value. @internal */
export function errorText(value: unknown): string {
  try {
    if (value instanceof Error) return value.message;
    return String(value);
  } catch {
    return "a value that cannot be converted to a string";
  }
}
