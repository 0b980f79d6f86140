// The oracle and the drivers of the public-API fuzz test (public-api.fuzz.test.ts).
//
// The oracle: a call either works or fails at once with sluice's own coded error; an error thrown by the
// run's own hostile code (a FuzzError) may come back as it is, and so may a value the run handed in (the
// error given to `end(err)`, a teardown's rejection). Anything else — an engine TypeError or RangeError,
// an error with no sluice code — is a violation. So is a promise that does not settle (a hang), and an
// unhandled rejection or uncaught exception (the test file listens for those).
//
// gRPC adds one kind of acceptable failure: a call that settles with grpc-js's `ServiceError` (an Error with
// an integer status `code`, string `details` and `metadata` that is a grpc-js `Metadata`), the way every
// failed call reports. Its `details` must not carry an engine error from sluice's own code (the fuzz test
// runs with GRPC_NODE_DEBUG_SEND_ERROR_DETAILS=true, so a handler's error shows there): an UNKNOWN "…
// TypeError: x is not a function" is a violation unless the text comes from the run's own FuzzError.
import { fc } from "@fast-check/vitest";
import { Metadata } from "@grpc/grpc-js";
import { AbortError, ErrorCode, InvalidArgumentError, SluiceError, isAbortError } from "../../src/core/index.js";
import { FuzzError, type Maker, type Run, anything, plausible } from "./hostile.js";

/** How long any one promise of a run may take to settle before it counts as a hang (ms). */
export const hangAfter = 2_000;

const codes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Why `error` is not an acceptable failure, or undefined if it is. */
export function unacceptable(error: unknown, run: Run): string | undefined {
  if (run.created.has(error)) return undefined; // a value the run handed in, given back (end(err), throw(err)…)
  try {
    return classify(error, run);
  } catch (thrown) {
    return `an error whose inspection threw ${String(thrown)}`;
  }
}

