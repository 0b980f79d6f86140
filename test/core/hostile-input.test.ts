// Hostile input, found by probing the public API from outside and by the fuzz test (test/fuzz/): each case
// once threw an engine error (RangeError, TypeError), left a source open, or broke a bridge's close path.
// Kept as named regression examples; every one failed before its fix.
import { describe, expect, test } from "vitest";
import {
  AbortError,
  InvalidArgumentError,
  batches,
  broadcast,
  channel,
  deadline,
  drive,
  merge,
  openBridges,
  pull,
  subscribe,
} from "../../src/core/index.js";
import { collect, source } from "../helpers/sources.js";

/** A signal that is not Node's: what an AbortSignal from another realm (vm, jsdom) or a polyfill looks like. */
class ForeignSignal {
  aborted = false;
  reason: unknown = undefined;
  readonly #listeners = new Set<() => void>();
  addEventListener(_type: "abort", listener: () => void): void {
    this.#listeners.add(listener);
  }
  removeEventListener(_type: "abort", listener: () => void): void {
    this.#listeners.delete(listener);
  }
  abort(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    for (const listener of [...this.#listeners]) listener();
  }
  get listeners(): number {
    return this.#listeners.size;
  }
}

const invalid = (name: string) => expect.objectContaining({ name: "InvalidArgumentError", code: "ERR_SLUICE_INVALID_ARGUMENT", message: expect.stringContaining(`Expected \`${name}\` to be`) });

describe("nextBatch() and batches(): the batch size", () => {
  test("regression: nextBatch(1.5), nextBatch(Symbol()) and nextBatch(10n) throw InvalidArgumentError at once (were RangeError: Invalid array length, raw TypeErrors)", async () => {
    const ch = channel<number>();
    ch.push(1);
    ch.push(2);
    for (const max of [1.5, Symbol("max"), 10n, 0, -1, Number.NaN, "2", null]) {
      expect(() => ch.nextBatch(max as number)).toThrow(InvalidArgumentError);
      expect(() => ch.nextBatch(max as number)).toThrow(invalid("max"));
    }
    expect(() => ch.nextBatch(1.5)).toThrow("Expected `max` to be an integer >= 1 or Infinity, got 1.5");
    // Nothing was taken by the refused calls.
    expect(await ch.nextBatch(Infinity)).toEqual({ done: false, value: [1, 2] });
    await ch.return();
  });

  test("regression: batches(source, { max: 1.5 }) throws InvalidArgumentError at once, before reading", async () => {
    const ch = channel<number>();
    for (const max of [1.5, Symbol("max"), 10n, 2 ** 53]) {
      expect(() => batches(ch, { max: max as number })).toThrow(invalid("max"));
    }
    ch.push(1);
    ch.end();
    expect((await collect(batches(ch, { max: 1 }))).values).toEqual([[1]]);
  });
});

describe("deadline(): times a Date cannot hold", () => {
  test("regression: deadline() at 1e20 or 2 ** 53 ms is a distant deadline, not RangeError: Invalid time value", async () => {
    for (const at of [1e20, 2 ** 53, Number.MAX_VALUE]) {
      const s = source([1, 2, 3]);
      const limited = deadline(s.it, at);
      expect((await collect(limited)).values).toEqual([1, 2, 3]);
      expect(s.stats.teardowns).toBe(1);
    }
  });

  test("regression: a time a Date cannot hold in the past (-1e20) expires at the first next()", async () => {
    const s = source([1, 2, 3]);
    const error: unknown = await deadline(s.it, -1e20).next().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_SLUICE_TIMEOUT" });
    expect((error as Error).message).toContain("-100000000000000000000 ms since the epoch");
    expect(openBridges()).toEqual([]); // the source was finished too
  });
});

describe("signals: what counts as one", () => {
  test("regression: drive() refuses { aborted: false } at once and leaves the source untouched (was: a raw TypeError later, and the source left open)", async () => {
    const ch = channel<number>({ name: "untouched" });
    for (const signal of [{ aborted: false }, { aborted: false, addEventListener() {} }, { aborted: "no", addEventListener() {}, removeEventListener() {} }]) {
      expect(() => drive(ch, { write() {} }, { signal: signal as never })).toThrow(invalid("signal"));
    }
    expect(openBridges().map((b) => b.name)).toEqual(["untouched"]);
    ch.push(1);
    ch.end();
    expect((await collect(ch)).values).toEqual([1]); // still whole: drive() never opened it
  });

  test("regression: broadcast() and subscribe() on it refuse a signal without addEventListener/removeEventListener at once (was: a raw TypeError)", async () => {
    const s = source([1], { name: "shared" });
    expect(() => broadcast(s.it, { signal: { aborted: false } as never })).toThrow(invalid("signal"));
    const hub = broadcast(s.it);
    expect(() => hub.subscribe({ signal: { aborted: false } as never })).toThrow(invalid("signal"));
    expect(openBridges().map((b) => b.name)).toEqual(["shared"]); // no consumer was created
    await hub.stop();
    expect(openBridges()).toEqual([]);
  });

  test("regression: channel() refuses a signal without removeEventListener (a later return() would have thrown)", () => {
    expect(() => channel({ signal: { aborted: false, addEventListener() {} } as never })).toThrow(invalid("signal"));
  });

  test("a duck-typed signal (another realm, a polyfill) works everywhere, and every listener is removed", async () => {
    const signal = new ForeignSignal();
    const ch = channel<number>({ signal: signal as unknown as AbortSignal });
    const pending = ch.next();
    expect(signal.listeners).toBe(1);
    const reason = new Error("shutdown");
    signal.abort(reason);
    await expect(pending).rejects.toMatchObject({ name: "AbortError", cause: reason });
    expect(signal.listeners).toBe(0);

    // broadcast: the hub's signal and a consumer's own signal combined (AbortSignal.any refuses foreign ones).
    const hubSignal = new ForeignSignal();
    const consumerSignal = new ForeignSignal();
    const s = source([1, 2, 3], { endless: true });
    const hub = broadcast(s.it, { signal: hubSignal as unknown as AbortSignal });
    const consumer = hub.subscribe({ signal: consumerSignal as unknown as AbortSignal });
    expect(await consumer.next()).toEqual({ done: false, value: 1 });
    consumerSignal.abort("bye");
    await expect(consumer.next()).rejects.toBeInstanceOf(AbortError);
    await hub.stop();
    expect(hubSignal.listeners).toBe(0);
    expect(consumerSignal.listeners).toBe(0);
    expect(s.stats.teardowns).toBe(1);

    // drive
    const driveSignal = new ForeignSignal();
    const input = channel<number>();
    const written: number[] = [];
    const driving = drive(input, { write: (v) => void written.push(v) }, { signal: driveSignal as unknown as AbortSignal });
    input.push(1);
    await Promise.resolve();
    driveSignal.abort("stop");
    await expect(driving).rejects.toBeInstanceOf(AbortError);
    expect(written).toEqual([1]);
    expect(driveSignal.listeners).toBe(0);
  });

  test("regression: a signal whose removeEventListener throws does not keep a bridge from closing", async () => {
    const signal = {
      aborted: false,
      addEventListener() {},
      removeEventListener() {
        throw new Error("broken signal");
      },
    };
    const ch = channel<number>({ signal: signal as unknown as AbortSignal });
    const pending = ch.next();
    await expect(ch.return()).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    const hub = broadcast(channel<number>(), { signal: signal as unknown as AbortSignal });
    await expect(hub.stop()).resolves.toBeUndefined();
  });

  test("regression: drive() with a signal whose addEventListener throws stops the source and rejects with that error", async () => {
    const broken = new Error("cannot listen");
    const signal = {
      aborted: false,
      addEventListener() {
        throw broken;
      },
      removeEventListener() {},
    };
    const ch = channel<number>({ name: "driven" });
    let failed: unknown;
    await expect(drive(ch, { write() {}, fail: (e) => void (failed = e) }, { signal: signal as unknown as AbortSignal })).rejects.toBe(broken);
    expect(failed).toBe(broken);
    expect(openBridges()).toEqual([]); // the channel was stopped, not left open
  });
});

describe("iterables whose [Symbol.asyncIterator]() returns no iterator", () => {
  const notIterators = [undefined, null, 5, {}, { next: 1 }];

  test("regression: merge, deadline, batches and drive fail with InvalidArgumentError naming the source, not an engine TypeError", async () => {
    for (const returned of notIterators) {
      const bad = { [Symbol.asyncIterator]: () => returned } as unknown as AsyncIterable<number>;
      await expect(merge([bad]).next()).rejects.toThrow(invalid("sources[0][Symbol.asyncIterator]()"));
      await expect(deadline(bad, Infinity).next()).rejects.toThrow(invalid("source[Symbol.asyncIterator]()"));
      await expect(batches(bad).next()).rejects.toThrow(invalid("source[Symbol.asyncIterator]()"));
      await expect(drive(bad, { write() {} })).rejects.toThrow(invalid("source[Symbol.asyncIterator]()"));
    }
  });

  test("regression: merge finishes the sources after one that cannot be opened (found by the fuzz test: a channel after it stayed open)", async () => {
    const ch = channel<number>({ name: "after the bad one" });
    ch.push(1);
    ch.end();
    const bad = { [Symbol.asyncIterator]: () => ({}) } as unknown as AsyncIterable<number>;
    await expect(merge([bad, ch]).next()).rejects.toThrow(invalid("sources[0][Symbol.asyncIterator]()"));
    await Promise.resolve();
    expect(openBridges()).toEqual([]);
  });

  test("regression: broadcast stopped before reading such a source resolves (was: rejected with a raw TypeError)", async () => {
    const bad = { [Symbol.asyncIterator]: () => undefined } as unknown as AsyncIterable<number>;
    await expect(broadcast(bad, { consumers: 2 }).stop()).resolves.toBeUndefined();
  });
});

describe("producers whose result cannot be inspected", () => {
  const proxy = (): object =>
    new Proxy(
      {},
      {
        get() {
          throw new Error("the result's `then` cannot be read");
        },
      },
    );

  test("regression (fuzz): a lazy: false producer or setup returning a proxy that throws on then fails the stream (it threw out of pull()/subscribe() and left the bridge open)", async () => {
    const pulled = pull<number>(() => proxy() as never, { lazy: false });
    await expect(pulled.next()).rejects.toThrow("the result's `then` cannot be read");
    const subscribed = subscribe<number>(() => proxy() as never, { lazy: false });
    await expect(subscribed.next()).rejects.toThrow("the result's `then` cannot be read");
    expect(openBridges()).toEqual([]);
  });
});

describe("teardowns", () => {
  test("a lazy setup that pushes, ends, then throws: the value goes to the first next(), the bridge is finished, the late throw ignored", async () => {
    const it = subscribe<number>((sink) => {
      sink.push(1);
      sink.end();
      throw new Error("too late: the stream already ended");
    });
    expect(await it.next()).toEqual({ done: false, value: 1 });
    expect(openBridges()).toEqual([]);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  test("a setup returning something other than a teardown fails the stream with an InvalidArgumentError", async () => {
    const it = subscribe<number>(() => 42 as never);
    await expect(it.next()).rejects.toThrow(invalid("setup()'s result"));
  });
});
