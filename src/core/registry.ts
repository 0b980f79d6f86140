/**
 * The leak registry (docs/leaks.md; the leak rules of docs/semantics.md): every open bridge is listed here until it finishes.
 *
 * The registry holds each bridge's internal state (strongly: an open bridge is a resource in use), never
 * its consumer handle: the handle is watched through a `FinalizationRegistry`, so when it is
 * garbage-collected while the bridge is still open, the bridge is reported and its producer stopped.
 */
import { ErrorCode, InvalidArgumentError } from "./errors.js";

/**
 * How a bridge is stuck, as seen from outside: the counters of a {@link BridgeInfo}.
 * @example
 * ```ts
 * // Producers blocked in send() because their consumer stopped reading without stopping the bridge:
 * const blocked = openBridges().filter((bridge) => bridge.pendingSend > 0);
 * ```
 */
export interface BridgeSnapshot {
  /** `not started` (lazy producer never pulled), `open`, or `ending` (producer finished; values or an error not yet delivered). */
  readonly phase: "not started" | "open" | "ending";
  /** Values accepted and not yet taken by the consumer. */
  readonly buffered: number;
  /** Consumer calls to `next()` waiting for a value. */
  readonly pendingNext: number;
  /** Producer calls to `send()`/`ready()` waiting for room. */
  readonly pendingSend: number;
}

/**
 * One open bridge, as listed by {@link openBridges}.
 * @example
 * ```ts
 * for (const bridge of openBridges()) {
 *   console.log(`${bridge.kind} "${bridge.name}": ${bridge.state} (open ${bridge.ageMs} ms)`, bridge.stack ?? "");
 * }
 * ```
 */
export interface BridgeInfo extends BridgeSnapshot {
  /** The bridge's `name` option, or its kind. */
  readonly name: string;
  /** What created it: `channel`, `pull`, `subscribe`, or a combinator's name. */
  readonly kind: string;
  /** A sentence saying how the bridge is stuck, e.g. "consumer waiting in next()". */
  readonly state: string;
  /**
   * Milliseconds it has been open, counted from the end of the event-loop turn that created it (a clock
   * read per bridge would cost more than a short bridge's whole life); 0 within that turn.
   */
  readonly ageMs: number;
  /** Where it was created, when stack capture is on (`SLUICE_TRACE_LEAKS=1` or `configureLeakTracking({ stacks: true })`). */
  readonly stack: string | undefined;
  /** A sequence number, increasing with creation order: compare against a baseline. */
  readonly id: number;
  /** How to fix it, when the resource knows better than the generic bridge advice (gRPC calls do). */
  readonly advice?: string;
}

/** What the registry needs from a bridge. @internal */
export interface Tracked {
  readonly name: string;
  readonly kind: string;
  /** Sequence number, set by {@link trackBridge}; 0 while not registered. */
  id: number;
  createdAt: number;
  stack: string | undefined;
  /** Neighbours in the registry's list of watched open bridges (an intrusive list: no hashing per bridge). */
  prevOpen: Tracked | undefined;
  nextOpen: Tracked | undefined;
  /** Until it is watched (see trackBridge): the consumer handle, held strongly for that turn; undefined otherwise. */
  pendingHandle: object | undefined;
  /** The next older bridge in the registry's stack of bridges not watched yet (see trackBridge). */
  pendingOlder: Tracked | undefined;
  snapshot(): BridgeSnapshot;
  /** Called when the consumer handle was collected while open: stop the producer. */
  collected(): void;
  /** Stops the bridge (used by the leak assertions to release what they report). */
  stop(reason?: unknown): Promise<void>;
  /** A sentence saying how it is stuck, for resources that are not bridges; default: from {@link snapshot}. */
  describeState?(): string;
  /** How to fix the leak, for resources that are not bridges; default: the bridge advice. */
  advice?(): string;
  /**
   * Called once the handle is watched (a turn after tracking, if still open). Until then the registry
   * holds the handle strongly anyway, so a resource may too, and only weaken its references here:
   * short-lived resources then never pay for a `WeakRef`.
   */
  onWatched?(): void;
}

/**
 * The registry's bookkeeping on each tracked object. Extend it rather than declaring the fields: they are
 * the registry's to set (by {@link trackBridge}), not the tracked object's.
 * @internal
 */
export abstract class RegistryEntry {
  id = 0;
  createdAt = 0;
  stack: string | undefined = undefined;
  prevOpen: Tracked | undefined = undefined;
  nextOpen: Tracked | undefined = undefined;
  pendingHandle: object | undefined = undefined;
  pendingOlder: Tracked | undefined = undefined;
}

