import { getEventListeners } from "node:events";
import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, broadcast } from "../../src/core/index.js";
import { openBridges } from "../../src/testing/index.js";
import { collect, source, ticks, turn } from "../helpers/sources.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * A plain async iterable (not a bridge) that counts what is done to it: every `[Symbol.asyncIterator]()`
 * opens a fresh iterator whose `next()` is `next`, and whose `return()` resolves at once.
 */
function probe(next: (n: number) => Promise<IteratorResult<number>> = (n) => Promise.resolve({ done: false, value: n })) {
  const calls = { opens: 0, nexts: 0, returns: 0 };
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => {
      calls.opens += 1;
      return {
        next: () => next(calls.nexts++),
        return: () => {
          calls.returns += 1;
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
  return { iterable, calls };
}

describe("broadcast", () => {
  test("every consumer sees every value, in order, at its own speed", async () => {
    const s = source(range(40), { ticks: [0, 1, 3] });
    const hub = broadcast(s.it, { highWaterMark: 2 });
    const consumers = [hub.subscribe(), hub.subscribe(), hub.subscribe()];
    const results = await Promise.all(
      consumers.map(async (c, i) => {
        const seen: number[] = [];
        for await (const v of c) {
          seen.push(v);
          await ticks(i * 2);
        }
        return seen;
      }),
    );
    for (const seen of results) expect(seen).toEqual(range(40));
    expect(s.stats.teardowns).toBe(1);
    expect(hub.consumers).toBe(0);
  });

  test("the source is read at the pace of the slowest consumer (bounded buffer)", async () => {
    const s = source(range(100));
    const hub = broadcast(s.it, { highWaterMark: 3 });
    const fast = hub.subscribe();
    const slow = hub.subscribe();
    let slowRead = 0;
    let maxAhead = 0;
    await Promise.all([
      collect(fast),
      (async () => {
        for await (const _ of slow) {
          slowRead += 1;
          await turn();
          maxAhead = Math.max(maxAhead, s.stats.sent - slowRead);
        }
      })(),
    ]);
    expect(slowRead).toBe(100);
    expect(maxAhead).toBeLessThanOrEqual(3 + 1);
  });

  test("a consumer that stops detaches only itself", async () => {
    const s = source(range(30));
    const hub = broadcast(s.it, { highWaterMark: 1 });
    const quitter = hub.subscribe();
    const stayer = hub.subscribe();
    const [early, all] = await Promise.all([collect(quitter, 5), collect(stayer)]);
    expect(early.values).toEqual(range(5));
    expect(all.values).toEqual(range(30));
    expect(s.stats.teardowns).toBe(1);
  });

  test("when every consumer stopped, the source is stopped, once; the last stop() waits for it", async () => {
    const s = source(range(10), { endless: true, slowTeardown: 3 });
    const hub = broadcast(s.it);
    const a = hub.subscribe();
    const b = hub.subscribe();
    await a.next();
    await b.next();
    await a.return();
    expect(s.stats.teardowns).toBe(0);
    expect(hub.consumers).toBe(1);
    await b.return();
    expect(s.stats.teardowns).toBe(1);
    expect(s.stats.stopped).toBe(true);
    const late = hub.subscribe();
    expect(await late.next()).toEqual({ done: true, value: undefined });
  });

  test("a source error reaches every consumer once, after its values", async () => {
    const boom = new Error("boom");
    const hub = broadcast(source([1, 2, 3], { error: boom }).it);
    const results = await Promise.all([collect(hub.subscribe()), collect(hub.subscribe())]);
    for (const r of results) {
      expect(r.values).toEqual([1, 2, 3]);
      expect(r.error).toBe(boom);
      expect(r.errors).toBe(1);
    }
    const late = hub.subscribe();
    await expect(late.next()).rejects.toBe(boom);
  });

  test("reading starts once `consumers` consumers subscribed", async () => {
    const s = source(range(5));
    const hub = broadcast(s.it, { consumers: 2 });
    const a = hub.subscribe();
    await turn();
    expect(s.stats.sent).toBe(0);
    const b = hub.subscribe();
    const [ra, rb] = await Promise.all([collect(a), collect(b)]);
    expect(ra.values).toEqual(range(5));
    expect(rb.values).toEqual(range(5));
  });

  test("consumers subscribed in the same synchronous run as the start see the first value", async () => {
    const hub = broadcast(source(range(3)).it);
    const a = hub.subscribe();
    const b = hub.subscribe();
    const [ra, rb] = await Promise.all([collect(a), collect(b)]);
    expect(rb.values).toEqual(ra.values);
    expect(ra.values).toEqual(range(3));
  });

  test("stop() with no consumer finishes a source bridge that never started", async () => {
    const s = source(range(3));
    const hub = broadcast(s.it);
    await hub.stop();
    await hub.stop();
    expect(s.stats.sent).toBe(0);
  });

  test("stop() ends every consumer after its buffered values and stops the source", async () => {
    const s = source(range(100), { endless: true });
    const hub = broadcast(s.it, { highWaterMark: 4 });
    const a = hub.subscribe();
    expect(await a.next()).toEqual({ value: 0, done: false });
    await hub.stop();
    expect(s.stats.teardowns).toBe(1);
    const rest = await collect(a);
    expect(rest.error).toBeUndefined();
    expect(rest.values.length).toBeLessThanOrEqual(5);
  });

  test("an aborted signal rejects every consumer with an AbortError and stops the source", async () => {
    const controller = new AbortController();
    const s = source(range(3), { endless: true });
    const hub = broadcast(s.it, { signal: controller.signal });
    const a = hub.subscribe();
    const b = hub.subscribe();
    await a.next();
    controller.abort("bye");
    await expect(a.next()).rejects.toBeInstanceOf(AbortError);
    await expect(b.next()).rejects.toMatchObject({ cause: "bye" });
    await turn();
    expect(s.stats.teardowns).toBe(1);
  });

  test("no abort listener is left on the signal once the source ended", async () => {
    const controller = new AbortController();
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((type: string, fn: () => void, opts?: { once?: boolean }) => (added.push(fn), add(type, fn, opts))) as typeof signal.addEventListener;
    signal.removeEventListener = ((type: string, fn: () => void) => (removed.push(fn), remove(type, fn))) as typeof signal.removeEventListener;
    const hub = broadcast(source(range(3)).it, { signal });
    expect((await collect(hub.subscribe())).values).toEqual(range(3));
    expect(added.length).toBeGreaterThan(0);
    for (const fn of added) expect(removed).toContain(fn);
  });

  test("a consumer with a drop policy never holds the source back", async () => {
    const s = source(range(50));
    const hub = broadcast(s.it);
    const lossy = hub.subscribe({ highWaterMark: 1, overflow: "drop-oldest" });
    const reader = hub.subscribe({ highWaterMark: 1 });
    const all = await collect(reader); // lossy is never read while this runs
    expect(all.values).toEqual(range(50));
    const last = await collect(lossy);
    expect(last.values).toEqual([49]);
  });

  test("a consumer that drops the newest values never holds the source back either", async () => {
    const s = source(range(50));
    const hub = broadcast(s.it);
    const lossy = hub.subscribe({ highWaterMark: 1, overflow: "drop-newest" });
    const reader = hub.subscribe({ highWaterMark: 1 });
    const all = await collect(reader); // lossy is never read while this runs, and is full from the first value
    expect(all.values).toEqual(range(50));
    expect((await collect(lossy)).values).toEqual([0]);
  });

  test("a consumer that subscribes after the source ended ends at once", async () => {
    const hub = broadcast(source(range(3)).it);
    expect((await collect(hub.subscribe())).values).toEqual(range(3));
    expect(await hub.subscribe().next()).toEqual({ done: true, value: undefined });
  });

  test("consumers are named `${name}[i]` in leak reports, `broadcast[i]` by default", async () => {
    const named = broadcast(probe().iterable, { name: "clicks" });
    const unnamed = broadcast(probe().iterable);
    named.subscribe();
    named.subscribe();
    unnamed.subscribe();
    expect(openBridges().map(({ name, kind }) => ({ name, kind }))).toEqual([
      { name: "clicks[0]", kind: "broadcast" },
      { name: "clicks[1]", kind: "broadcast" },
      { name: "broadcast[0]", kind: "broadcast" },
    ]);
    await Promise.all([named.stop(), unnamed.stop()]);
  });

  test("accepts a highWaterMark of 0 (every consumer takes each value before the next is read) and Infinity", async () => {
    const s = source(range(5));
    const hub = broadcast(s.it, { highWaterMark: 0 });
    const a = hub.subscribe();
    expect(await a.next()).toEqual({ done: false, value: 0 });
    await turn();
    expect(s.stats.sent).toBeLessThanOrEqual(2);
    expect((await collect(a)).values).toEqual(range(5).slice(1));
    expect((await collect(broadcast(source(range(5)).it, { highWaterMark: Infinity }).subscribe())).values).toEqual(range(5));
  });

  test("validates its arguments", () => {
    const empty = (async function* () {})();
    expect(() => broadcast(null as never)).toThrow(InvalidArgumentError);
    expect(() => broadcast(null as never)).toThrow("Expected `source` to be an async iterable");
    expect(() => broadcast(empty, { consumers: 0 })).toThrow("Expected `consumers` to be an integer >= 1");
    expect(() => broadcast(empty, { highWaterMark: -2 })).toThrow("Expected `highWaterMark` to be a non-negative integer or Infinity, got -2");
    expect(() => broadcast(empty, { highWaterMark: 1.5 })).toThrow("Expected `highWaterMark` to be a non-negative integer or Infinity");
    expect(() => broadcast(empty, { name: 3 } as never)).toThrow("Expected `name` to be a string");
    expect(() => broadcast(empty).subscribe({ overflow: "nope" } as never)).toThrow(InvalidArgumentError);
  });
});

describe("broadcast: what it does to its source", () => {
  test("the source is opened once, also when a consumer subscribes while it is being read", async () => {
    const { iterable, calls } = probe();
    const hub = broadcast(iterable);
    const a = hub.subscribe();
    expect(await a.next()).toEqual({ done: false, value: 0 });
    const b = hub.subscribe();
    expect((await b.next()).done).toBe(false);
    await hub.stop();
    await Promise.all([collect(a), collect(b)]);
    expect(calls).toMatchObject({ opens: 1, returns: 1 });
  });

  test("once stopped, the source's next() is not called again, even when a pending one then delivers a value", async () => {
    let deliver: (result: IteratorResult<number>) => void = () => undefined;
    const { iterable, calls } = probe(() => new Promise((resolve) => (deliver = resolve)));
    const hub = broadcast(iterable);
    const a = hub.subscribe();
    const pending = a.next();
    await turn();
    expect(calls.nexts).toBe(1);
    await hub.stop();
    expect(await pending).toEqual({ done: true, value: undefined });
    deliver({ done: false, value: 7 });
    await turn();
    expect(calls).toMatchObject({ opens: 1, nexts: 1, returns: 1 });
  });

  test("once its last consumer stopped, a source waiting for room is not read again", async () => {
    const { iterable, calls } = probe();
    const hub = broadcast(iterable, { highWaterMark: 1 });
    const a = hub.subscribe(); // never read: full after the first value
    await turn();
    expect(calls.nexts).toBe(1);
    await a.return();
    await turn();
    expect(calls).toMatchObject({ opens: 1, nexts: 1, returns: 1 });
  });

  test("stop() twice, or after the last consumer stopped, stops the source once; each waits for it", async () => {
    const s = source(range(10), { endless: true, slowTeardown: 3 });
    const hub = broadcast(s.it);
    const a = hub.subscribe();
    await a.next();
    const first = a.return();
    const second = hub.stop();
    await second;
    expect(s.stats.stopped).toBe(true);
    await first;
    await hub.stop();
    expect(s.stats.teardowns).toBe(1);

    const { iterable, calls } = probe();
    const plain = broadcast(iterable);
    await plain.subscribe().next();
    await Promise.all([plain.stop(), plain.stop()]);
    expect(calls).toMatchObject({ opens: 1, returns: 1 });
  });

  test("a source that ended or failed is not stopped afterwards: stop() does not call its return()", async () => {
    const ended = probe((n) => Promise.resolve(n < 2 ? { done: false, value: n } : { done: true, value: undefined }));
    const endedHub = broadcast(ended.iterable);
    expect((await collect(endedHub.subscribe())).values).toEqual([0, 1]);
    await endedHub.stop();
    expect(ended.calls).toMatchObject({ opens: 1, nexts: 3, returns: 0 });

    const boom = new Error("boom");
    const failed = probe((n) => (n < 2 ? Promise.resolve({ done: false, value: n }) : Promise.reject(boom)));
    const failedHub = broadcast(failed.iterable);
    const result = await collect(failedHub.subscribe());
    expect(result).toMatchObject({ values: [0, 1], error: boom });
    await failedHub.stop();
    expect(failed.calls).toMatchObject({ opens: 1, nexts: 3, returns: 0 });
  });

  test("a source that cannot be opened fails every consumer, and is not opened again by stop()", async () => {
    let opens = 0;
    const broken = {
      [Symbol.asyncIterator]: () => {
        opens += 1;
        return null;
      },
    } as unknown as AsyncIterable<number>;
    const hub = broadcast(broken, { consumers: 2 });
    const [a, b] = [hub.subscribe(), hub.subscribe()];
    const message = "Expected `source[Symbol.asyncIterator]()` to be an async iterator (an object with a next() method), got null";
    await expect(a.next()).rejects.toThrow(message);
    await expect(b.next()).rejects.toThrow(InvalidArgumentError);
    await hub.stop();
    expect(opens).toBe(1);

    const boom = new Error("cannot open");
    const throwing = {
      [Symbol.asyncIterator]: () => {
        throw boom;
      },
    } as unknown as AsyncIterable<number>;
    await expect(broadcast(throwing).subscribe().next()).rejects.toBe(boom);
  });

  test("a source whose next() resolves to undefined (not an iterator result) fails every consumer", async () => {
    const bad = { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(undefined) }) } as unknown as AsyncIterable<number>;
    const hub = broadcast(bad);
    const [a, b] = [hub.subscribe(), hub.subscribe()];
    await expect(a.next()).rejects.toBeInstanceOf(TypeError);
    await expect(b.next()).rejects.toBeInstanceOf(TypeError);
  });

  test("a source whose pending next() rejects because it was stopped: stop() still reads as a stop, not a failure", async () => {
    let fail: (error: unknown) => void = () => undefined;
    const stopped = new Error("stopped while reading");
    const iterable: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<number>>((_, reject) => (fail = reject)),
        return: () => {
          fail(stopped);
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    };
    const hub = broadcast(iterable);
    const a = hub.subscribe();
    const pending = a.next();
    await turn();
    await hub.stop();
    expect(await pending).toEqual({ done: true, value: undefined });
    await turn();
    expect(await hub.subscribe().next()).toEqual({ done: true, value: undefined });
  });
});

describe("broadcast: signals", () => {
  const listeners = (signal: AbortSignal): number => getEventListeners(signal, "abort").length;

  test("aborting the broadcast's signal stops a source that no consumer subscribed to", async () => {
    const controller = new AbortController();
    const { iterable, calls } = probe();
    const hub = broadcast(iterable, { signal: controller.signal });
    expect(listeners(controller.signal)).toBe(1);
    controller.abort(new Error("shutdown"));
    expect(calls).toMatchObject({ opens: 1, nexts: 0, returns: 1 });
    expect(listeners(controller.signal)).toBe(0);
    await expect(hub.subscribe().next()).rejects.toMatchObject({ name: "AbortError" });
  });

  test("a signal that already aborted stops the source at once; a consumer fails with an AbortError", async () => {
    const { iterable, calls } = probe();
    const hub = broadcast(iterable, { signal: AbortSignal.abort("too late") });
    expect(calls).toMatchObject({ opens: 1, nexts: 0, returns: 1 });
    await expect(hub.subscribe().next()).rejects.toMatchObject({ name: "AbortError", cause: "too late" });
    await expect(hub.subscribe({ signal: new AbortController().signal }).next()).rejects.toMatchObject({ name: "AbortError", cause: "too late" });
  });

  test("a consumer's own signal stops only that consumer, with or without a signal on the broadcast", async () => {
    for (const hubSignal of [undefined, new AbortController().signal]) {
      const s = source(range(10), { endless: true });
      const hub = broadcast(s.it, hubSignal === undefined ? {} : { signal: hubSignal });
      const own = new AbortController();
      const quitter = hub.subscribe({ signal: own.signal });
      const stayer = hub.subscribe();
      expect(await quitter.next()).toEqual({ done: false, value: 0 });
      own.abort("mine");
      await expect(quitter.next()).rejects.toMatchObject({ name: "AbortError", cause: "mine" });
      expect((await collect(stayer, 10)).values).toEqual(range(10));
      expect(s.stats.teardowns).toBe(1);
      expect(listeners(own.signal)).toBe(0);
      if (hubSignal !== undefined) expect(listeners(hubSignal)).toBe(0);
    }
  });

  test("a consumer with its own signal also stops when the broadcast's signal aborts", async () => {
    const hubController = new AbortController();
    const own = new AbortController();
    const s = source(range(10), { endless: true });
    const hub = broadcast(s.it, { signal: hubController.signal });
    const a = hub.subscribe({ signal: own.signal });
    expect(await a.next()).toEqual({ done: false, value: 0 });
    hubController.abort("everyone");
    await expect(a.next()).rejects.toMatchObject({ name: "AbortError", cause: "everyone" });
    await turn();
    expect(s.stats.teardowns).toBe(1);
    expect(listeners(hubController.signal)).toBe(0);
    expect(listeners(own.signal)).toBe(0);
  });

  test("a consumer given the broadcast's own signal stops with it, or by itself", async () => {
    const controller = new AbortController();
    const s = source(range(10), { endless: true });
    const hub = broadcast(s.it, { signal: controller.signal });
    const a = hub.subscribe({ signal: controller.signal });
    expect(await a.next()).toEqual({ done: false, value: 0 });
    controller.abort("both");
    await expect(a.next()).rejects.toMatchObject({ name: "AbortError", cause: "both" });
    await turn();
    expect(s.stats.teardowns).toBe(1);
    expect(listeners(controller.signal)).toBe(0);

    const shared = new AbortController().signal;
    const t = source(range(10), { endless: true });
    const b = broadcast(t.it, { signal: shared }).subscribe({ signal: shared });
    expect(await b.next()).toEqual({ done: false, value: 0 });
    await b.return(); // the last consumer: the source stops
    expect(t.stats.teardowns).toBe(1);
    expect(listeners(shared)).toBe(0);
  });

  test("a consumer whose own signal already aborted fails at once; the others read on", async () => {
    const s = source(range(3));
    const hub = broadcast(s.it, { signal: new AbortController().signal });
    const late = hub.subscribe({ signal: AbortSignal.abort("not me") });
    const reader = hub.subscribe();
    await expect(late.next()).rejects.toMatchObject({ name: "AbortError", cause: "not me" });
    expect((await collect(reader)).values).toEqual(range(3));
  });

  test("a signal whose removeEventListener throws holds no listener of the broadcast once it aborted", async () => {
    const unremovable = (controller: AbortController): AbortSignal => {
      controller.signal.removeEventListener = () => {
        throw new Error("cannot remove");
      };
      return controller.signal;
    };
    const hubController = new AbortController();
    const hub = broadcast(source(range(3), { endless: true }).it, { signal: unremovable(hubController) });
    const own = new AbortController();
    const a = hub.subscribe({ signal: unremovable(own) });
    const b = hub.subscribe({ signal: new AbortController().signal });
    await a.next();
    own.abort("a stops");
    await expect(a.next()).rejects.toBeInstanceOf(AbortError);
    expect(listeners(own.signal)).toBe(0);
    hubController.abort("all stop");
    await expect(b.next()).rejects.toBeInstanceOf(AbortError);
    await turn();
    expect(listeners(hubController.signal)).toBe(0);
  });

  test("subscribe() throws what a signal's addEventListener throws, and leaves no listener behind", async () => {
    const hubController = new AbortController();
    const s = source(range(3));
    const hub = broadcast(s.it, { signal: hubController.signal });
    const boom = new Error("no listeners here");
    const refusing = new AbortController().signal;
    refusing.addEventListener = () => {
      throw boom;
    };
    const before = listeners(hubController.signal);
    expect(() => hub.subscribe({ signal: refusing })).toThrow(boom);
    expect(listeners(hubController.signal)).toBe(before);
    expect(hub.consumers).toBe(0);
    await hub.stop();
  });
});
