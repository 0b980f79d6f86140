import { InvalidArgumentError } from "./errors.js";

/**
 * What a producer's value does when the buffer already holds `highWaterMark` values: the values of
 * the `overflow` option, by name.
 * @example
 * ```ts
 * // A gauge: the consumer only cares about the latest reading.
 * const readings = channel<number>({ highWaterMark: 1, overflow: Overflow.DropOldest });
 * ```
 */
export const Overflow = {
  /** Buffer it anyway (`push` returns `false`) or wait (`send`): the producer is expected to slow down. */
  Wait: "wait",
  /** Drop the oldest buffered value to make room: the consumer sees the most recent values. */
  DropOldest: "drop-oldest",
  /** Drop the new value (`push` returns `false`): the consumer sees the earliest values. */
  DropNewest: "drop-newest",
  /** Fail the stream with a `SluiceError` (`ERR_SLUICE_OVERFLOW`) after the buffered values, and stop the producer. */
  Error: "error",
} as const;
export type Overflow = (typeof Overflow)[keyof typeof Overflow];

/**
 * Options shared by every bridge.
 * @example
 * ```ts
 * const shutdown = new AbortController();
 * const options: BridgeOptions = { highWaterMark: 64, overflow: "wait", signal: shutdown.signal, name: "ingest" };
 * const ingest = channel<Row>(options);
 * ```
 */
export interface BridgeOptions {
  /**
   * How many values may wait in the buffer before the producer is told to wait (`push` returns `false`,
   * `send` waits). `0` is a rendezvous: `send()` resolves only once a consumer has taken the value, the
   * coroutine-like handoff of Go's `iter.Pull`. `Infinity` never pushes back.
   * @default 16 (`pull`: 0)
   */
  readonly highWaterMark?: number;
  /**
   * What happens to a value that arrives when `highWaterMark` values are already buffered.
   * @default "wait"
   */
  readonly overflow?: Overflow;
  /**
   * Aborting it stops the bridge: pending and later `next()` calls reject with an `AbortError` whose
   * `cause` is the signal's reason, and the producer is stopped. An already-aborted signal means the
   * producer never starts. An `AbortSignal` of any realm or polyfill: any object with a boolean `aborted`
   * and `addEventListener`/`removeEventListener` methods (the same holds for every `signal` option).
   * @default undefined (only `stop()`, `return()` or the end of the stream finish the bridge)
   */
  readonly signal?: AbortSignal;
  /**
   * A name for leak reports and error messages.
   * @default the kind of bridge ("channel", "pull", "subscribe", …)
   */
  readonly name?: string;
}

/**
 * Options of bridges that run a producer (`pull`, `subscribe`, and the combinators).
 * @example
 * ```ts
 * // Start listening now: the values of the first second are buffered, not missed.
 * const early = subscribe<number>((sink) => {
 *   const timer = setInterval(() => sink.push(Date.now()), 100);
 *   return () => clearInterval(timer);
 * }, { lazy: false, highWaterMark: 100, name: "early-ticks" });
 * ```
 */
export interface SourceOptions extends BridgeOptions {
  /**
   * Start the producer on the first `next()` (`true`), or right away (`false`, values are buffered
   * until the consumer pulls).
   * @default true
   */
  readonly lazy?: boolean;
}

/** Validated options with defaults applied. @internal */
export interface ResolvedOptions {
  readonly highWaterMark: number;
  readonly overflow: Overflow;
  readonly signal: AbortSignal | undefined;
  readonly name: string;
  readonly lazy: boolean;
}

const overflows: ReadonlySet<unknown> = new Set(Object.values(Overflow));

/** Checks options and applies defaults. @throws {InvalidArgumentError} on the first invalid option. @internal */
export function resolveOptions(
  options: SourceOptions | undefined,
  defaults: { readonly name: string; readonly highWaterMark: number },
): ResolvedOptions {
  if (options === undefined) {
    return { highWaterMark: defaults.highWaterMark, overflow: "wait", signal: undefined, name: defaults.name, lazy: true };
  }
  if (options === null || typeof options !== "object") throw new InvalidArgumentError("options", "an object", options);
  const { highWaterMark = defaults.highWaterMark, overflow = "wait", signal, name = defaults.name, lazy = true } = options;
  if (!(highWaterMark === Infinity || (Number.isSafeInteger(highWaterMark) && highWaterMark >= 0))) {
    throw new InvalidArgumentError("highWaterMark", "a non-negative integer or Infinity", highWaterMark);
  }
  if (!overflows.has(overflow)) {
    throw new InvalidArgumentError("overflow", `one of ${[...overflows].map((o) => `"${String(o)}"`).join(", ")}`, overflow);
  }
  if (overflow === "drop-oldest" && highWaterMark === 0) {
    throw new InvalidArgumentError("highWaterMark", 'at least 1 with overflow "drop-oldest" (there is no oldest value to drop)', 0);
  }
  assertSignal(signal);
  if (typeof name !== "string") throw new InvalidArgumentError("name", "a string", name);
  if (typeof lazy !== "boolean") throw new InvalidArgumentError("lazy", "a boolean", lazy);
  return { highWaterMark, overflow, signal, name, lazy };
}

/**
 * What sluice accepts as a `signal`: an object with a boolean `aborted` and the `addEventListener` and
 * `removeEventListener` methods (`reason` is read once it aborted). Duck-typed on purpose: an AbortSignal
 * from another realm (a `vm` context, jsdom) or a polyfill fails `instanceof AbortSignal` but works, and
 * these are exactly the members sluice uses, so a signal that passes can always be listened to and
 * detached from again. (Node's own `validateAbortSignal` is duck-typed too.)
 * @internal
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function" &&
    typeof (value as AbortSignal).removeEventListener === "function"
  );
}

/** Checks an optional `signal` argument or option (see {@link isAbortSignal}). @throws {InvalidArgumentError} @internal */
export function assertSignal(value: unknown, name = "signal"): asserts value is AbortSignal | undefined {
  if (value !== undefined && !isAbortSignal(value)) {
    throw new InvalidArgumentError(name, "an AbortSignal (with `aborted`, `addEventListener` and `removeEventListener`)", value);
  }
}

/**
 * Removes an abort listener. A signal whose `removeEventListener` throws cannot be detached from: the
 * caller is closing, and its waiters must still be settled, so the error is dropped (the listener left
 * behind finds the caller closed and does nothing).
 * @internal
 */
export function detachSignal(signal: AbortSignal | undefined, listener: () => void): void {
  try {
    signal?.removeEventListener("abort", listener);
  } catch {
    // See above: a broken signal must not stop a bridge from closing.
  }
}

/** Checks an optional array of functions (interceptor lists and the like). @throws {InvalidArgumentError} @internal */
export function assertFunctionList(value: unknown, name: string, expected = "an array of functions"): void {
  if (value !== undefined && (!Array.isArray(value) || value.some((item) => typeof item !== "function"))) {
    throw new InvalidArgumentError(name, expected, value);
  }
}
