import { propagate as Propagate } from "@grpc/grpc-js";
import type { CallOptions, Deadline, Metadata } from "@grpc/grpc-js";
import { InvalidArgumentError } from "../../core/index.js";

/** `CallOptions.parent`: any grpc-js server call, or one of sluice's. */
type ParentCall = NonNullable<CallOptions["parent"]>;

/** The call options a deadline depends on (grpc-js's `CallOptions` fields). */
interface DeadlineOptions {
  readonly deadline?: Deadline | undefined;
  readonly parent?: ParentCall | null | undefined;
  readonly propagate_flags?: number | null | undefined;
}

/** What a call's deadline options come to, for a call that never leaves the process. */
interface CallDeadlines {
  /**
   * The caller's deadline in ms since the epoch (its own `deadline`, or the parent's when propagated,
   * whichever is earlier); `Infinity` for none. Its timer ends the call with "Deadline exceeded after …".
   */
  readonly client: number;
  /**
   * The handler's deadline (what `getDeadline()` reports): the caller's, or, when the caller set none, the
   * one a `grpc-timeout` key in its request metadata asks for (grpc-js's server reads that header).
   */
  readonly server: number;
  /** The caller put an unreadable `grpc-timeout` in its metadata: grpc-js's server answers INTERNAL with this text. */
  readonly invalidTimeout: string | undefined;
}

/** grpc-js's server (server-interceptors.ts): the header is searched, not anchored. */
const timeoutPattern = /(\d{1,8})\s*([HMSmun])/;
const unitMs: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/**
 * A `Deadline` (a `Date` or ms since the epoch) as ms since the epoch.
 * @throws {@link InvalidArgumentError} for anything else (grpc-js itself fails later, and not always visibly).
 */
function deadlineMs(deadline: unknown, name = "deadline"): number {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  if (typeof ms !== "number" || Number.isNaN(ms)) {
    throw new InvalidArgumentError(name, "a Date or a number of ms since the epoch (Infinity for none)", deadline);
  }
  return ms;
}

/**
 * A deadline the caller's API already checked, as ms since the epoch. `NaN` (an invalid `Date`) has passed: grpc-js
 * ends such a call with DEADLINE_EXCEEDED at once.
 */
function timeOf(deadline: Deadline): number {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isNaN(ms) ? -Infinity : ms;
}

/**
 * Works out both deadlines of an in-process call from its options and request metadata, as grpc-js over a
 * socket would: the caller's own deadline and its parent's (`propagate_flags`, default: propagate); then the
 * server's, which is the caller's, or the `grpc-timeout` request key's when the caller has none (a caller's
 * deadline overwrites that key on the wire).
 * `deadline` must be a `Date` or a number (check it first: {@link deadlineMs}); `NaN` counts as passed.
 */
function resolveDeadlines(options: DeadlineOptions, metadata: Metadata | undefined, now = Date.now()): CallDeadlines {
  let client = options.deadline === undefined ? Infinity : timeOf(options.deadline);
  const parent = options.parent;
  if (parent !== undefined && parent !== null && ((options.propagate_flags ?? Propagate.DEFAULTS) & Propagate.DEADLINE) !== 0) {
    client = Math.min(client, timeOf(parent.getDeadline()));
  }
  if (client !== Infinity) return { client, server: client, invalidTimeout: undefined };
  const header = metadata?.get("grpc-timeout")[0];
  if (header === undefined) return { client, server: Infinity, invalidTimeout: undefined };
  const text = typeof header === "string" ? header : header.toString();
  const match = timeoutPattern.exec(text);
  if (match === null) return { client, server: Infinity, invalidTimeout: `Invalid grpc-timeout value "${text}"` };
  // grpc-js: (+digits * unit) | 0, relative to when the server read the header.
  const timeout = (Number(match[1]) * (unitMs[match[2] as string] as number)) | 0;
  return { client, server: now + timeout, invalidTimeout: undefined };
}

/** Whether the call's cancellation follows its parent's (`propagate_flags`, default: yes). */
function propagatesCancellation(options: DeadlineOptions): boolean {
  return options.parent != null && ((options.propagate_flags ?? Propagate.DEFAULTS) & Propagate.CANCELLATION) !== 0;
}

/** "0.151s": grpc-js's way of writing how long a call ran before its deadline. */
function secondsBetween(start: number, end: number): string {
  return ((end - start) / 1000).toFixed(3) + "s";
}

/** Timers above 2^31-1 ms fire at once; grpc-js treats such deadlines as none. */
const maxTimerMs = 2 ** 31 - 1;

export { deadlineMs, maxTimerMs, propagatesCancellation, resolveDeadlines, secondsBetween };
export type { CallDeadlines, Deadline, DeadlineOptions, ParentCall };
