import { ErrorCode, InvalidArgumentError, SluiceError } from "../core/errors.js";
import { type BridgeInfo, MAX_COLLECTED_REPORTS, lastBridgeId, openBridges, stopOpenBridges, takeCollectedLeaks } from "../core/registry.js";

/**
 * A point in time to compare against: bridges that were open then are not leaks of what came after.
 * Made by {@link leakBaseline}.
 * @example
 * ```ts
 * let baseline: LeakBaseline | undefined;
 * beforeEach(() => {
 *   baseline = leakBaseline();
 * });
 * afterEach(() => assertNoLeaks(baseline === undefined ? {} : { baseline }));
 * ```
 */
export interface LeakBaseline {
  /** Bridges created up to this id existed before the baseline. */
  readonly lastId: number;
}

/**
 * Options of {@link assertNoLeaks}.
 * @example
 * ```ts
 * // Give slow teardowns more turns, and leave what leaked running to inspect it.
 * await assertNoLeaks({ turns: 10, stopLeaked: false });
 * ```
 */
export interface AssertNoLeaksOptions {
  /** Only bridges created after this baseline count (see {@link leakBaseline}). @default every open bridge */
  readonly baseline?: LeakBaseline;
  /**
   * Event-loop turns to wait before looking, so that teardowns and producers already on their way out
   * can finish. Each turn is a `setImmediate` (or `setTimeout(0)` where there is none). At most 1,000.
   * @default 3
   */
  readonly turns?: number;
  /** Stop the bridges it reports, so that one leaky test does not leave work running into the next. @default true */
  readonly stopLeaked?: boolean;
}

/**
 * Thrown by {@link assertNoLeaks}: lists every bridge left open. Its `code` is `ERR_SLUICE_LEAK` and its
 * message says, for each bridge, how it is stuck and how to fix it.
 * @example
 * ```ts
 * try {
 *   await assertNoLeaks();
 * } catch (error) {
 *   if (error instanceof LeakError) for (const bridge of error.bridges) console.error(bridge.kind, bridge.name, bridge.state);
 *   throw error;
 * }
 * ```
 */
export class LeakError extends SluiceError {
  /** The bridges that were open (or garbage-collected while open). */
  readonly bridges: readonly BridgeInfo[];

  /**
   * Made by {@link assertNoLeaks}, which is the way to get one.
   * @param bridges - the bridges still open.
   * @param collected - the bridges the GC backstop reported (garbage-collected while open).
   * @param uncounted - how many more bridges the GC backstop reported than the registry keeps (the first
   *   100 since the last check; each report was a process warning too). @default 0
   * @throws {@link sluice!InvalidArgumentError | InvalidArgumentError} when an argument is not what {@link assertNoLeaks} would give it.
   */
  constructor(bridges: readonly BridgeInfo[], collected: readonly BridgeInfo[], uncounted = 0) {
    assertBridgeInfos(bridges, "bridges");
    assertBridgeInfos(collected, "collected");
    if (!(Number.isSafeInteger(uncounted) && uncounted >= 0)) throw new InvalidArgumentError("uncounted", "a non-negative integer", uncounted);
    super(ErrorCode.Leak, formatLeaks(bridges, collected, uncounted));
    this.name = "LeakError";
    this.bridges = [...bridges, ...collected];
  }
}

/**
 * Remembers which bridges are open now, for {@link assertNoLeaks}'s `baseline` option.
 * @example
 * ```ts
 * const shared = channel<number>({ name: "shared" }); // opened in beforeAll, say: open for the whole file
 * const baseline = leakBaseline();
 * // … the test's own code …
 * await assertNoLeaks({ baseline }); // `shared` is not reported: it predates the baseline
 * ```
 */
export function leakBaseline(): LeakBaseline {
  return { lastId: lastBridgeId() };
}

/**
 * Fails when a bridge (a `channel`, `pull`, `subscribe`, combinator or gRPC adapter) is still open.
 *
 * Waits a few event-loop turns first, then throws a {@link LeakError} naming each open bridge, saying how
 * it is stuck, how to fix it, and where it was opened (with `SLUICE_TRACE_LEAKS=1`). Bridges the GC
 * backstop reported since the last check are included too.
 * @param options - `baseline`, `turns`, `stopLeaked`; see {@link AssertNoLeaksOptions}.
 * @throws {@link LeakError} (as a rejection) when a bridge created after the baseline is still open.
 * @throws {@link sluice!InvalidArgumentError | InvalidArgumentError} at once when an option is invalid.
 * @example
 * ```ts
 * afterEach(() => assertNoLeaks());
 * ```
 */
