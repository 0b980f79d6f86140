// The leak registry (src/core/registry.ts) as users and integrators see it: the state sentences of openBridges(),
// a bridge's age, the stacks it captures, the settings it reads from the environment, when it watches what it
// tracks, and the GC backstop's warning. Planted leaks and the leak check's report: test/testing/leaks.test.ts.
import { afterEach, describe, expect, test, vi } from "vitest";
import { channel, configureLeakTracking, openBridges, subscribe } from "../../src/core/index.js";
import type * as RegistryModule from "../../src/core/registry.js";
import { type BridgeSnapshot, RegistryEntry, type Tracked } from "../../src/core/registry.js";

type Registry = typeof RegistryModule;

/** A registry of its own, as a new process would have one: settings, timer and watcher start afresh. */
async function freshRegistry(): Promise<Registry> {
  vi.resetModules();
  return import("../../src/core/registry.js");
}

/** Lets the registry's end-of-turn timer run: a timer set after it fires after it. */
const timerTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A tracked resource that is not a bridge, as the gRPC layer registers its calls (src/core/track.ts). */
class Resource extends RegistryEntry implements Tracked {
  readonly kind = "test-resource";
  readonly events: string[] = [];
  readonly advice?: () => string;
  constructor(
    readonly name: string,
    readonly registry: Registry,
    readonly hooks: { readonly state?: string; readonly advice?: string; readonly onWatched?: () => void } = {},
  ) {
    super();
    const { advice } = hooks;
    if (advice !== undefined) this.advice = () => advice;
  }
  snapshot(): BridgeSnapshot {
    return { phase: "open", buffered: 0, pendingNext: 0, pendingSend: 0 };
  }
  collected(): void {
    this.events.push("collected");
  }
  stop(): Promise<void> {
    this.registry.untrackBridge(this);
    return Promise.resolve();
  }
  describeState(): string {
    return this.hooks.state ?? this.registry.describeState(this.snapshot());
  }
  onWatched(): void {
    this.events.push("watched");
    this.hooks.onWatched?.();
  }
}

/** Opens a resource in `registry`, as `trackResource` does; `handle` stands for what its user holds. */
function open(registry: Registry, name: string, hooks?: Resource["hooks"]): { resource: Resource; handle: object } {
  const resource = new Resource(name, registry, hooks);
  const handle = {};
  registry.trackBridge(handle, resource, open);
  return { resource, handle };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("state sentences", () => {
  test("openBridges() says how each bridge is stuck, every part of it, joined by semicolons", async () => {
    const ended = channel<number>({ name: "ended" });
    ended.push(1);
    ended.end();
    const failed = channel<number>({ name: "failed" });
    failed.fail(new Error("lost"));
    const idle = channel<number>({ name: "idle" });
    idle.push(1);
    await idle.next();
    const full = channel<number>({ name: "full", highWaterMark: 1 });
    full.push(1);
    const sent = full.send(2);
    expect(Object.fromEntries(openBridges().map((b) => [b.name, [b.phase, b.state]]))).toEqual({
      ended: ["ending", "producer finished; 1 value buffered and not read"],
      failed: ["ending", "producer finished; idle: nobody is reading it"], // its error is not delivered yet
      idle: ["open", "idle: nobody is reading it"],
      full: ["open", "1 value buffered and not read; producer waiting in send()/ready() (1 pending)"],
    });
    await Promise.all([ended.return(), failed.return(), idle.return(), full.return()]);
    expect(await sent).toBe(false);
  });
});

describe("age", () => {
  test("a bridge's age is 0 within the turn that opened it, then counts from the end of that turn", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 1_000_000 });
    const ch = channel<number>({ name: "aged" });
    vi.setSystemTime(1_000_400);
    expect(openBridges().map((b) => b.ageMs)).toEqual([0]);
    await timerTurn(); // watched now, at 1_000_400
    vi.setSystemTime(1_000_650);
    expect(openBridges().map((b) => b.ageMs)).toEqual([250]);
    await ch.return();
  });

  test("bridges opened in a burst are watched 256 at a time, before their turn ends, so their age counts from then", async () => {
    await timerTurn(); // nothing left waiting from before
    vi.useFakeTimers({ toFake: ["Date"], now: 2_000_000 });
    const burst = Array.from({ length: 255 }, (_, i) => channel<number>({ name: `burst-${i}` }));
    vi.setSystemTime(2_000_100);
    expect(new Set(openBridges().map((b) => b.ageMs))).toEqual(new Set([0])); // 255 wait for the end of the turn
    burst.push(channel<number>({ name: "burst-255" })); // the 256th: all are watched at once, at 2_000_100
    vi.setSystemTime(2_000_300);
    const ages = openBridges().map((b) => b.ageMs);
    expect(ages).toHaveLength(256);
    expect(new Set(ages)).toEqual(new Set([200]));
    await Promise.all(burst.map((ch) => ch.return()));
  });

  test("short bridges opened and finished within a turn do not count towards the burst: an open one still waits for the turn's end", async () => {
    await timerTurn();
    vi.useFakeTimers({ toFake: ["Date"], now: 3_000_000 });
    const kept = channel<number>({ name: "kept" });
    for (let i = 0; i < 300; i += 1) void channel<number>({ name: "short" }).return();
    vi.setSystemTime(3_000_500);
    expect(openBridges().map((b) => [b.name, b.ageMs])).toEqual([["kept", 0]]);
    await kept.return();
  });
});