/**
 * Leak tracking switches, for {@link configureLeakTracking}.
 * @example
 * ```ts
 * const options: LeakTrackingOptions = { stacks: process.env["CI"] === "true" };
 * const previous = configureLeakTracking(options);
 * // … later, to restore:
 * configureLeakTracking(previous);
 * ```
 */
export interface LeakTrackingOptions {
  /**
   * Register bridges and watch their handles. Off saves the registry's per-bridge cost (a `Set` insert
   * and a `FinalizationRegistry` registration); `openBridges()` is then always empty.
   * @default true, unless the environment variable `SLUICE_LEAK_TRACKING=0`
   */
  readonly enabled?: boolean;
  /**
   * Capture each bridge's creation stack (as a string) for leak reports. Costs a few microseconds per bridge.
   * @default false, unless the environment variable `SLUICE_TRACE_LEAKS=1`
   */
  readonly stacks?: boolean;
}

let settings: { enabled: boolean; stacks: boolean } | undefined; // read from the environment on first use, not at import
let newest: Tracked | undefined; // the watched open bridges, newest first, linked through prevOpen/nextOpen
let watcher: FinalizationRegistry<Tracked> | undefined; // created on first use
let nextId = 1;
// The open bridges not watched yet, all newer than those of the list: a stack, newest first, linked through
// pendingOlder, each holding its handle in pendingHandle. Registering with the FinalizationRegistry (and linking into
// the list) costs more than a short-lived bridge's whole life, so it is deferred by one event-loop turn: bridges
// finished by then are never registered. A bridge that finishes lets go of its handle at once; if it is the newest
// (as a bridge opened and finished in one go is), it leaves the stack, with the finished ones under it. So a run of
// short bridges costs a few field writes each, and holds nothing. Open ones are held strongly until the turn ends or
// WATCH_BATCH of them are waiting.
let pendingNewest: Tracked | undefined;
let pendingLinked = 0; // bridges in that stack, finished ones included
let flushScheduled = false;
const WATCH_BATCH = 256; // past this many, register at once instead of waiting for the turn
// The real timer, read when this module is evaluated (a read, not a side effect): fake timers installed later by a
// test (vi.useFakeTimers) must neither count nor stall the registry's own bookkeeping.
const realSetTimeout = globalThis.setTimeout;
/**
 * The most GC-backstop reports kept for the leak assertions between two of them. Production code never
 * calls `assertNoLeaks()`, so without a cap every report of a long-running process would stay here: past
 * it, reports are only counted (each was also a process warning). @internal
 */
export const MAX_COLLECTED_REPORTS = 100;
let collectedLeaks: BridgeInfo[] = []; // the first reports of the GC backstop since the leak assertions last took them
let droppedReports = 0; // reports past MAX_COLLECTED_REPORTS since then: counted, not kept
let droppedNewestId = 0; // the highest id among them, so that a baseline can tell whether they are its leaks

function current(): { enabled: boolean; stacks: boolean } {
  if (settings === undefined) {
    settings = { enabled: readEnv("SLUICE_LEAK_TRACKING") !== "0", stacks: readEnv("SLUICE_TRACE_LEAKS") === "1" };
  }
  return settings;
}

/** An environment variable where there is one; Deno without `--allow-env` throws on reading it, browsers have none. */
function readEnv(name: string): string | undefined {
  let value: string | undefined;
  try {
    // Stryker disable next-line OptionalChaining: where `process` or its `env` is missing the unguarded read throws, and the catch leaves the value undefined as well.
    value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  } catch {
    // Deno without --allow-env: no variable can be read, so none is set.
  }
  return value;
}

/**
 * Turns leak tracking or stack capture on or off for bridges created from now on.
 * @param options - the switches to change; an omitted one keeps its current setting.
 * @returns the settings that were in force before, to restore them.
 * @throws {@link InvalidArgumentError} when `options` is not an object or a switch not a boolean; nothing changes then.
 * @example
 * ```ts
 * configureLeakTracking({ stacks: true }); // in a test setup file, to see where leaked bridges were opened
 * ```
 */
export function configureLeakTracking(options: LeakTrackingOptions): Required<LeakTrackingOptions> {
  if (options === null || typeof options !== "object") throw new InvalidArgumentError("options", "an object", options);
  const { enabled, stacks } = options;
  if (enabled !== undefined && typeof enabled !== "boolean") throw new InvalidArgumentError("enabled", "a boolean", enabled);
  if (stacks !== undefined && typeof stacks !== "boolean") throw new InvalidArgumentError("stacks", "a boolean", stacks);
  const before = { ...current() };
  settings = { enabled: enabled ?? before.enabled, stacks: stacks ?? before.stacks };
  return before;
}