export function assertNoLeaks(options: AssertNoLeaksOptions = {}): Promise<void> {
  return check(resolveLeakOptions(options, true), undefined);
}

/**
 * {@link assertNoLeaks} for sluice's own wrappers (the vitest setup file, `withLeakCheck`, `leakChecked`): the
 * options are already checked, and the report's stack starts at the caller of `caller`, an async function that is
 * awaiting this check, so that a failing test's report points at the test, not into sluice.
 * @internal
 */
export function checkLeaks(options: LeakOptions, caller: (...args: never[]) => unknown): Promise<void> {
  return check(options, caller);
}

async function check({ baseline, turns, stopLeaked }: LeakOptions, caller: ((...args: never[]) => unknown) | undefined): Promise<void> {
  for (let i = 0; i < turns; i += 1) await nextTurn();
  const after = baseline?.lastId ?? 0;
  const leaked = openBridges().filter((bridge) => bridge.id > after);
  const { reports, dropped, droppedNewestId } = takeCollectedLeaks();
  const collected = reports.filter((bridge) => bridge.id > after);
  const more = droppedNewestId > after ? dropped : 0; // reports past the registry's cap: only counted
  if (leaked.length === 0 && collected.length === 0 && more === 0) return;
  if (stopLeaked) await stopOpenBridges(after, new SluiceError(ErrorCode.Leak, "stopped by assertNoLeaks()"));
  const error = new LeakError(leaked, collected, more);
  // The stack starts at whoever awaited the check: the frames above it are sluice's.
  (Error as { captureStackTrace?: (target: object, fn: unknown) => void }).captureStackTrace?.(error, caller ?? check);
  throw error;
}

/**
 * Runs `fn` and fails if it leaves a bridge open that it created. For test runners without a setup
 * file, and for scripts.
 * @param fn - the code under test; its result is returned once the check passed.
 * @param options - `turns` and `stopLeaked`, as for {@link assertNoLeaks}.
 * @throws {@link LeakError} when `fn` left a bridge open; whatever `fn` throws, as it is, once the
 *   bridges `fn` opened are stopped (unless `stopLeaked: false`), so a failing test does not leak into
 *   the next one. Both as rejections.
 * @throws {@link sluice!InvalidArgumentError | InvalidArgumentError} at once when `fn` is not a function or an option is invalid.
 * @example
 * ```ts
 * await withLeakCheck(async () => {
 *   for await (const event of merge([clicks, keys])) if (event.type === "quit") break;
 * });
 * ```
 */
export function withLeakCheck<R>(fn: () => R | PromiseLike<R>, options: Omit<AssertNoLeaksOptions, "baseline"> = {}): Promise<R> {
  if (typeof fn !== "function") throw new InvalidArgumentError("fn", "a function", fn);
  const resolved = resolveLeakOptions(options, false);
  return runChecked(fn, resolved);
}

async function runChecked<R>(fn: () => R | PromiseLike<R>, options: LeakOptions): Promise<R> {
  const baseline = leakBaseline();
  let result: R;
  try {
    result = await fn();
  } catch (error) {
    // fn's own error is the failure to report; the bridges it left open must not outlive it (as in leakChecked).
    if (options.stopLeaked) await stopOpenBridges(baseline.lastId, new SluiceError(ErrorCode.Leak, "stopped by withLeakCheck(): the function threw"));
    throw error;
  }
  await checkLeaks({ ...options, baseline }, runChecked);
  return result;
}

/** The options of the leak assertions, checked, with their defaults. @internal */
export interface LeakOptions {
  readonly baseline?: LeakBaseline;
  readonly turns: number;
  readonly stopLeaked: boolean;
}

/** The most event-loop turns {@link assertNoLeaks} waits: more is never what a test means (and would hang it). */
const MAX_TURNS = 1_000;

/**
 * Checks the options of the leak assertions and applies their defaults. @internal
 * @param withBaseline - `baseline` is an option here (assertNoLeaks), not for the wrappers.
 * @param defaultTurns - `turns` when not given.
 */