test("a bridge finished within its turn leaves openBridges() at once, even when a newer one is still open", async () => {
  const older = channel<number>({ name: "older" });
  const newer = channel<number>({ name: "newer" });
  await older.return();
  expect(openBridges().map((b) => b.name)).toEqual(["newer"]);
  await newer.return();
  expect(openBridges()).toEqual([]);
});

describe("stacks", () => {
  test("a captured stack starts at the frame that opened the bridge: no header line, no frame of sluice", async () => {
    const before = configureLeakTracking({ stacks: true });
    try {
      const ch = channel<number>({ name: "traced" });
      const stack = openBridges()[0]?.stack ?? "";
      expect(stack.split("\n")[0]).toMatch(/^\s+at .*registry\.test\.ts/);
      expect(stack).not.toMatch(/[/\\]src[/\\]core[/\\]/);
      await ch.return();
    } finally {
      configureLeakTracking(before);
    }
  });

  test("where Error.captureStackTrace is missing (Firefox, Safari), the stack is still captured, without its header line", async () => {
    const before = configureLeakTracking({ stacks: true });
    const capture = Object.getOwnPropertyDescriptor(Error, "captureStackTrace");
    let ch: ReturnType<typeof channel<number>> | undefined;
    try {
      Object.defineProperty(Error, "captureStackTrace", { value: undefined, configurable: true, writable: true });
      ch = channel<number>({ name: "no-capture" });
    } finally {
      if (capture !== undefined) Object.defineProperty(Error, "captureStackTrace", capture);
      configureLeakTracking(before);
    }
    const stack = openBridges()[0]?.stack ?? "";
    expect(stack.split("\n")[0]).toMatch(/^\s+at /);
    expect(stack).toContain("registry.test.ts");
    await ch.return();
  });

  test("where errors carry no stack at all, the captured stack is empty: nothing is made up", async () => {
    const before = configureLeakTracking({ stacks: true });
    let ch: ReturnType<typeof channel<number>> | undefined;
    try {
      vi.stubGlobal("Error", function StacklessError() {});
      ch = channel<number>({ name: "stackless" });
    } finally {
      vi.unstubAllGlobals();
      configureLeakTracking(before);
    }
    expect(openBridges().map((b) => b.stack)).toEqual([""]);
    await ch.return();
  });
});

describe("settings from the environment", () => {
  test("SLUICE_LEAK_TRACKING=0 turns tracking off and SLUICE_TRACE_LEAKS=1 turns stacks on; any other value leaves the default", async () => {
    const read = async (tracking: string | undefined, trace: string | undefined) => {
      vi.stubEnv("SLUICE_LEAK_TRACKING", tracking);
      vi.stubEnv("SLUICE_TRACE_LEAKS", trace);
      const registry = await freshRegistry();
      return registry.configureLeakTracking({}); // the settings in force: read from the environment on first use
    };
    expect(await read(undefined, undefined)).toEqual({ enabled: true, stacks: false });
    expect(await read("0", "1")).toEqual({ enabled: false, stacks: true });
    expect(await read("1", "0")).toEqual({ enabled: true, stacks: false });
    expect(await read("", "")).toEqual({ enabled: true, stacks: false });
    expect(await read("false", "true")).toEqual({ enabled: true, stacks: false });
  });

  test("where the environment cannot be read (Deno without --allow-env), the defaults apply", async () => {
    const registry = await freshRegistry();
    const env = Object.getOwnPropertyDescriptor(process, "env");
    let settings: unknown;
    try {
      Object.defineProperty(process, "env", {
        configurable: true,
        get() {
          throw new Error("Requires env access");
        },
      });
      settings = registry.configureLeakTracking({});
    } finally {
      if (env !== undefined) Object.defineProperty(process, "env", env);
    }
    expect(settings).toEqual({ enabled: true, stacks: false });
  });
});