/**
 * Registers a new bridge. `handle` is what the consumer holds; it is watched weakly.
 * @param caller - the public function that created the bridge: stack frames above it are omitted.
 * @internal
 */
export function trackBridge(handle: object, bridge: Tracked, caller: (...args: never[]) => unknown): void {
  const { enabled, stacks } = current();
  if (!enabled) return;
  bridge.id = nextId++;
  if (stacks) bridge.stack = captureStack(caller);
  bridge.pendingHandle = handle;
  bridge.pendingOlder = pendingNewest;
  pendingNewest = bridge;
  pendingLinked += 1;
  if (pendingLinked >= WATCH_BATCH) watchPending();
  else if (!flushScheduled) {
    flushScheduled = true;
    const timer = realSetTimeout(watchPending, 0) as { unref?: () => void };
    timer.unref?.();
  }
}

/** Registers the deferred handles whose bridges are still open, and moves those bridges to the list. */
function watchPending(): void {
  flushScheduled = false;
  // Oldest first, so that the list keeps creation order. An onWatched() that opens a bridge starts a new stack.
  // Stryker disable next-line ArrayDeclaration: an element that is not a bridge has no pendingHandle, so it is skipped below like a finished one.
  const batch: Tracked[] = [];
  for (let bridge = pendingNewest; bridge !== undefined; ) {
    const older = bridge.pendingOlder;
    bridge.pendingOlder = undefined;
    batch.push(bridge);
    bridge = older;
  }
  pendingNewest = undefined;
  pendingLinked = 0;
  let now: number | undefined; // one clock read for the whole batch
  for (let i = batch.length - 1; i >= 0; i -= 1) {
    const bridge = batch[i] as Tracked;
    const handle = bridge.pendingHandle;
    if (handle === undefined) continue; // finished within its turn (under a newer open one), or by an earlier onWatched()
    bridge.pendingHandle = undefined;
    bridge.nextOpen = newest;
    if (newest !== undefined) newest.prevOpen = bridge;
    newest = bridge;
    bridge.createdAt = now ??= Date.now();
    watcher ??= new FinalizationRegistry(onCollected);
    watcher.register(handle, bridge, bridge);
    bridge.onWatched?.();
  }
}

/** In the list of watched open bridges. */
function isListed(bridge: Tracked): boolean {
  return bridge === newest || bridge.prevOpen !== undefined;
}

/** Removes a finished bridge. Idempotent. @internal */
export function untrackBridge(bridge: Tracked): void {
  if (bridge.pendingHandle !== undefined) {
    bridge.pendingHandle = undefined;
    while (pendingNewest !== undefined && pendingNewest.pendingHandle === undefined) {
      const finished = pendingNewest;
      pendingNewest = finished.pendingOlder;
      finished.pendingOlder = undefined;
      pendingLinked -= 1;
    }
    return;
  }
  if (!isListed(bridge)) return;
  const { prevOpen, nextOpen } = bridge;
  if (prevOpen === undefined) newest = nextOpen;
  else prevOpen.nextOpen = nextOpen;
  if (nextOpen !== undefined) nextOpen.prevOpen = prevOpen;
  bridge.prevOpen = undefined;
  bridge.nextOpen = undefined;
  // Stryker disable next-line OptionalChaining: a listed bridge was registered with the watcher, so it is never undefined here.
  watcher?.unregister(bridge);
}

/** The open bridges, oldest first: the list (watched), then the pending ones (newer). */
function openList(): Tracked[] {
  const open: Tracked[] = [];
  for (let bridge = newest; bridge !== undefined; bridge = bridge.nextOpen) open.push(bridge);
  open.reverse();
  const unwatched: Tracked[] = [];
  for (let bridge = pendingNewest; bridge !== undefined; bridge = bridge.pendingOlder) {
    if (bridge.pendingHandle !== undefined) unwatched.push(bridge);
  }
  return open.concat(unwatched.reverse());
}

/**
 * Lists the bridges that are open now: created and not yet finished (exhausted, failed with the error
 * delivered, or stopped). A bridge that is listed after your code is done with it has leaked.
 * @example
 * ```ts
 * for (const b of openBridges()) console.log(`${b.name}: ${b.state}`);
 * ```
 */
export function openBridges(): BridgeInfo[] {
  const now = Date.now();
  return openList().map((bridge) => describe(bridge, now));
}