function classify(error: unknown, run: Run): string | undefined {
  if (error instanceof FuzzError) return undefined; // the run's own code threw: passed on as it is
  if (error instanceof InvalidArgumentError) return error.code === "ERR_SLUICE_INVALID_ARGUMENT" ? undefined : "an InvalidArgumentError without its code";
  if (error instanceof SluiceError) return codes.has(error.code) ? undefined : `a SluiceError with an unknown code ${String(error.code)}`;
  if (error instanceof AbortError) return undefined; // a signal aborted, or the consumer stopped
  if (isAbortError(error)) return undefined; // the platform's own AbortError (a WHATWG stream's, Node's), as isAbortError counts it
  // fromReadable's Readable closed before its end: Node's own code for it, as Node's iterator reports it.
  if (error instanceof Error && (error as { code?: unknown }).code === "ERR_STREAM_PREMATURE_CLOSE") return undefined;
  // A class given where a callback goes passes `typeof … === "function"`; calling it is the class throwing, like
  // any throwing callback (no API can tell a class from a function without parsing its source).
  if (error instanceof TypeError && error.message.startsWith("Class constructor")) return undefined;
  if (error instanceof AggregateError && error.errors.every((e) => unacceptable(e, run) === undefined)) return undefined;
  if (isServiceError(error)) return engineErrorIn(error.details);
  // grpc-js's own error for a call on a client that was closed (its client code throws it; in-process does the same).
  if (error instanceof Error && error.message === "Channel has been shut down") return undefined;
  // A value the run threw, wrapped in an Error because the API hands on errors only (toReadable's 'error').
  if (error instanceof Error && error.cause !== undefined && run.created.has(error.cause)) return undefined;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a thrown ${typeof error}`;
}

/** grpc-js's `ServiceError`: how every failed gRPC call reports (a status code, its details and trailers). */
export function isServiceError(error: unknown): error is Error & { code: number; details: string; metadata: Metadata } {
  if (!(error instanceof Error)) return false;
  const { code, details, metadata } = error as Error & { code?: unknown; details?: unknown; metadata?: unknown };
  return Number.isInteger(code) && (code as number) >= 1 && (code as number) <= 16 && typeof details === "string" && metadata instanceof Metadata;
}

/** What an engine error thrown inside sluice looks like once a status's details carry it. */
const engineError = /\b(TypeError|RangeError|ReferenceError)\b|is not a function|is not iterable|Cannot read propert|Cannot convert|Invalid array length|Invalid time value|Maximum call stack/;

/** Why a status's details show an engine error from sluice's code, or undefined if they do not. */
function engineErrorIn(details: string): string | undefined {
  if (!engineError.test(details) || details.includes("thrown by the fuzz test's own code")) return undefined;
  return `a ServiceError whose details carry an engine error: ${details}`;
}

/** A recorded choice sequence: the drivers ask it what to do next, so that fast-check can shrink it. */
export interface PlanSpec {
  readonly choices: readonly number[];
  readonly values: readonly Maker[];
}

export const planArb: fc.Arbitrary<PlanSpec> = fc.record({
  choices: fc.array(fc.nat({ max: 99 }), { minLength: 12, maxLength: 12 }),
  values: fc.array(fc.oneof(anything, plausible.count, plausible.positive), { minLength: 1, maxLength: 4 }),
});

/** One run's driver: its choices, its hostile values, and the violations it saw. */
export class Ctx {
  readonly violations: string[] = [];
  readonly #pending: Array<Promise<unknown>> = [];
  #choice = 0;
  #value = 0;

  constructor(
    readonly run: Run,
    readonly plan: PlanSpec,
    /** The entry's driving values: those of its `args` beyond its `arity` (built for this run, never passed to the export). */
    readonly extra: readonly unknown[] = [],
  ) {}

  /** The next choice, in 0..n-1. */
  pick(n: number): number {
    const choice = this.plan.choices[this.#choice % this.plan.choices.length] ?? 0;
    this.#choice += 1;
    return choice % n;
  }

  /** The next hostile value, built for this run. */
  value(): unknown {
    const m = this.plan.values[this.#value % this.plan.values.length];
    this.#value += 1;
    if (m === undefined) return undefined;
    const before = this.run.inputs.length;
    const v = this.run.make(m);
    this.run.extras.push(...this.run.inputs.splice(before)); // a bridge made here is never an export's input
    return v;
  }

  /** Records a failure if `error` is not acceptable. */
  check(error: unknown, where: string): void {
    const why = unacceptable(error, this.run);
    if (why !== undefined) this.violations.push(`${where} failed with ${why}`);
  }

  /**
   * Calls `fn` (a method of what the export returned); a synchronous throw is checked, a returned promise is
   * tracked (its rejection checked, its settling awaited by {@link settleAll}). Returns what `fn` returned.
   */
  call(where: string, fn: () => unknown): unknown {
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      this.check(error, where);
      return undefined;
    }
    if (isPromise(result)) this.track(where, result);
    return result;
  }

  /** Tracks a promise: its rejection is checked, and {@link settleAll} waits for it (or reports a hang). */
  track(where: string, promise: Promise<unknown>): void {
    this.#pending.push(
      withTimeout(promise, hangAfter).then(
        (outcome) => {
          if (outcome === HANG) this.violations.push(`${where} did not settle within ${hangAfter} ms (a hang)`);
        },
        (error: unknown) => this.check(error, where),
      ),
    );
  }

  /** Waits a few microtasks and turns for `promise`, to read values when they are there, never forever. */
  async briefly(promise: unknown): Promise<void> {
    if (!isPromise(promise)) return;
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 3 && !settled; i += 1) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Waits for every tracked promise (each bounded by {@link hangAfter}). */
  async settleAll(): Promise<void> {
    while (this.#pending.length !== 0) await Promise.all(this.#pending.splice(0));
  }
}

const HANG = Symbol("hang");

/** `instanceof Promise`, for values that may be proxies whose traps throw. */
export function isPromise(value: unknown): value is Promise<unknown> {
  try {
    return value instanceof Promise;
  } catch {
    return false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof HANG> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<typeof HANG>((resolve) => {
    timer = setTimeout(() => resolve(HANG), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------ drivers: how to use what an export returned

interface Readable {
  next(...args: unknown[]): unknown;
  nextBatch?(max?: unknown): unknown;
  return?(): unknown;
  throw?(error?: unknown): unknown;
  stop?(reason?: unknown): unknown;
  [Symbol.asyncDispose]?(): unknown;
}

/**
 * Reads an iterator the way hostile consumers do: a few `next()`/`nextBatch(hostile)` calls, awaited for a
 * moment or left pending, then one way of stopping it (`return()`, `throw(x)`, `stop(x)`, dispose, or reading
 * on). Every pending call must settle once it is stopped.
 */
export async function consume(it: unknown, ctx: Ctx, name: string): Promise<void> {
  if (typeof it !== "object" || it === null || typeof (it as Readable).next !== "function") {
    ctx.violations.push(`${name} returned ${typeof it}, not an iterator`);
    return;
  }
  const reader = it as Readable & { [Symbol.asyncIterator]?(): unknown };
  const steps = ctx.pick(6);
  for (let i = 0; i < steps; i += 1) {
    const how = ctx.pick(6);
    let pending: unknown;
    if (how === 3 && typeof reader.nextBatch === "function") pending = ctx.call(`${name}.nextBatch(x)`, () => reader.nextBatch?.(ctx.value()));
    else if (how === 4) pending = ctx.call(`${name}.next(x)`, () => reader.next(ctx.value())); // an argument next() ignores
    else if (how === 5 && typeof reader[Symbol.asyncIterator] === "function") {
      const self = ctx.call(`${name}[Symbol.asyncIterator]()`, () => reader[Symbol.asyncIterator]?.());
      if (self !== reader) ctx.violations.push(`${name}[Symbol.asyncIterator]() did not return the iterator itself`);
      continue;
    } else pending = ctx.call(`${name}.next()`, () => reader.next());
    if (how !== 0) await ctx.briefly(pending); // 0: leave it pending, an overlapping call
  }
  await finish(reader, ctx, name);
}

/** Stops an iterator one way or another; falls back to `return()` so that nothing stays open. */
export async function finish(reader: Readable, ctx: Ctx, name: string): Promise<void> {
  const how = ctx.pick(5);
  if (how === 0 && typeof reader.throw === "function") {
    const error = ctx.value();
    ctx.run.created.add(error);
    ctx.call(`${name}.throw(x)`, () => reader.throw?.(error));
  } else if (how === 1 && typeof reader.stop === "function") {
    ctx.call(`${name}.stop(x)`, () => reader.stop?.(ctx.value()));
  } else if (how === 2 && typeof reader[Symbol.asyncDispose] === "function") {
    ctx.call(`${name}[Symbol.asyncDispose]()`, () => reader[Symbol.asyncDispose]?.());
  } else if (how === 3) {
    // Read on to the end (bounded): a finite stream finishes by itself.
    for (let i = 0; i < 12; i += 1) {
      const next = ctx.call(`${name}.next() (reading on)`, () => reader.next());
      if (!isPromise(next)) break;
      const result = await Promise.race([next.then((r: unknown) => r, () => ({ done: true })), nextTurns(3).then(() => undefined)]);
      if (result === undefined || (result as IteratorResult<unknown>).done === true) break;
    }
  }
  if (typeof reader.return === "function") ctx.call(`${name}.return()`, () => reader.return?.());
}

const nextTurns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

interface Writable {
  push(value: unknown): unknown;
  send?(value: unknown): unknown;
  ready?(): unknown;
  end(error?: unknown): unknown;
  fail?(error: unknown): unknown;
  onEmpty?(options?: unknown): unknown;
  readonly readableLength?: number;
  readonly signal?: unknown;
}

/** Plays a hostile producer on a push side (a channel, a pushable, a duplex's outgoing). */
export function produce(writer: unknown, ctx: Ctx, name: string): void {
  const w = writer as Writable;
  const steps = ctx.pick(5);
  for (let i = 0; i < steps; i += 1) {
    const how = ctx.pick(8);
    const v = ctx.value();
    if (how === 0 && typeof w.send === "function") ctx.call(`${name}.send(x)`, () => w.send?.(v));
    else if (how === 1 && typeof w.ready === "function") ctx.call(`${name}.ready()`, () => w.ready?.());
    else if (how === 2 && typeof w.onEmpty === "function") ctx.call(`${name}.onEmpty(x)`, () => w.onEmpty?.(v));
    else if (how === 3) ctx.call(`${name}.readableLength`, () => w.readableLength);
    else ctx.call(`${name}.push(x)`, () => w.push(v));
  }
  ctx.call(`${name}.signal`, () => w.signal);
  const end = ctx.pick(3);
  if (end === 0) ctx.call(`${name}.end()`, () => w.end());
  else if (end === 1) {
    const error = ctx.value();
    ctx.run.created.add(error);
    if (typeof w.fail === "function") ctx.call(`${name}.fail(x)`, () => w.fail?.(error));
    else ctx.call(`${name}.end(x)`, () => w.end(error));
  }
}

/** Awaits a promise an export returned (bounded), checking its outcome. */
export function awaitResult(result: unknown, ctx: Ctx, name: string): void {
  if (!isPromise(result)) {
    ctx.violations.push(`${name} returned ${typeof result}, not a promise`);
    return;
  }
  ctx.track(name, result);
}