describe("watching what is tracked", () => {
  test("a new registry holds no GC report", async () => {
    const registry = await freshRegistry();
    expect(registry.takeCollectedLeaks()).toEqual({ reports: [], dropped: 0, droppedNewestId: 0 });
  });

  test("a resource still open when its turn ends is watched then, in creation order; a finished one is not", async () => {
    const registry = await freshRegistry();
    registry.configureLeakTracking({ enabled: true, stacks: false });
    const order: string[] = [];
    const first = open(registry, "first", { onWatched: () => order.push("first") });
    const finished = open(registry, "finished", { onWatched: () => order.push("finished") });
    const last = open(registry, "last", { onWatched: () => order.push("last") });
    registry.untrackBridge(finished.resource); // finished under a newer open one
    expect(order).toEqual([]);
    await timerTurn();
    expect(order).toEqual(["first", "last"]);
    expect(registry.openBridges().map((b) => b.name)).toEqual(["first", "last"]);
    await registry.stopOpenBridges();
    expect(registry.openBridges()).toEqual([]);
    void [first.handle, last.handle]; // reachable until here, as a user's handles would be
  });

  test("a resource finished by another's onWatched() in the same turn is not watched", async () => {
    const registry = await freshRegistry();
    registry.configureLeakTracking({ enabled: true, stacks: false });
    let second: Resource | undefined;
    const first = open(registry, "first", { onWatched: () => registry.untrackBridge(second as Resource) });
    second = open(registry, "second").resource;
    await timerTurn();
    expect(second.events).toEqual([]);
    expect(registry.openBridges().map((b) => b.name)).toEqual(["first"]);
    registry.untrackBridge(first.resource);
  });

  test("one timer per turn, however many are tracked in it, and timers that are numbers (browsers) will do", async () => {
    const realSetTimeout = globalThis.setTimeout;
    const timers: number[] = [];
    // A browser's setTimeout: it returns a number, with no unref().
    vi.stubGlobal("setTimeout", (fn: () => void, ms?: number) => timers.push(Number(realSetTimeout(fn, ms))));
    const registry = await freshRegistry(); // reads setTimeout when it is evaluated
    vi.unstubAllGlobals();
    registry.configureLeakTracking({ enabled: true, stacks: false });
    const opened = ["a", "b", "c"].map((name) => open(registry, name));
    expect(timers).toHaveLength(1);
    await timerTurn();
    expect(opened.map(({ resource }) => resource.events)).toEqual([["watched"], ["watched"], ["watched"]]);
    open(registry, "d");
    expect(timers).toHaveLength(2); // a new turn, a new timer
    await registry.stopOpenBridges();
  });
});

