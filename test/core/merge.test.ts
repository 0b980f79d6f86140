import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, channel, merge, openBridges, pull, subscribe } from "../../src/core/index.js";
import { collect, source, ticks, turn } from "../helpers/sources.js";

describe("merge", () => {
  test("delivers every value of every source once, each source in order", async () => {
    const a = source(["a1", "a2", "a3"], { ticks: [0, 2, 1] });
    const b = source(["b1", "b2"], { ticks: [3, 0] });
    const c = channel<string>();
    for (const v of ["c1", "c2", "c3", "c4"]) c.push(v);
    c.end();
    const { values, error } = await collect(merge([a.it, b.it, c]));
    expect(error).toBeUndefined();
    expect([...values].sort()).toEqual(["a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3", "c4"]);
    for (const prefix of ["a", "b", "c"]) {
      const own = values.filter((v) => v.startsWith(prefix));
      expect(own).toEqual([...own].sort());
    }
    expect(a.stats.teardowns).toBe(1);
    expect(b.stats.teardowns).toBe(1);
  });

  test("reads async generators too", async () => {
    async function* gen(prefix: string, n: number): AsyncGenerator<string> {
      for (let i = 0; i < n; i += 1) {
        await ticks(i % 3);
        yield `${prefix}${i}`;
      }
    }
    const { values } = await collect(merge([gen("x", 5), gen("y", 5)]));
    expect(values.filter((v) => v.startsWith("x"))).toEqual(["x0", "x1", "x2", "x3", "x4"]);
    expect(values.filter((v) => v.startsWith("y"))).toEqual(["y0", "y1", "y2", "y3", "y4"]);
  });

  test("no sources: done at once", async () => {
    expect(await merge<number>([]).next()).toEqual({ done: true, value: undefined });
  });

  test("stopping stops every source concurrently, each teardown once, and waits for them", async () => {
    const sources = [0, 1, 2].map((i) => source([i], { endless: true, slowTeardown: 2 + i }));
    const merged = merge(sources.map((s) => s.it));
    for (let i = 0; i < 3; i += 1) expect((await merged.next()).done).toBe(false);
    const pending = merged.next(); // a pending next() settles done on stop
    await merged.return();
    for (const s of sources) {
      expect(s.stats.teardowns).toBe(1);
      expect(s.stats.stopped).toBe(true);
    }
    expect(await pending).toEqual({ done: true, value: undefined });
    await merged.return(); // idempotent
    for (const s of sources) expect(s.stats.teardowns).toBe(1);
  });

  test("sources are stopped concurrently: every return() starts before any has to finish", async () => {
    let started = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const sources = [0, 1, 2].map(() =>
      subscribe<number>(() => async () => {
        started += 1;
        if (started === 3) openGate();
        await gate; // a sequential stop would wait here forever
      }),
    );
    const merged = merge(sources);
    const pending = merged.next();
    await turn();
    await merged.return();
    expect(started).toBe(3);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  test("break in for await stops every source", async () => {
    const sources = [0, 1].map((i) => source([i, i, i, i], { endless: true }));
    for await (const _ of merge(sources.map((s) => s.it))) break;
    for (const s of sources) expect(s.stats.teardowns).toBe(1);
  });

  test("stop before the first next() finishes sources that are bridges, which never start", async () => {
    const sources = [0, 1].map((i) => source([i], { endless: true }));
    const merged = merge(sources.map((s) => s.it));
    await merged.return();
    await turn();
    for (const s of sources) expect(s.stats.teardowns).toBe(0); // never started: nothing to tear down
    expect(openBridges()).toEqual([]);
  });

  test("an error in one source surfaces once, after the values already delivered, and stops the others", async () => {
    const boom = new Error("boom");
    const bad = source([1, 2], { error: boom });
    const others = [source([10, 11, 12, 13, 14, 15], { endless: true }), source([20], { endless: true })];
    const merged = merge([bad.it, ...others.map((s) => s.it)], { highWaterMark: 0 });
    const { values, error, errors } = await collect(merged);
    expect(error).toBe(boom);
    expect(errors).toBe(1);
    expect(values.filter((v) => v < 10)).toEqual([1, 2]);
    expect(await merged.next()).toEqual({ done: true, value: undefined });
    await merged.return();
    for (const s of others) expect(s.stats.teardowns).toBe(1);
    expect(bad.stats.teardowns).toBe(1);
  });

  test("two failing sources: only the first error surfaces", async () => {
    const first = new Error("first");
    const merged = merge([source([], { error: first }).it, source([], { ticks: [5], error: new Error("second") }).it]);
    const { error, errors } = await collect(merged);
    expect(error).toBe(first);
    expect(errors).toBe(1);
  });

  test("an aborted signal rejects next() with an AbortError and stops every source", async () => {
    const controller = new AbortController();
    const sources = [0, 1].map((i) => source([i], { endless: true }));
    const merged = merge(
      sources.map((s) => s.it),
      { signal: controller.signal },
    );
    await merged.next();
    await merged.next();
    const pending = merged.next();
    controller.abort("enough");
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await expect(merged.next()).rejects.toMatchObject({ name: "AbortError", cause: "enough" });
    await merged.return();
    for (const s of sources) expect(s.stats.teardowns).toBe(1);
  });

  test("bounded buffering: a slow consumer holds every source back", async () => {
    const sources = [0, 1, 2].map((i) => source(Array.from({ length: 100 }, (_, k) => i * 1000 + k)));
    const merged = merge(
      sources.map((s) => s.it),
      { highWaterMark: 4, name: "bounded" },
    );
    let maxBuffered = 0;
    let read = 0;
    for await (const _ of merged) {
      read += 1;
      await turn();
      const info = openBridges().find((b) => b.name === "bounded");
      maxBuffered = Math.max(maxBuffered, info?.buffered ?? 0);
      const sent = sources.reduce((sum, s) => sum + s.stats.sent, 0);
      // buffer (4) + one value over it per pump (3) + one in flight per source (3)
      expect(sent - read).toBeLessThanOrEqual(4 + 3 + 3);
    }
    expect(read).toBe(300);
    expect(maxBuffered).toBeLessThanOrEqual(4 + 3);
  });

  test("a source whose return() rejects makes stop() reject with that error", async () => {
    const failing: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<number>>(() => {}),
        return: () => Promise.reject(new Error("cannot stop")),
      }),
    };
    const merged = merge([failing]);
    const pending = merged.next();
    await ticks(2);
    await expect(merged.return()).rejects.toThrow("cannot stop");
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  test("regression: a drop policy with a slow consumer drops values and still ends (send() resolved false for a drop)", async () => {
    const ch = channel<number>({ highWaterMark: Infinity });
    for (let i = 0; i < 10; i += 1) ch.push(i);
    ch.end();
    const got: number[] = [];
    for await (const v of merge([ch], { highWaterMark: 2, overflow: "drop-newest" })) {
      got.push(v);
      await turn();
    }
    expect(got.length).toBeLessThan(10);
    expect(got).toEqual([...got].sort((a, b) => a - b));
  });

  test("regression (found by the property test): a source that throws while being stopped makes stop() reject with its error", async () => {
    const first = new Error("first");
    const late = new Error("late");
    const failing = pull<number>(async () => {
      throw first;
    });
    const throwsWhenStopped = pull<number>(async (send, signal) => {
      await send(1);
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      throw late; // a real error, not the abort reason: it reaches the caller of stop() (no stray rejections)
    });
    const merged = merge([throwsWhenStopped, failing]);
    const { error } = await collect(merged);
    expect(error).toBe(first);
    await expect(merged.return()).rejects.toBe(late);
  });

  test("bounded buffering with plain async iterables: a slow consumer holds every source back, and after a stop nothing more is pulled", async () => {
    const pulls = [0, 0];
    const counting = (i: number): AsyncIterable<number> => ({
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          pulls[i] = (pulls[i] ?? 0) + 1;
          return { value: i * 1000 + (pulls[i] ?? 0), done: false };
        },
        return: async () => ({ value: undefined, done: true }),
      }),
    });
    const merged = merge([counting(0), counting(1)], { highWaterMark: 2 });
    for (let read = 1; read <= 20; read += 1) {
      await merged.next();
      await ticks(20);
      // buffer (2) + one value over it per pump (2) + one in flight per source (2)
      expect(pulls[0]! + pulls[1]! - read).toBeLessThanOrEqual(2 + 2 + 2);
    }
    await merged.return();
    const stoppedAt = pulls[0]! + pulls[1]!;
    await ticks(20);
    expect(pulls[0]! + pulls[1]!).toBe(stoppedAt);
  });

  test("after one source fails, the other plain source is not pulled again", async () => {
    let pulled = 0;
    const endless: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ value: (pulled += 1), done: false }),
        return: async () => ({ value: undefined, done: true }),
      }),
    };
    const failing = (async function* () {
      await ticks(3);
      throw new Error("boom");
    })();
    const merged = merge([endless, failing], { highWaterMark: Infinity, overflow: "error" });
    await expect(collect(merged)).resolves.toMatchObject({ error: expect.objectContaining({ message: "boom" }) });
    const atFailure = pulled;
    await ticks(20);
    expect(pulled).toBe(atFailure);
  });

  test("a source that cannot be opened fails the merge; every other source is finished, none opened twice", async () => {
    const calls = { opens: [0, 0, 0, 0], returns: [0, 0, 0, 0] };
    const cannotOpen = new Error("cannot open");
    const counted = (i: number): AsyncIterable<number> => ({
      [Symbol.asyncIterator]: () => {
        calls.opens[i]! += 1;
        if (i === 2) throw cannotOpen;
        return {
          next: () => new Promise<IteratorResult<number>>(() => {}),
          return: async () => {
            calls.returns[i]! += 1;
            return { done: true, value: undefined };
          },
        };
      },
    });
    const merged = merge([0, 1, 2, 3].map(counted));
    await expect(merged.next()).rejects.toBe(cannotOpen);
    await turn();
    expect(calls).toEqual({ opens: [1, 1, 1, 1], returns: [1, 1, 0, 1] });

    const notAnIterator = { [Symbol.asyncIterator]: () => null } as unknown as AsyncIterable<number>;
    await expect(merge([counted(0), notAnIterator]).next()).rejects.toThrow(
      "Expected `sources[1][Symbol.asyncIterator]()` to be an async iterator (an object with a next() method), got null",
    );
  });

  test("is listed in leak reports as a merge, named `merge` unless named", async () => {
    const sources = [source([1], { endless: true, name: "a" }), source([2], { endless: true, name: "b" })];
    const unnamed = merge([sources[0]!.it]);
    const named = merge([sources[1]!.it], { name: "events" });
    expect(openBridges().map(({ name, kind }) => ({ name, kind }))).toEqual([
      { name: "a", kind: "subscribe" },
      { name: "b", kind: "subscribe" },
      { name: "merge", kind: "merge" },
      { name: "events", kind: "merge" },
    ]);
    await Promise.all([unnamed.return(), named.return()]);
  });

  test("a source that is a bridge is read highWaterMark values at a time, not all it has buffered", async () => {
    const input = channel<number>({ highWaterMark: Infinity, name: "input" });
    for (let i = 0; i < 300; i += 1) input.push(i);
    input.end();
    const merged = merge([input], { highWaterMark: 4 });
    expect(await merged.next()).toEqual({ done: false, value: 0 });
    await turn();
    const left = openBridges().find((b) => b.name === "input")?.buffered ?? 0;
    // taken: the merged buffer (4), one value over it, and the rest of the batch waiting in the pump
    expect(300 - left).toBeLessThanOrEqual(1 + 4 + 4);
    expect((await collect(merged)).values).toEqual(Array.from({ length: 299 }, (_, i) => i + 1));
  });

  test("a plain source waiting for room is not pulled again once the merge is stopped", async () => {
    let pulls = 0;
    let returned = 0;
    const endless: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ value: (pulls += 1), done: false }),
        return: async () => {
          returned += 1;
          return { value: undefined, done: true };
        },
      }),
    };
    const merged = merge([endless], { highWaterMark: 1 });
    expect(await merged.next()).toEqual({ done: false, value: 1 });
    await turn(); // the pump fills the buffer and waits for room
    const stopping = merged.return();
    const stoppedAt = pulls;
    expect(returned).toBe(1);
    await stopping;
    await turn();
    expect(pulls).toBe(stoppedAt);
  });

  test("with a drop policy, plain sources are not pulled after a stop either", async () => {
    const pulls = [0, 0];
    const counting = (i: number): AsyncIterable<number> => ({
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ value: (pulls[i]! += 1), done: false }),
        return: async () => ({ value: undefined, done: true }),
      }),
    });
    const merged = merge([counting(0), counting(1)], { highWaterMark: 2, overflow: "drop-oldest" });
    for (let read = 0; read < 5; read += 1) expect((await merged.next()).done).toBe(false);
    await merged.return();
    const stoppedAt = pulls[0]! + pulls[1]!;
    await ticks(20); // not turn(): nothing here may wait for a macrotask while the pumps are free to spin
    expect(pulls[0]! + pulls[1]!).toBe(stoppedAt);
  });

  test("a source whose next() resolves to undefined (not an iterator result) fails the merge with a TypeError", async () => {
    const broken = { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(undefined) }) } as unknown as AsyncIterable<number>;
    const other = source([1], { endless: true });
    const merged = merge([other.it, broken]);
    const { error } = await collect(merged);
    expect(error).toBeInstanceOf(TypeError);
    expect(other.stats.teardowns).toBe(1);
  });

  test("validates its arguments", () => {
    for (const bad of [null, undefined, "ab", {}, 42]) {
      expect(() => merge(bad as never)).toThrow(expect.objectContaining({ code: "ERR_SLUICE_INVALID_ARGUMENT", message: expect.stringContaining("Expected `sources` to be an iterable (e.g. an array) of async iterables") }));
    }
    expect(() => merge(42 as never)).toThrow(InvalidArgumentError);
    expect(() => merge([42 as never])).toThrow("Expected `sources[0]` to be an async iterable");
    expect(() => merge([], { highWaterMark: -1 })).toThrow(InvalidArgumentError);
  });
});
