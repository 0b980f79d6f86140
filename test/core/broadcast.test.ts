import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, broadcast } from "../../src/core/index.js";
import { collect, source, ticks, turn } from "../helpers/sources.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

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

  test("validates its arguments", () => {
    const empty = (async function* () {})();
    expect(() => broadcast(null as never)).toThrow(InvalidArgumentError);
    expect(() => broadcast(empty, { consumers: 0 })).toThrow("Expected `consumers` to be an integer >= 1");
    expect(() => broadcast(empty, { highWaterMark: -2 })).toThrow("highWaterMark");
    expect(() => broadcast(empty, { name: 3 } as never)).toThrow("Expected `name` to be a string");
    expect(() => broadcast(empty).subscribe({ overflow: "nope" } as never)).toThrow(InvalidArgumentError);
  });
});