/**
 * Stops the open bridges created after `afterId` (all of them by default): what a test runner does
 * after reporting them, so that one leaky test does not leave resources to the next.
 * @internal
 */
export async function stopOpenBridges(afterId = 0, reason?: unknown): Promise<void> {
  const leaked = openList().filter((bridge) => bridge.id > afterId);
  await Promise.allSettled(leaked.map((bridge) => bridge.stop(reason)));
}

/** The highest id handed out so far: bridges created later have a larger one. @internal */
export function lastBridgeId(): number {
  return nextId - 1;
}

/** What the GC backstop reported since the leak assertions last asked. @internal */
export interface CollectedLeaks {
  /** The first {@link MAX_COLLECTED_REPORTS} reports. */
  readonly reports: BridgeInfo[];
  /** How many more were reported and not kept. */
  readonly dropped: number;
  /** The highest bridge id among those not kept (0 if none). */
  readonly droppedNewestId: number;
}

/** Takes (and forgets) the bridges the GC backstop reported since the last call. @internal */
export function takeCollectedLeaks(): CollectedLeaks {
  const taken = { reports: collectedLeaks, dropped: droppedReports, droppedNewestId };
  collectedLeaks = [];
  droppedReports = 0;
  droppedNewestId = 0;
  return taken;
}

/** A sentence saying how a bridge is stuck. @internal */
export function describeState(s: BridgeSnapshot): string {
  if (s.phase === "not started") return "never started: created but no next() was ever called";
  const parts: string[] = [];
  if (s.phase === "ending") parts.push("producer finished");
  if (s.pendingNext > 0) parts.push(`consumer waiting in next() (${s.pendingNext} pending)`);
  if (s.buffered > 0) parts.push(`${s.buffered} value${s.buffered === 1 ? "" : "s"} buffered and not read`);
  if (s.pendingSend > 0) parts.push(`producer waiting in send()/ready() (${s.pendingSend} pending)`);
  if (parts.length === 0 || (parts.length === 1 && s.phase === "ending")) parts.push("idle: nobody is reading it");
  return parts.join("; ");
}

function describe(bridge: Tracked, now: number): BridgeInfo {
  const snapshot = bridge.snapshot();
  const advice = bridge.advice?.();
  return {
    id: bridge.id,
    name: bridge.name,
    kind: bridge.kind,
    ...snapshot,
    state: bridge.describeState?.() ?? describeState(snapshot),
    ageMs: bridge.createdAt === 0 ? 0 : now - bridge.createdAt,
    stack: bridge.stack,
    ...(advice === undefined ? {} : { advice }),
  };
}

function onCollected(bridge: Tracked): void {
  // Stryker disable next-line ConditionalExpression: untrackBridge unregisters every bridge that leaves the list, and an unregistered cell is never called back (even one whose handle was already collected), so only listed bridges get here.
  if (!isListed(bridge)) return; // a watched bridge is listed until it finishes
  const info = describe(bridge, Date.now());
  if (collectedLeaks.length < MAX_COLLECTED_REPORTS) collectedLeaks.push(info);
  else {
    droppedReports += 1;
    droppedNewestId = Math.max(droppedNewestId, info.id);
  }
  untrackBridge(bridge);
  const where = info.stack ?? "(set SLUICE_TRACE_LEAKS=1 to see where it was opened)";
  const message =
    `sluice: ${info.kind} "${info.name}" was garbage-collected while open (${info.state}). ` +
    (info.advice ?? "Its producer has been stopped. Finish every bridge you open: use `for await`, `await using`, or call `return()`.");
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } }).process;
  if (typeof proc?.emitWarning === "function") {
    // ctor: the warning's own stack (--trace-warnings) starts below sluice, not in this callback.
    proc.emitWarning(message, { type: "SluiceLeakWarning", code: ErrorCode.Leak, detail: `Opened at:\n${where}`, ctor: onCollected });
  } else {
    console.warn(`${message}\nOpened at:\n${where}`);
  }
  bridge.collected();
}

function captureStack(caller: (...args: never[]) => unknown): string {
  const holder: { stack?: string | undefined } = {};
  const E = Error as { captureStackTrace?: (target: object, fn: unknown) => void };
  if (typeof E.captureStackTrace === "function") E.captureStackTrace(holder, caller);
  else holder.stack = new Error().stack;
  const stack = holder.stack ?? "";
  // Drop the "Error" header line: the frames are what matters.
  return stack.slice(stack.indexOf("\n") + 1);
}
