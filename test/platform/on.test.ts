// on(): an EventEmitter or EventTarget event as a bridge. Every cleanup test checks that no listener is left.
import { EventEmitter } from "node:events";
import { fc } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, isAbortError, on, openBridges } from "../../src/core/index.js";
import { assertNoLeaks, leakChecked } from "../../src/testing/index.js";
import { numRuns } from "../helpers/scheduled.js";
import { flush } from "../helpers.js";
import { property } from "../property/helpers.js";

const listeners = (emitter: EventEmitter): number => emitter.eventNames().reduce((n, name) => n + emitter.listenerCount(name), 0);

/** An EventTarget that counts its listeners (Node's own has no public count). */
class CountingTarget extends EventTarget {
  count = 0;
  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
    this.count += 1;
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void {
    this.count -= 1;
    super.removeEventListener(...args);
  }
}

class ValueEvent extends Event {
  constructor(
    type: string,
    readonly value: number,
  ) {
    super(type);
  }
}

describe("on() over an EventEmitter", () => {
  test("values in emit order, then done on an endOn event; no listener left", async () => {
    const emitter = new EventEmitter();
    const values = on<number>(emitter, "data", { endOn: "end" });
    for (let i = 0; i < 100; i += 1) emitter.emit("data", i);
    emitter.emit("end");
    const seen: number[] = [];
    for await (const v of values) seen.push(v);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(listeners(emitter)).toBe(0);
  });

  test("an 'error' event fails the stream after the buffered values, and is not thrown by the emitter", async () => {
    const emitter = new EventEmitter();
    const values = on<number>(emitter, "data");
    emitter.emit("data", 1);
    emitter.emit("data", 2);
    const boom = new Error("boom");
    expect(emitter.emit("error", boom)).toBe(true); // handled: no throw
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of values) seen.push(v);
      })(),
    ).rejects.toBe(boom);
    expect(seen).toEqual([1, 2]);
    expect(listeners(emitter)).toBe(0);
  });

  test("break removes every listener before the loop exits", async () => {
    const emitter = new EventEmitter();
    const values = on<number>(emitter, "data", { endOn: ["end", "close"] });
    expect(listeners(emitter)).toBe(4); // data, end, close, error
    setImmediate(() => emitter.emit("data", 1));
    for await (const v of values) if (v === 1) break;
    expect(listeners(emitter)).toBe(0);
  });

  test("events emitted before the first next() are buffered (lazy: false by default); lazy: true attaches on the first next()", async () => {
    const emitter = new EventEmitter();
    const eager = on<string>(emitter, "data");
    const lazy = on<string>(emitter, "data", { lazy: true });
    emitter.emit("data", "early");
    expect(listeners(emitter)).toBe(2);
    const pending = lazy.next();
    emitter.emit("data", "late");
    expect(await eager.next()).toEqual({ value: "early", done: false });
    expect(await pending).toEqual({ value: "late", done: false });
    await eager.return();
    await lazy.return();
    expect(listeners(emitter)).toBe(0);
  });

  test("multiArgs yields every argument as an array", async () => {
    const emitter = new EventEmitter();
    const values = on<[string, number]>(emitter, "pair", { multiArgs: true });
    emitter.emit("pair", "a", 1);
    expect(await values.next()).toEqual({ value: ["a", 1], done: false });
    await values.return();
  });

  test("an aborted signal rejects the pending next() with an AbortError and removes the listeners", async () => {
    const emitter = new EventEmitter();
    const controller = new AbortController();
    const values = on<number>(emitter, "data", { signal: controller.signal });
    const pending = values.next();
    controller.abort("enough");
    const error = await pending.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe("enough");
    expect(listeners(emitter)).toBe(0);
  });

  test("overflow drop-oldest keeps the latest values for a consumer that fell behind", async () => {
    const emitter = new EventEmitter();
    const values = on<number>(emitter, "data", { highWaterMark: 2, overflow: "drop-oldest", endOn: "end" });
    for (let i = 0; i < 10; i += 1) emitter.emit("data", i);
    emitter.emit("end");
    const seen: number[] = [];
    for await (const v of values) seen.push(v);
    expect(seen).toEqual([8, 9]);
  });

  test("listening to 'error' itself yields the errors, and fails on nothing by default", async () => {
    const emitter = new EventEmitter();
    const errors = on<Error>(emitter, "error");
    emitter.emit("error", new Error("one"));
    expect((await errors.next()).value?.message).toBe("one");
    await errors.return();
    expect(listeners(emitter)).toBe(0);
  });

  test("a leak report names the event; the bridge is open until returned", async () => {
    const emitter = new EventEmitter();
    const values = on(emitter, "tick");
    emitter.emit("tick", 1);
    expect(openBridges().map((b) => `${b.kind} ${b.name} ${b.buffered}`)).toContain("on tick 1");
    await values.return();
    expect(openBridges()).toEqual([]);
  });

  test("invalid arguments throw InvalidArgumentError before anything is attached", () => {
    const emitter = new EventEmitter();
    expect(() => on({} as EventEmitter, "x")).toThrow(InvalidArgumentError);
    expect(() => on(emitter, 1 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => on(emitter, "x", { endOn: [1 as unknown as string] })).toThrow(InvalidArgumentError);
    expect(() => on(emitter, "x", { multiArgs: "yes" as unknown as boolean })).toThrow(InvalidArgumentError);
    expect(() => on(emitter, "x", { highWaterMark: -1 })).toThrow(InvalidArgumentError);
    expect(listeners(emitter)).toBe(0);
  });
});