describe("the GC backstop's report", () => {
  /** A FinalizationRegistry whose collections the test decides: `collect(handle)` runs the callback as the GC would. */
  function fakeFinalizationRegistry() {
    const log: string[] = [];
    const cells = new Map<object, { held: unknown; token: unknown }>();
    let callback: ((held: unknown) => void) | undefined;
    class Fake {
      constructor(cleanup: (held: unknown) => void) {
        callback = cleanup;
      }
      register(target: object, held: unknown, token?: unknown): void {
        log.push(`register ${(held as Tracked).name}`);
        cells.set(target, { held, token });
      }
      unregister(token: unknown): boolean {
        log.push(`unregister ${(token as Tracked).name}`);
        for (const [target, cell] of cells) if (cell.token === token) cells.delete(target);
        return true;
      }
    }
    vi.stubGlobal("FinalizationRegistry", Fake);
    const collect = (handle: object): void => {
      const cell = cells.get(handle);
      if (cell === undefined) throw new Error("not registered");
      cells.delete(handle);
      callback?.(cell.held);
    };
    return { log, collect };
  }

  test("an open resource is registered with its handle once watched, and unregistered when it finishes", async () => {
    const gc = fakeFinalizationRegistry();
    const registry = await freshRegistry();
    registry.configureLeakTracking({ enabled: true, stacks: false });
    const { resource } = open(registry, "call");
    await timerTurn();
    registry.untrackBridge(resource);
    registry.untrackBridge(resource); // idempotent
    expect(gc.log).toEqual(["register call", "unregister call"]);
  });

  test("a handle collected while open: a SluiceLeakWarning saying what, how it was stuck, the fix and where it was opened; then collected() runs", async () => {
    const gc = fakeFinalizationRegistry();
    const registry = await freshRegistry();
    registry.configureLeakTracking({ enabled: true, stacks: false });
    const plain = open(registry, "plain");
    const advised = open(registry, "advised", { state: "handler never answered", advice: "End the call." });
    await timerTurn();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    gc.collect(plain.handle);
    gc.collect(advised.handle);
    expect(warn.mock.calls).toEqual([
      [
        'sluice: test-resource "plain" was garbage-collected while open (idle: nobody is reading it). ' +
          "Its producer has been stopped. Finish every bridge you open: use `for await`, `await using`, or call `return()`.",
        {
          type: "SluiceLeakWarning",
          code: "ERR_SLUICE_LEAK",
          detail: "Opened at:\n(set SLUICE_TRACE_LEAKS=1 to see where it was opened)",
          ctor: expect.any(Function),
        },
      ],
      [
        'sluice: test-resource "advised" was garbage-collected while open (handler never answered). End the call.',
        expect.objectContaining({ detail: "Opened at:\n(set SLUICE_TRACE_LEAKS=1 to see where it was opened)" }),
      ],
    ]);
    expect([plain.resource.events, advised.resource.events]).toEqual([
      ["watched", "collected"],
      ["watched", "collected"],
    ]);
    // Kept for the leak check, with the resource's own advice where it has one, and off the open list.
    const { reports } = registry.takeCollectedLeaks();
    expect(reports.map((r) => r.name)).toEqual(["plain", "advised"]);
    expect("advice" in (reports[0] as object)).toBe(false);
    expect(reports[1]?.advice).toBe("End the call.");
    expect(registry.openBridges()).toEqual([]);
  });

  test("with stacks on, the warning's detail is where the resource was opened", async () => {
    const gc = fakeFinalizationRegistry();
    const registry = await freshRegistry();
    registry.configureLeakTracking({ enabled: true, stacks: true });
    const { handle } = open(registry, "traced");
    const stack = registry.openBridges()[0]?.stack;
    expect(stack).toContain("registry.test.ts");
    await timerTurn();
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    gc.collect(handle);
    expect(warn.mock.calls[0]?.[1]).toEqual(expect.objectContaining({ detail: `Opened at:\n${stack}` }));
  });

  test("without process.emitWarning (browsers), the report goes to console.warn, its detail on the following lines", async () => {
    const gc = fakeFinalizationRegistry();
    const registry = await freshRegistry();
    registry.configureLeakTracking({ enabled: true, stacks: false });
    const { handle } = open(registry, "in-a-browser");
    await timerTurn();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const emitWarning = Object.getOwnPropertyDescriptor(process, "emitWarning");
    try {
      Object.defineProperty(process, "emitWarning", { value: undefined, configurable: true, writable: true });
      gc.collect(handle);
    } finally {
      if (emitWarning !== undefined) Object.defineProperty(process, "emitWarning", emitWarning);
    }
    expect(warn.mock.calls).toEqual([
      [
        'sluice: test-resource "in-a-browser" was garbage-collected while open (idle: nobody is reading it). ' +
          "Its producer has been stopped. Finish every bridge you open: use `for await`, `await using`, or call `return()`." +
          "\nOpened at:\n(set SLUICE_TRACE_LEAKS=1 to see where it was opened)",
      ],
    ]);
  });

  test("without a process object at all, the report goes to console.warn too", async () => {
    const gc = fakeFinalizationRegistry();
    const registry = await freshRegistry();
    registry.configureLeakTracking({ enabled: true, stacks: false });
    const { handle } = open(registry, "no-process");
    await timerTurn();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const proc = Object.getOwnPropertyDescriptor(globalThis, "process");
    try {
      Object.defineProperty(globalThis, "process", { value: undefined, configurable: true, writable: true });
      gc.collect(handle);
    } finally {
      if (proc !== undefined) Object.defineProperty(globalThis, "process", proc);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('test-resource "no-process" was garbage-collected while open');
  });
});

test("a resource's own state sentence and advice are what openBridges() lists; a bridge has no advice of its own", async () => {
  const registry = await freshRegistry();
  registry.configureLeakTracking({ enabled: true, stacks: false });
  const { resource } = open(registry, "call", { state: "handler never answered", advice: "End the call." });
  expect(registry.openBridges()).toEqual([expect.objectContaining({ name: "call", kind: "test-resource", state: "handler never answered", advice: "End the call." })]);
  registry.untrackBridge(resource);
  const source = subscribe<number>(() => undefined, { name: "plain" });
  expect(openBridges().map((b) => "advice" in b)).toEqual([false]);
  await source.return();
});