export function resolveLeakOptions(options: unknown, withBaseline: boolean, defaultTurns = 3): LeakOptions {
  if (options === null || typeof options !== "object") throw new InvalidArgumentError("options", "an object", options);
  const { baseline, turns = defaultTurns, stopLeaked = true } = options as AssertNoLeaksOptions;
  if (!(Number.isSafeInteger(turns) && turns >= 0 && turns <= MAX_TURNS)) {
    throw new InvalidArgumentError("turns", `an integer from 0 to ${MAX_TURNS}`, turns);
  }
  if (typeof stopLeaked !== "boolean") throw new InvalidArgumentError("stopLeaked", "a boolean", stopLeaked);
  if (!withBaseline || baseline === undefined) return { turns, stopLeaked };
  const lastId = (baseline as { lastId?: unknown } | null)?.lastId;
  if (typeof baseline !== "object" || !(Number.isSafeInteger(lastId) && (lastId as number) >= 0)) {
    throw new InvalidArgumentError("baseline", "a LeakBaseline (from leakBaseline())", baseline);
  }
  return { baseline, turns, stopLeaked };
}

function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate === undefined ? setTimeout(resolve, 0) : immediate(resolve)));
}

/** Checks a list of leak reports: what {@link openBridges} returns. */
function assertBridgeInfos(value: unknown, name: string): asserts value is readonly BridgeInfo[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(name, "an array of BridgeInfo (as openBridges() returns)", value);
  for (const [i, info] of (value as unknown[]).entries()) {
    const b = info as Partial<Record<keyof BridgeInfo, unknown>> | null;
    const valid =
      typeof b === "object" &&
      b !== null &&
      typeof b.name === "string" &&
      typeof b.kind === "string" &&
      typeof b.state === "string" &&
      typeof b.ageMs === "number" &&
      typeof b.id === "number" &&
      typeof b.phase === "string" &&
      typeof b.buffered === "number" &&
      typeof b.pendingNext === "number" &&
      typeof b.pendingSend === "number" &&
      (b.stack === undefined || typeof b.stack === "string") &&
      (b.advice === undefined || typeof b.advice === "string");
    if (!valid) throw new InvalidArgumentError(`${name}[${i}]`, "a BridgeInfo (as openBridges() returns)", info);
  }
}

/** The advice for a bridge stuck in a given way. */
function fixFor(bridge: BridgeInfo): string {
  if (bridge.advice !== undefined) return bridge.advice;
  if (bridge.phase === "not started") {
    return "It was created but never iterated: iterate it, or call `return()` / `stop()` if you no longer need it.";
  }
  if (bridge.pendingSend > 0) {
    return (
      "Its producer is blocked in send(): the consumer stopped reading without stopping the bridge. " +
      "Use `for await` (it calls `return()` on break and throw), `await using`, or call `return()` in a `finally`."
    );
  }
  if (bridge.pendingNext > 0) {
    return (
      "A consumer is waiting in next() and nothing will push: the producer must `end()` or `fail()`, " +
      "or pass a `signal` / call `stop()` to give up waiting."
    );
  }
  return (
    "Nobody is reading it and nobody stopped it: iterate it with `for await`, use `await using`, " +
    "or call `return()` when you are done (a manual next() loop must call it on every exit path)."
  );
}

function formatOne(bridge: BridgeInfo, index: number, suffix: string): string {
  const where = bridge.stack === undefined
    ? "     (set SLUICE_TRACE_LEAKS=1, or configureLeakTracking({ stacks: true }), to see where it was opened)"
    : `     Opened at:\n${bridge.stack.split("\n").slice(0, 8).map((line) => `       ${line.trim()}`).join("\n")}`;
  return `  ${index}. ${bridge.kind} "${bridge.name}"${suffix}: ${bridge.state} (open for ${bridge.ageMs} ms)\n     Fix: ${fixFor(bridge)}\n${where}`;
}

function formatLeaks(open: readonly BridgeInfo[], collected: readonly BridgeInfo[], uncounted: number): string {
  const total = open.length + collected.length + uncounted;
  const lines = [`sluice: ${total} bridge${total === 1 ? " was" : "s were"} left open.`];
  let index = 1;
  for (const bridge of open) lines.push(formatOne(bridge, index++, ""));
  for (const bridge of collected) lines.push(formatOne(bridge, index++, " (garbage-collected while open; its producer was stopped)"));
  if (uncounted > 0) {
    lines.push(
      `  … and ${uncounted} more garbage-collected while open, not listed: the registry keeps the first ` +
        `${MAX_COLLECTED_REPORTS} reports between two checks (each was also a SluiceLeakWarning process warning).`,
    );
  }
  return lines.join("\n");
}