describe("on() over an EventTarget", () => {
  test("events in dispatch order, done on endOn; no listener left", async () => {
    const target = new CountingTarget();
    const events = on<ValueEvent>(target, "value", { endOn: "close" });
    expect(target.count).toBe(3);
    for (let i = 0; i < 5; i += 1) target.dispatchEvent(new ValueEvent("value", i));
    target.dispatchEvent(new Event("close"));
    const seen: number[] = [];
    for await (const e of events) seen.push(e.value);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(target.count).toBe(0);
  });

  test("an error event fails with its `error` property (an ErrorEvent's), else with the event", async () => {
    const target = new CountingTarget();
    const boom = new Error("boom");
    const withError = on(target, "value");
    const errorEvent = Object.assign(new Event("error"), { error: boom });
    target.dispatchEvent(errorEvent);
    await expect(withError.next()).rejects.toBe(boom);
    const plain = on(target, "value");
    const bare = new Event("error");
    target.dispatchEvent(bare);
    await expect(plain.next()).rejects.toBe(bare);
    expect(target.count).toBe(0);
  });

  test("an AbortSignal is an EventTarget: on(signal, 'abort') yields its one event", async () => {
    const controller = new AbortController();
    const aborts = on<Event>(controller.signal, "abort", { failOn: [] });
    controller.abort();
    expect((await aborts.next()).value?.type).toBe("abort");
    await aborts.return();
  });

  test("symbols are refused for an EventTarget", () => {
    expect(() => on(new EventTarget(), Symbol("x"))).toThrow(InvalidArgumentError);
  });
});

// Each run: a schedule of emits with microtask jitter, ended by the emitter (end or error) or by the consumer
// (break after some values, or abort). Whatever happens: order kept, nothing lost before the end, the error
// after the buffered values, every listener removed exactly once, nothing left open.
const step = fc.record({ value: fc.integer(), ticks: fc.nat({ max: 3 }) });
const ending = fc.constantFrom("end", "error", "none");
const consumer = fc.record({ breakAfter: fc.option(fc.nat({ max: 30 }), { nil: undefined }), abortAfter: fc.option(fc.nat({ max: 30 }), { nil: undefined }) });

describe("on() properties", () => {
  property([fc.array(step, { maxLength: 30 }), ending, consumer, fc.boolean()], { numRuns: numRuns(200), timeout: 5_000 })(
    "any emit schedule and exit: order kept, none lost, error after the values, listeners removed once, nothing open",
    leakChecked(async (steps, end, { breakAfter, abortAfter }, useTarget) => {
      const emitter = new EventEmitter();
      const target = new CountingTarget();
      const controller = new AbortController();
      const values = useTarget
        ? on<ValueEvent>(target, "value", { endOn: "end", signal: controller.signal })
        : on<number>(emitter, "value", { endOn: "end", signal: controller.signal });
      const emit = (name: string, value?: unknown): void => {
        if (useTarget) target.dispatchEvent(name === "value" ? new ValueEvent(name, value as number) : Object.assign(new Event(name), { error: value }));
        else emitter.emit(name, value);
      };
      const boom = new Error("boom");
      const producing = (async () => {
        for (const { value, ticks } of steps) {
          for (let i = 0; i < ticks; i += 1) await Promise.resolve();
          if (controller.signal.aborted) return;
          emit("value", value);
        }
        const listening = useTarget ? target.count > 0 : listeners(emitter) > 0;
        if (!listening) return; // the consumer stopped: an unheard 'error' would throw
        if (end === "end") emit("end");
        else if (end === "error") emit("error", boom);
        else await values.return(); // nobody ends it: the consumer stops it from outside its loop
      })();
      const seen: number[] = [];
      let outcome = "none";
      try {
        for await (const v of values) {
          seen.push(typeof v === "number" ? v : v.value);
          if (seen.length === abortAfter) controller.abort("stop");
          if (seen.length === breakAfter) break;
        }
        outcome = "done";
      } catch (error) {
        outcome = error === boom ? "error" : isAbortError(error) ? "abort" : `unexpected ${String(error)}`;
      }
      await producing;
      const expected = steps.map((s) => s.value);
      expect(seen).toEqual(expected.slice(0, seen.length)); // order, no duplicates
      const stoppedEarly = end === "none" || (breakAfter !== undefined && seen.length === breakAfter) || (abortAfter !== undefined && seen.length === abortAfter);
      if (!stoppedEarly) {
        expect(seen).toEqual(expected); // nothing lost
        expect(outcome).toBe(end === "error" ? "error" : "done");
      }
      expect(useTarget ? target.count : listeners(emitter)).toBe(0);
      await assertNoLeaks({ turns: 1 });
    }),
  );
});

test("an on() created and never iterated is reported as a leak, and stopping it removes its listeners", async () => {
  const emitter = new EventEmitter();
  on(emitter, "data", { name: "forgotten" });
  await flush(1);
  await expect(assertNoLeaks()).rejects.toThrow(/on "forgotten"/);
  expect(listeners(emitter)).toBe(0);
});
