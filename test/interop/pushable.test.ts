// Compatibility suite: the same cases run against it-pushable 3.2.4 and sluice's `pushable()`.
//
// - "kept": one body, run for both implementations, asserting the same results. Most are the semantic
//   cases of it-pushable's own test suite (push slowly, buffer, falsy values, end before start, onEnd on
//   end/return/throw, writev, readableLength, onEmpty…), rewritten without timers.
// - "changed": one named test per difference, asserting what each implementation does. docs/interop.md
//   has the same list, with the reasons.
// - "sluice additions": what it-pushable has no API for (signal, backpressure, leak tracking).
//
// "Hangs" means still pending after several event-loop turns with nothing left to run (test/helpers.ts).
import { getEventListeners } from "node:events";
import * as itPushable from "it-pushable";
import { pipe } from "it-pipe";
import { describe, expect, test, vi } from "vitest";
import { AbortError, InvalidArgumentError, openBridges } from "../../src/core/index.js";
import { pushable, pushableV } from "../../src/interop/index.js";
import { assertNoLeaks, leakBaseline } from "../../src/testing/index.js";
import { flush, settledState } from "../helpers.js";

interface Implementation {
  readonly name: "it-pushable" | "sluice";
  // Typed as it-pushable's functions: sluice's must be assignable to them (a type-level check of its own).
  readonly pushable: typeof itPushable.pushable;
  readonly pushableV: typeof itPushable.pushableV;
}

const implementations: readonly Implementation[] = [
  { name: "it-pushable", pushable: itPushable.pushable, pushableV: itPushable.pushableV },
  { name: "sluice", pushable, pushableV },
];
const [itp, sluice] = implementations as [Implementation, Implementation];

/** Reads everything, as it-all does. */
async function all<T>(source: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of source) values.push(value);
  return values;
}

/** One event-loop turn (instead of the timers of it-pushable's own tests). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An object with a `byteLength` that is not a typed array, like uint8arraylist's `Uint8ArrayList`. */
class ChunkList {
  readonly #chunks: Uint8Array[];
  constructor(...chunks: Uint8Array[]) {
    this.#chunks = chunks;
  }
  get byteLength(): number {
    return this.#chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** How a next() ended: the value, "done", or "rejects <message>". */
async function outcome(promise: Promise<IteratorResult<unknown>>): Promise<unknown> {
  return promise.then(
    (r) => (r.done === true ? "done" : r.value),
    (e: unknown) => `rejects ${(e as Error).message}`,
  );
}

describe.each(implementations)("kept: $name", ({ pushable, pushableV }) => {
  test("values pushed one per turn arrive in order through it-pipe", async () => {
    const source = pushable<number>({ objectMode: true });
    void (async () => {
      for (const v of [1, 2, 3]) {
        await turn();
        source.push(v);
      }
      await turn();
      source.end();
    })();
    expect(await pipe(source, all)).toEqual([1, 2, 3]);
  });

  test("values pushed before anyone reads are buffered", async () => {
    const source = pushable<number>({ objectMode: true });
    for (const v of [1, 2, 3]) source.push(v);
    setImmediate(() => source.end());
    expect(await pipe(source, all)).toEqual([1, 2, 3]);
  });

  test("falsy values are delivered like any other", async () => {
    const input = [1, 2, 3, undefined, null, 0, 4];
    const source = pushable<number | null | undefined>({ objectMode: true });
    for (const v of input) source.push(v);
    source.end();
    expect(await all(source)).toEqual(input);
  });

  test("bursts and single values across turns keep push order", async () => {
    const input = [1, [2.1, 2.2, 2.3], 3, 4, 5, [6.1, 6.2, 6.3, 6.4], 7];
    const source = pushable<number>({ objectMode: true });
    void (async () => {
      for (const item of input) {
        for (const v of [item].flat()) source.push(v);
        await turn();
      }
      source.end();
    })();
    expect(await all(source)).toEqual(input.flat());
  });

  test("end() before the first read: the buffered values, then done", async () => {
    const source = pushable<number>({ objectMode: true });
    for (const v of [1, 2, 3]) source.push(v);
    source.end();
    expect(await all(source)).toEqual([1, 2, 3]);
  });

  test("end() without a push: nothing, then done", async () => {
    const source = pushable({ objectMode: true });
    source.end();
    expect(await all(source)).toEqual([]);
  });

  test("next() after end and drain keeps answering done", async () => {
    const source = pushable<number>({ objectMode: true });
    source.push(1);
    expect(await source.next()).toEqual({ done: false, value: 1 });
    source.end();
    expect(await source.next()).toEqual({ done: true, value: undefined });
    expect(await source.next()).toEqual({ done: true, value: undefined });
  });

  test("end(err) with nothing buffered: the pipe rejects with err", async () => {
    const source = pushable<number>({ objectMode: true });
    void (async () => {
      source.push(1);
      await turn();
      source.end(new Error("boom"));
    })();
    await expect(pipe(source, all)).rejects.toThrow("boom");
  });

  test("end(err) with nothing buffered: the pending next() rejects once, then done", async () => {
    const source = pushable({ objectMode: true });
    const pending = source.next();
    source.end(new Error("boom"));
    await expect(pending).rejects.toThrow("boom");
    expect(await source.next()).toEqual({ done: true, value: undefined });
  });

  test("push() and end() return the pushable, for chaining", async () => {
    const source = pushable<number>({ objectMode: true });
    expect(source.push(1).push(2)).toBe(source);
    expect(source.end()).toBe(source);
    expect(source[Symbol.asyncIterator]()).toBe(source);
    expect(await all(source)).toEqual([1, 2]);
  });

  test("push() after end() is silently ignored", async () => {
    const source = pushable<number>({ objectMode: true });
    source.push(1).end();
    expect(source.push(2)).toBe(source);
    expect(await all(source)).toEqual([1]);
  });

  test("end() is idempotent; end(err) after end() is ignored", async () => {
    const onEnd = vi.fn();
    const source = pushable<number>({ objectMode: true, onEnd });
    source.end();
    source.end(new Error("late"));
    source.end();
    expect(await all(source)).toEqual([]);
    expect(onEnd.mock.calls).toEqual([[undefined]]);
  });

  test("return() while a next() is pending: the next() is done, and so is every later one", async () => {
    const source = pushable<number>({ objectMode: true });
    const pending = source.next();
    await Promise.resolve(source.return());
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(source.push(1)).toBe(source); // ignored: the consumer has gone
    expect(await source.next()).toEqual({ done: true, value: undefined });
    expect(source.readableLength).toBe(0);
  });

  test("return() drops the buffered values", async () => {
    const source = pushable<number>({ objectMode: true });
    source.push(1).push(2);
    await Promise.resolve(source.return());
    expect(source.readableLength).toBe(0);
    expect(await source.next()).toEqual({ done: true, value: undefined });
  });

  test("onEnd is called when the source is ended and read, with nothing buffered: inside end()", async () => {
    const onEnd = vi.fn();
    const source = pushable<number>({ objectMode: true, onEnd });
    const reading = pipe(source, all);
    for (const v of [1, 2, 3]) {
      await turn();
      source.push(v);
    }
    await turn(); // the reader has taken every value
    source.end();
    expect(onEnd).toHaveBeenCalledTimes(1); // synchronously, in both
    expect(await reading).toEqual([1, 2, 3]);
    expect(onEnd.mock.calls).toEqual([[undefined]]);
  });

  test("onEnd is called even if nobody ever reads", () => {
    const onEnd = vi.fn();
    pushable({ objectMode: true, onEnd }).end();
    expect(onEnd.mock.calls).toEqual([[undefined]]);
  });

  test("onEnd receives the error of end(err)", async () => {
    const onEnd = vi.fn();
    const source = pushable({ objectMode: true, onEnd });
    const reading = pipe(source, all);
    await turn();
    source.end(new Error("boom"));
    await expect(reading).rejects.toThrow("boom");
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(onEnd.mock.calls[0]?.[0]).toHaveProperty("message", "boom");
  });

  test("onEnd is called once when the consumer breaks out before end()", async () => {
    const output: number[] = [];
    const onEnd = vi.fn(() => expect(output).toEqual([1, 2]));
    const source = pushable<number>({ objectMode: true, onEnd });
    void (async () => {
      for (const v of [1, 2, 3, 4, 5]) {
        source.push(v);
        await turn();
      }
      source.end();
    })();
    for await (const value of source) if (output.push(value) === 2) break;
    for (let i = 0; i < 5; i += 1) await turn(); // the producer pushes (ignored) and ends (ignored)
    expect(onEnd.mock.calls).toEqual([[]]); // return() calls onEnd without arguments
  });

  test("onEnd is called once by return(), however often next() and return() are called after", async () => {
    const onEnd = vi.fn();
    const source = pushable<number>({ objectMode: true, onEnd });
    source.push(1);
    expect(await source.next()).toEqual({ done: false, value: 1 });
    await Promise.resolve(source.return());
    expect(await source.next()).toEqual({ done: true, value: undefined });
    await Promise.resolve(source.return());
    source.end();
    expect(onEnd.mock.calls).toEqual([[]]);
  });

  test("onEnd receives the error of throw(err), and the values read before", async () => {
    const output: number[] = [];
    const onEnd = vi.fn();
    const source = pushable<number>({ objectMode: true, onEnd });
    for (const v of [1, 2, 3, 4, 5]) source.push(v);
    for (let i = 0; i < 2; i += 1) {
      const { value } = await source.next();
      if (value != null) output.push(value);
    }
    const error = new Error("boom");
    await Promise.resolve(source.throw(error));
    expect(output).toEqual([1, 2]);
    expect(onEnd.mock.calls).toEqual([[error]]);
    expect(source.readableLength).toBe(0);
  });

  test("pushableV yields everything buffered as one array", async () => {
    const source = pushableV<number>({ objectMode: true });
    for (const v of [1, 2, 3]) source.push(v);
    setImmediate(() => source.end());
    expect(await pipe(source, all)).toEqual([[1, 2, 3]]);
  });

  test("pushableV always yields arrays; a waiting next() gets the first value alone", async () => {
    const source = pushableV<number>({ objectMode: true });
    const first = source.next();
    source.push(1).push(2).push(3);
    expect(await first).toEqual({ done: false, value: [1] });
    expect(source.readableLength).toBe(2);
    expect(await source.next()).toEqual({ done: false, value: [2, 3] });
    source.end();
    expect(await all(source)).toEqual([]);
  });

  test("pushableV: end(err) rejects the pipe", async () => {
    const source = pushableV<number>({ objectMode: true });
    for (const v of [1, 2, 3]) source.push(v);
    source.end(new Error("boom"));
    await expect(pipe(source, all)).rejects.toThrow("boom");
  });

  test("readableLength counts values in object mode", async () => {
    const source = pushable<number>({ objectMode: true });
    expect(source.readableLength).toBe(0);
    source.push(1);
    expect(source.readableLength).toBe(1);
    source.push(1);
    expect(source.readableLength).toBe(2);
    await source.next();
    expect(source.readableLength).toBe(1);
    await source.next();
    expect(source.readableLength).toBe(0);
    await source.return();
  });

  test("readableLength counts bytes in byte mode: Uint8Arrays and byteLength objects, mixed", async () => {
    const source = pushable<Uint8Array | ChunkList>();
    expect(source.readableLength).toBe(0);
    source.push(new ChunkList(bytes(1), bytes(2)));
    expect(source.readableLength).toBe(2);
    source.push(bytes(3, 4, 5));
    expect(source.readableLength).toBe(5);
    await source.next();
    expect(source.readableLength).toBe(3);
    await source.next();
    expect(source.readableLength).toBe(0);
    await source.return();
  });

  test("readableLength drops as soon as next() takes a value, before it settles", async () => {
    const source = pushable();
    source.push(bytes(1, 2)).push(bytes(3));
    const taking = source.next();
    expect(source.readableLength).toBe(1);
    expect((await taking).value).toEqual(bytes(1, 2));
    await source.return();
  });

  test("a value handed straight to a waiting next() is never counted in readableLength", async () => {
    const source = pushable();
    const pending = source.next();
    source.push(bytes(1, 2, 3));
    expect(source.readableLength).toBe(0);
    expect((await pending).value).toEqual(bytes(1, 2, 3));
    source.end();
  });

  test("byte mode refuses a value without byteLength, at push time (the error differs: see changed)", async () => {
    const source = pushable();
    // @ts-expect-error byte mode takes values with a byteLength
    expect(() => source.push("hello")).toThrow();
    expect(source.readableLength).toBe(0);
    source.end();
  });

  test("onEmpty() resolves at once when nothing is buffered", async () => {
    const source = pushableV<number>({ objectMode: true });
    await expect(source.onEmpty()).resolves.toBeUndefined();
    source.end();
  });

  test("onEmpty() without a signal after end() resolves, even with values nobody reads (it-pushable's own test 'should call onEnd after onEmpty' relies on it)", async () => {
    const source = pushable<Uint8Array>();
    source.push(bytes(1)).push(bytes(2, 3));
    const before = source.onEmpty(); // waiting (sluice) when end() comes: released by it
    source.end();
    await expect(source.onEmpty()).resolves.toBeUndefined();
    await expect(before).resolves.toBeUndefined();
    expect(await all(source)).toEqual([bytes(1), bytes(2, 3)]); // nothing was dropped
  });

  test("onEmpty({ signal }) resolves once the consumer has taken every value", async () => {
    const source = pushable<number>({ objectMode: true });
    source.push(1);
    let resolved = false;
    const empty = source.onEmpty({ signal: new AbortController().signal }).then(() => (resolved = true));
    source.push(2);
    await source.next();
    await flush();
    expect(resolved).toBe(false);
    await source.next();
    await empty;
    expect(resolved).toBe(true);
    source.end();
  });

  test("onEmpty({ signal }) on a pushableV resolves after the one batch", async () => {
    const source = pushableV<number>({ objectMode: true });
    source.push(1).push(2);
    const empty = source.onEmpty({ signal: new AbortController().signal });
    expect(await source.next()).toEqual({ done: false, value: [1, 2] });
    await expect(empty).resolves.toBeUndefined();
    source.end();
  });

  test("onEmpty({ signal }) rejects with code ABORT_ERR when the signal aborts; the pushable goes on", async () => {
    const source = pushable<number>({ objectMode: true });
    source.push(1);
    const controller = new AbortController();
    const empty = source.onEmpty({ signal: controller.signal });
    source.push(2);
    controller.abort();
    await expect(empty).rejects.toMatchObject({ code: "ABORT_ERR", message: "The operation was aborted" });
    source.end();
    expect(await all(source)).toEqual([1, 2]);
  });
});

describe("changed", () => {
  test("changed: concurrent next() calls are served in call order (it-pushable keeps only the last one: the others hang)", async () => {
    const run = async (impl: Implementation): Promise<unknown[]> => {
      const source = impl.pushable<number>({ objectMode: true });
      const calls = [source.next(), source.next(), source.next()];
      source.push(1).push(2).push(3);
      await flush(5);
      const states = await Promise.all(calls.map((c) => settledState(c)));
      await Promise.resolve(source.return());
      return states.includes("pending") ? states : Promise.all(calls.map(outcome));
    };
    expect(await run(itp)).toEqual(["pending", "pending", "fulfilled"]); // each call overwrote the previous one's slot
    expect(await run(sluice)).toEqual([1, 2, 3]);
  });

  test("changed: end(err) delivers the values pushed before the error (it-pushable drops them)", async () => {
    const run = async (impl: Implementation): Promise<unknown[]> => {
      const source = impl.pushable<number>({ objectMode: true });
      source.push(1).push(2).end(new Error("boom"));
      return [await outcome(source.next()), await outcome(source.next()), await outcome(source.next())];
    };
    expect(await run(itp)).toEqual(["rejects boom", "done", "done"]);
    expect(await run(sluice)).toEqual([1, 2, "rejects boom"]);
  });

  test("changed: with values still buffered, onEnd waits for them to be taken (it-pushable calls it inside end())", async () => {
    const run = async (impl: Implementation): Promise<string[]> => {
      const log: string[] = [];
      const source = impl.pushable<number>({ objectMode: true, onEnd: () => log.push("onEnd") });
      source.push(1).push(2);
      source.end();
      log.push("end() returned");
      for await (const v of source) log.push(`got ${v}`);
      return log;
    };
    expect(await run(itp)).toEqual(["onEnd", "end() returned", "got 1", "got 2"]);
    expect(await run(sluice)).toEqual(["end() returned", "got 1", "onEnd", "got 2"]);
  });

  test("changed: it-pushable's own 'should call onEnd after onEmpty' (end() with values nobody reads): onEmpty() resolves in both, onEnd waits for a reader in sluice, which lists the pushable as open meanwhile", async () => {
    const run = async (impl: Implementation): Promise<{ onEnd: string; open: string[] }> => {
      let ended = false;
      const source = impl.pushable({ onEnd: () => (ended = true) });
      source.push(bytes(1)).push(bytes(2)).push(bytes(3));
      source.end();
      await source.onEmpty(); // resolves in both (it used to hang in sluice)
      await flush();
      const result = { onEnd: ended ? "called" : "pending", open: openBridges().map((b) => `${b.kind}: ${b.state}`) };
      await Promise.resolve(source.return());
      return result;
    };
    expect(await run(itp)).toEqual({ onEnd: "called", open: [] });
    // The unread values keep it open: the leak check of a test suite names it, so the wait is not silent.
    expect(await run(sluice)).toEqual({ onEnd: "pending", open: ["pushable: producer finished; 3 values buffered and not read"] });
  });

  test("changed: an onEnd that throws: end() throws it in both; return() and throw() reject with it (it-pushable: thrown synchronously)", async () => {
    const thrown = (): Error => new Error("onEnd broke");
    for (const method of ["return", "throw"] as const) {
      const a = itp.pushable({ objectMode: true, onEnd: () => { throw thrown(); } });
      expect(() => (method === "return" ? a.return() : a.throw(new Error("stop")))).toThrow("onEnd broke");
      const b = sluice.pushable({ objectMode: true, onEnd: () => { throw thrown(); } });
      await expect(method === "return" ? b.return() : b.throw(new Error("stop"))).rejects.toThrow("onEnd broke");
    }
    for (const impl of implementations) {
      const source = impl.pushable({ objectMode: true, onEnd: () => { throw thrown(); } });
      expect(() => source.end()).toThrow("onEnd broke");
    }
  });

  test("changed: an onEnd that throws where nobody called it (inside the next() that took the last value, or on abort) rejects the consumer's next call, never an uncaught exception", async () => {
    // it-pushable never calls onEnd from next() (it calls it inside end()) and has no signal.
    const broke = new Error("onEnd broke");
    const source = pushable<number>({ objectMode: true, onEnd: () => { throw broke; } });
    source.push(1).end();
    expect(await source.next()).toEqual({ done: false, value: 1 }); // took the last value: onEnd ran here
    await expect(source.next()).rejects.toBe(broke);
    expect(await source.next()).toEqual({ done: true, value: undefined });

    const controller = new AbortController();
    const aborted = pushable<number>({ objectMode: true, signal: controller.signal, onEnd: () => { throw broke; } });
    const pending = aborted.next();
    controller.abort(new Error("shutdown"));
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await expect(aborted.return()).rejects.toBe(broke); // or the next next(), whichever comes first
    await expect(aborted.next()).rejects.toMatchObject({ name: "AbortError" });
    await flush(); // an uncaught exception would fail the run here
  });

  test("changed: with values still buffered, onEnd(err) of end(err) waits for them too", async () => {
    const run = async (impl: Implementation): Promise<string[]> => {
      const log: string[] = [];
      const source = impl.pushable<number>({ objectMode: true, onEnd: (err) => log.push(`onEnd ${err?.message}`) });
      source.push(1).end(new Error("boom"));
      log.push("end(err) returned");
      log.push(String(await outcome(source.next())), String(await outcome(source.next())));
      return log;
    };
    expect(await run(itp)).toEqual(["onEnd boom", "end(err) returned", "rejects boom", "done"]);
    expect(await run(sluice)).toEqual(["end(err) returned", "onEnd boom", "1", "rejects boom"]);
  });

  test("changed: return() and throw() answer with a promise (it-pushable: a plain object, synchronously)", async () => {
    for (const method of ["return", "throw"] as const) {
      const a = itp.pushable({ objectMode: true });
      const b = sluice.pushable({ objectMode: true });
      const call = (p: typeof a): unknown => (method === "return" ? p.return() : p.throw(new Error("stop")));
      expect(call(a)).toEqual({ done: true }); // not a promise
      const answer = call(b);
      expect(answer).toBeInstanceOf(Promise);
      expect(await answer).toEqual({ done: true, value: undefined });
    }
  });

  test("changed: throw(err) stops the consumer at once: pending and later next() are done (it-pushable rejects the next one with err)", async () => {
    const run = async (impl: Implementation): Promise<unknown[]> => {
      const source = impl.pushable<number>({ objectMode: true });
      const pending = source.next();
      await Promise.resolve(source.throw(new Error("boom")));
      return [await outcome(pending), await outcome(source.next())];
    };
    expect(await run(itp)).toEqual(["rejects boom", "done"]);
    expect(await run(sluice)).toEqual(["done", "done"]);
    // With values buffered and no next() pending, it-pushable drops them and rejects the following next().
    const a = itp.pushable<number>({ objectMode: true });
    void a.push(1).throw(new Error("boom")); // answers synchronously: a plain object
    expect([await outcome(a.next()), await outcome(a.next())]).toEqual(["rejects boom", "done"]);
    const b = sluice.pushable<number>({ objectMode: true });
    await b.push(1).throw(new Error("boom"));
    expect([await outcome(b.next()), await outcome(b.next())]).toEqual(["done", "done"]);
  });

  test("changed: readableLength in object mode counts every value (it-pushable counts byteLength when there is one, and skips null/undefined)", async () => {
    const run = async (impl: Implementation): Promise<number> => {
      const source = impl.pushable<unknown>({ objectMode: true });
      source.push(bytes(1, 2, 3, 4, 5)).push(null).push(undefined).push("x");
      const length = source.readableLength;
      await Promise.resolve(source.return());
      return length;
    };
    expect(await run(itp)).toBe(6); // 5 bytes + 1 for "x"
    expect(await run(sluice)).toBe(4);
  });

  test("changed: onEmpty() without a signal waits for the buffer to drain until end() (it-pushable's resolves at once)", async () => {
    const run = async (impl: Implementation): Promise<string> => {
      const source = impl.pushable<number>({ objectMode: true });
      source.push(1).push(2);
      const empty = source.onEmpty();
      await flush(3);
      const state = await settledState(empty);
      await Promise.resolve(source.return());
      await empty;
      return state;
    };
    // it-pushable 3.2.4 races the drain promise against `undefined` when no signal is given.
    expect(await run(itp)).toBe("fulfilled");
    expect(await run(sluice)).toBe("pending");
  });

  test("changed: onEmpty() resolves once the values are delivered, not once the end is read (it-pushable waits for the next() that reads done)", async () => {
    const run = async (impl: Implementation): Promise<string> => {
      const source = impl.pushable<number>({ objectMode: true });
      source.push(1).end();
      const empty = source.onEmpty({ signal: new AbortController().signal });
      await source.next();
      await flush();
      const state = await settledState(empty);
      await source.next();
      await empty;
      return state;
    };
    expect(await run(itp)).toBe("pending");
    expect(await run(sluice)).toBe("fulfilled");
  });

  test("changed: onEmpty() resolves when return() drops the buffer (it-pushable's waits for a next())", async () => {
    const run = async (impl: Implementation): Promise<string> => {
      const source = impl.pushable<number>({ objectMode: true });
      source.push(1);
      const empty = source.onEmpty({ signal: new AbortController().signal });
      await Promise.resolve(source.return());
      await flush();
      const state = await settledState(empty);
      await source.next();
      await empty;
      return state;
    };
    expect(await run(itp)).toBe("pending");
    expect(await run(sluice)).toBe("fulfilled");
  });

  test("changed: onEmpty() with an already-aborted signal rejects with an AbortError of code ABORT_ERR (it-pushable: the signal's reason, a DOMException of code 20)", async () => {
    const controller = new AbortController();
    controller.abort();
    const a = itp.pushable({ objectMode: true });
    await expect(a.onEmpty({ signal: controller.signal })).rejects.toMatchObject({ name: "AbortError", code: 20 });
    const b = sluice.pushable({ objectMode: true });
    const error: unknown = await b.onEmpty({ signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ code: "ABORT_ERR", cause: controller.signal.reason });
    b.end();
  });

  test("changed: pushableV yields the last batch before end() as a value (it-pushable folds it into done, and for await drops it)", async () => {
    const run = async (impl: Implementation): Promise<unknown[]> => {
      const source = impl.pushableV<number>({ objectMode: true });
      source.push(1).push(2);
      const first = await source.next();
      source.push(3).end();
      return [first, await source.next(), await source.next()];
    };
    expect(await run(itp)).toEqual([
      { done: false, value: [1, 2] },
      { done: true, value: [3] },
      { done: true },
    ]);
    expect(await run(sluice)).toEqual([
      { done: false, value: [1, 2] },
      { done: false, value: [3] },
      { done: true, value: undefined },
    ]);
    const lost = itp.pushableV<number>({ objectMode: true });
    lost.push(1).push(2).end();
    expect(await all(lost)).toEqual([]);
    const kept = sluice.pushableV<number>({ objectMode: true });
    kept.push(1).push(2).end();
    expect(await all(kept)).toEqual([[1, 2]]);
  });

  test("changed: done results are always { done: true, value: undefined } (it-pushable: { done: true } or, from pushableV, { done: true, value: [] })", async () => {
    const run = async (impl: Implementation): Promise<unknown[]> => {
      const single = impl.pushable<number>({ objectMode: true });
      single.end();
      await single.next(); // it-pushable: { done: true, value: undefined } (its end marker), then { done: true }
      const batch = impl.pushableV<number>({ objectMode: true });
      batch.end();
      return [await single.next(), await batch.next()];
    };
    expect(await run(itp)).toStrictEqual([{ done: true }, { done: true, value: [] }]);
    expect(await run(sluice)).toStrictEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  test("changed: onEmpty()'s abort error is sluice's AbortError (it-pushable's is named Error, with type: aborted)", async () => {
    const run = async (impl: Implementation): Promise<unknown> => {
      const source = impl.pushable<number>({ objectMode: true });
      source.push(1);
      const controller = new AbortController();
      const empty = source.onEmpty({ signal: controller.signal });
      controller.abort("why");
      const error: unknown = await empty.catch((e: unknown) => e);
      await Promise.resolve(source.return());
      return error;
    };
    const a = await run(itp);
    expect(a).toMatchObject({ name: "Error", type: "aborted", code: "ABORT_ERR" });
    const b = await run(sluice);
    expect(b).toBeInstanceOf(AbortError);
    expect(b).toMatchObject({ name: "AbortError", code: "ABORT_ERR", cause: "why" });
    expect(b).not.toHaveProperty("type");
  });

  test("changed: byte mode refuses a non-byte value with an InvalidArgumentError that says how to fix it", () => {
    const a = itp.pushable();
    // @ts-expect-error byte mode takes values with a byteLength
    expect(() => a.push(1)).toThrow(new Error("objectMode was not true but tried to push non-Uint8Array value"));
    const b = sluice.pushable();
    // @ts-expect-error byte mode takes values with a byteLength
    expect(() => b.push(1)).toThrow(InvalidArgumentError);
    b.end();
  });
});

describe("sluice additions", () => {
  test("an abandoned pushable is listed by openBridges() under its name, and fails assertNoLeaks()", async () => {
    const baseline = leakBaseline();
    const source = pushable<number>({ objectMode: true, name: "peer-1 inbound" });
    source.push(1).push(2);
    expect(openBridges().filter((b) => b.name === "peer-1 inbound")).toMatchObject([
      { kind: "pushable", buffered: 2, state: "2 values buffered and not read" },
    ]);
    await expect(assertNoLeaks({ baseline })).rejects.toThrow(/pushable "peer-1 inbound"/); // also stops it
    expect(await source.next()).toEqual({ done: true, value: undefined });
  });

  test("a pushable read to the end, returned, or ended empty leaves the registry", async () => {
    const baseline = leakBaseline();
    const read = pushable<number>({ objectMode: true }).push(1).end();
    await all(read);
    const returned = pushableV<number>({ objectMode: true }).push(1);
    await returned.return();
    pushable().end();
    const failed = pushable<number>({ objectMode: true }).push(1).end(new Error("boom"));
    await expect(all(failed)).rejects.toThrow("boom");
    await assertNoLeaks({ baseline });
  });

  test("a pushable ended with values unread stays listed until they are read", async () => {
    const source = pushable<number>({ objectMode: true, name: "unread" }).push(1).end();
    expect(openBridges().find((b) => b.name === "unread")?.state).toBe("producer finished; 1 value buffered and not read");
    expect(await all(source)).toEqual([1]);
    expect(openBridges().find((b) => b.name === "unread")).toBeUndefined();
  });

  test("the signal option: pending and later next() reject with an AbortError (cause: the reason); onEnd gets the same error", async () => {
    const controller = new AbortController();
    const onEnd = vi.fn();
    const source = pushable<number>({ objectMode: true, signal: controller.signal, onEnd });
    source.push(1);
    expect(await source.next()).toEqual({ done: false, value: 1 });
    const pending = source.next();
    source.push(2); // handed to the pending next()
    const waiting = source.next();
    controller.abort("shutting down");
    expect(await pending).toEqual({ done: false, value: 2 });
    const error: unknown = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe("shutting down");
    await expect(source.next()).rejects.toBe(error);
    expect(onEnd.mock.calls).toEqual([[error]]);
    expect(source.push(3).readableLength).toBe(0);
  });

  test("the signal option: an already-aborted signal gives a finished pushable, and its listener is removed once finished", async () => {
    const controller = new AbortController();
    controller.abort();
    const source = pushable({ objectMode: true, signal: controller.signal });
    await expect(source.next()).rejects.toBeInstanceOf(AbortError);

    const live = new AbortController();
    const add = vi.spyOn(live.signal, "addEventListener");
    const remove = vi.spyOn(live.signal, "removeEventListener");
    const ended = pushable<number>({ objectMode: true, signal: live.signal }).push(1).end();
    await all(ended);
    const failed = pushable<number>({ objectMode: true, signal: live.signal }).end(new Error("boom"));
    await expect(failed.next()).rejects.toThrow("boom");
    await pushable({ objectMode: true, signal: live.signal }).return();
    expect(add).toHaveBeenCalledTimes(3);
    expect(remove).toHaveBeenCalledTimes(3);
  });

  test("backpressure: a producer that awaits send() keeps at most highWaterMark values buffered", async () => {
    const source = pushable<number>({ objectMode: true, highWaterMark: 4 });
    let maxBuffered = 0;
    const producer = (async () => {
      for (let v = 0; v < 50; v += 1) {
        if (!(await source.send(v))) return;
        maxBuffered = Math.max(maxBuffered, source.readableLength);
      }
      source.end();
    })();
    const seen: number[] = [];
    for await (const v of source) {
      seen.push(v);
      await turn(); // a slow consumer
    }
    await producer;
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(maxBuffered).toBeLessThanOrEqual(4);
  });

  test("backpressure: ready() resolves once the buffer has room, false once the consumer stopped", async () => {
    const source = pushable<number>({ objectMode: true, highWaterMark: 2 });
    expect(await source.ready()).toBe(true);
    source.push(1).push(2);
    const ready = source.ready();
    expect(await settledState(ready)).toBe("pending");
    await source.next();
    await source.next();
    expect(await ready).toBe(true);
    source.push(3).push(4);
    const late = source.ready();
    await source.return();
    expect(await late).toBe(false);
    expect(await source.send(5)).toBe(false);
  });

  test("await using returns the pushable at the end of the scope", async () => {
    const onEnd = vi.fn();
    {
      await using source = pushable<number>({ objectMode: true, onEnd });
      source.push(1);
    }
    expect(onEnd.mock.calls).toEqual([[]]);
  });

  test("pushableV hands a whole backlog over in one next(), with readableLength in bytes", async () => {
    const source = pushableV();
    source.push(bytes(1, 2)).push(bytes(3)).push(new Uint8Array(0));
    expect(source.readableLength).toBe(3);
    const batch = await source.next();
    expect(batch.value).toHaveLength(3);
    expect(source.readableLength).toBe(0);
    source.end();
    expect(await source.next()).toEqual({ done: true, value: undefined });
  });

  test("invalid options throw an InvalidArgumentError before anything is created", () => {
    expect(() => pushable({ objectMode: "yes" } as never)).toThrow(/Expected `objectMode` to be a boolean/);
    expect(() => pushable({ objectMode: true, onEnd: 1 } as never)).toThrow(/Expected `onEnd` to be a function/);
    expect(() => pushable({ objectMode: true, highWaterMark: -1 })).toThrow(/Expected `highWaterMark`/);
  });
});

describe("sluice: the details of the surface", () => {
  const gc = (globalThis as { gc?: () => void }).gc;

  test("return() and throw() resolve { done: true, value: undefined }, from pushable() and pushableV()", async () => {
    const single = pushable<number>({ objectMode: true }).push(1);
    expect(await single.return()).toStrictEqual({ done: true, value: undefined });
    const batch = pushableV<number>({ objectMode: true }).push(1);
    expect(await batch.throw(new Error("stop"))).toStrictEqual({ done: true, value: undefined });
  });

  test("options that are not an object are refused by pushable() and pushableV(), naming what was given", () => {
    for (const create of [(options: unknown) => pushable(options as never), (options: unknown) => pushableV(options as never)]) {
      expect(() => create(null)).toThrow(new InvalidArgumentError("options", "an object", null));
      expect(() => create(42)).toThrow("Expected `options` to be an object, got 42");
      expect(() => create(() => ({}))).toThrow(InvalidArgumentError);
    }
  });

  test("onEmpty() refuses options that are not an object, and a signal that is not one, with a rejection", async () => {
    const source = pushable<number>({ objectMode: true }).push(1);
    await expect(source.onEmpty(null as never)).rejects.toThrow("Expected `options` to be an object, got null");
    await expect(source.onEmpty(42 as never)).rejects.toThrow("Expected `options` to be an object, got 42");
    await expect(source.onEmpty({ signal: "soon" } as never)).rejects.toThrow("Expected `signal` to be an AbortSignal");
    await source.return();
  });

  test("byte mode: push() and send() refuse null, undefined and values without byteLength, saying how to fix it", async () => {
    const source = pushable();
    for (const value of [null, undefined, 1, "hello", {}]) {
      const expected = new InvalidArgumentError(
        "value",
        "a Uint8Array, a Uint8ArrayList or anything with a byteLength (pass `objectMode: true` to push other values)",
        value,
      );
      expect(() => source.push(value as never)).toThrow(expected);
      await expect(source.send(value as never)).rejects.toThrow(expected);
    }
    expect(source.readableLength).toBe(0);
    source.end();
  });

  test("byte mode: readableLength drops by each value's size as next() takes it; a value handed to a waiting next() never counts", async () => {
    const source = pushable<Uint8Array>();
    source.push(bytes(1, 2, 3)).push(bytes(4, 5));
    expect(source.readableLength).toBe(5);
    await source.next();
    expect(source.readableLength).toBe(2);
    await source.next();
    expect(source.readableLength).toBe(0);
    const waiting = source.next();
    expect(source.readableLength).toBe(0);
    source.push(bytes(6));
    expect(source.readableLength).toBe(0);
    expect(await waiting).toEqual({ done: false, value: bytes(6) });
    source.end();
  });

  test("after end(): send() resolves false without counting the value, and ready() resolves false", async () => {
    const source = pushable<Uint8Array>();
    source.push(bytes(1, 2, 3)).end();
    expect(await source.send(bytes(4, 5))).toBe(false);
    expect(source.readableLength).toBe(3);
    expect(await source.ready()).toBe(false);
    expect(await all(source)).toEqual([bytes(1, 2, 3)]);
  });

  test("end() after end(err) changes nothing: the buffered values, then the error, which onEnd receives", async () => {
    const onEnd = vi.fn();
    const boom = new Error("boom");
    const source = pushable<number>({ objectMode: true, onEnd });
    source.push(1).end(boom).end();
    expect(await source.next()).toEqual({ done: false, value: 1 });
    await expect(source.next()).rejects.toBe(boom);
    expect(onEnd.mock.calls).toEqual([[boom]]);
  });

  test("an async onEnd that rejects: the consumer's next call rejects with its error, never an unhandled rejection", async () => {
    const failure = new Error("onEnd failed");
    const onEnd = (): Promise<never> => Promise.reject(failure);
    for (const create of [pushable, pushableV]) {
      const source = create<number>({ objectMode: true, onEnd: onEnd as () => void }); // typed void, as in it-pushable; plain JS passes async ones
      source.end();
      await flush();
      await expect(source.next()).rejects.toBe(failure);
      expect(await source.next()).toEqual({ done: true, value: undefined });
    }
  });

  test("onEmpty({ signal }), asked before or after end(), still waits for the values (one without a signal does not), then lets go of its signal", async () => {
    const source = pushable<number>({ objectMode: true });
    source.push(1).push(2);
    const controller = new AbortController();
    const withSignal = source.onEmpty({ signal: controller.signal });
    const without = source.onEmpty();
    source.end();
    const afterEnd = source.onEmpty({ signal: new AbortController().signal }); // asked after end(): waits all the same
    await flush();
    expect(await settledState(withSignal)).toBe("pending");
    expect(await settledState(afterEnd)).toBe("pending");
    expect(await settledState(without)).toBe("fulfilled");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    await source.next();
    await source.next();
    await expect(withSignal).resolves.toBeUndefined();
    await expect(afterEnd).resolves.toBeUndefined();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    expect(await source.next()).toEqual({ done: true, value: undefined });
  });

  test("onEmpty({ signal }) waits again after each burst, on the same signal", async () => {
    const source = pushable<number>({ objectMode: true });
    const { signal } = new AbortController();
    for (const burst of [[1, 2], [3]]) {
      for (const value of burst) source.push(value);
      const empty = source.onEmpty({ signal });
      await flush();
      expect(await settledState(empty)).toBe("pending");
      for (let i = 0; i < burst.length; i += 1) await source.next();
      await expect(empty).resolves.toBeUndefined();
    }
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    await source.return();
  });

  test.runIf(gc !== undefined)("an aborted onEmpty() wait lets go of its signal, while the pushable stays full and other waits go on", async () => {
    const source = pushable<number>({ objectMode: true }).push(1);
    const kept = source.onEmpty({ signal: new AbortController().signal });
    const ref = await (async () => {
      const controller = new AbortController();
      const waiting = source.onEmpty({ signal: controller.signal });
      controller.abort();
      const error: unknown = await waiting.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      return new WeakRef(controller.signal);
    })();
    let collected = false;
    for (let i = 0; i < 10 && !collected; i += 1) {
      await turn(); // a new job: deref() keeps its target alive until the end of the job it ran in
      gc?.();
      collected = ref.deref() === undefined;
    }
    expect(collected).toBe(true);
    expect(await settledState(kept)).toBe("pending");
    await source.next();
    await expect(kept).resolves.toBeUndefined();
    await source.return();
  });

  test("the signal option: an abort rejects the pending next() with an AbortError that says the operation was aborted", async () => {
    const controller = new AbortController();
    const source = pushable<number>({ objectMode: true, signal: controller.signal });
    const pending = source.next();
    controller.abort("bye");
    await expect(pending).rejects.toMatchObject({ name: "AbortError", message: "The operation was aborted", cause: "bye" });
  });

  test("the signal option: an abort after the last value, before the error of end(err) was read, rejects that read with the AbortError", async () => {
    const controller = new AbortController();
    const source = pushable<number>({ objectMode: true, signal: controller.signal });
    source.push(1).end(new Error("boom"));
    expect(await source.next()).toEqual({ done: false, value: 1 });
    controller.abort("late");
    await expect(source.next()).rejects.toMatchObject({ name: "AbortError", cause: "late" });
  });

  test("an abandoned pushableV is listed under its own kind and name", async () => {
    const source = pushableV<number>({ objectMode: true }).push(1);
    expect(openBridges().filter((b) => b.kind === "pushableV")).toMatchObject([{ name: "pushableV", buffered: 1 }]);
    await source.return();
  });
});
