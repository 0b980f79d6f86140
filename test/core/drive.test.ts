import { getEventListeners } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { AbortError, type DriveSink, InvalidArgumentError, channel, drive } from "../../src/core/index.js";
import { source, turn } from "../helpers/sources.js";

/** A Node Writable as a drive() sink: the adapter a user would write. */
function writableSink<T>(w: Writable): DriveSink<T> {
  return {
    write: (value) => w.write(value),
    waitForDrain: (signal) =>
      new Promise<void>((resolve, reject) => {
        if (w.destroyed) return reject(w.errored ?? new Error("the writable was destroyed"));
        const cleanup = (): void => {
          w.off("drain", onDrain);
          w.off("close", onClose);
          signal.removeEventListener("abort", onClose);
        };
        const onDrain = (): void => {
          cleanup();
          resolve();
        };
        const onClose = (): void => {
          cleanup();
          reject(w.errored ?? new Error("the writable closed before 'drain'"));
        };
        w.on("drain", onDrain);
        w.on("close", onClose);
        signal.addEventListener("abort", onClose);
      }),
    end: () =>
      new Promise<void>((resolve, reject) => {
        w.once("error", reject);
        w.end(() => {
          w.off("error", reject);
          resolve();
        });
      }),
    fail: (error) => w.destroy(error as Error),
  };
}

/** A slow object-mode Writable that records what it got. */
function slowWritable(highWaterMark = 2): { w: Writable; written: unknown[] } {
  const written: unknown[] = [];
  const w = new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk, _encoding, callback) {
      written.push(chunk);
      setImmediate(callback);
    },
  });
  return { w, written };
}

/** An iterator that counts how many next() calls overlap. */
function probe(n: number): { iterable: AsyncIterable<number>; stats: { maxInFlight: number; returned: number; pulled: number } } {
  const stats = { maxInFlight: 0, returned: 0, pulled: 0 };
  let inFlight = 0;
  let i = 0;
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        inFlight += 1;
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
        await Promise.resolve(); // faster than the writable, which calls back on setImmediate
        inFlight -= 1;
        if (i >= n) return { done: true, value: undefined };
        stats.pulled += 1;
        return { done: false, value: i++ };
      },
      return: async () => {
        stats.returned += 1;
        return { done: true, value: undefined };
      },
    }),
  };
  return { iterable, stats };
}

describe("drive into a Node Writable", () => {
  test("writes every value in order, waits for drain, one next() at a time, then ends the sink", async () => {
    const { w, written } = slowWritable(2);
    const { iterable, stats } = probe(50);
    let falses = 0;
    const sink = writableSink<number>(w);
    const counting: DriveSink<number> = { ...sink, write: (v) => (sink.write(v) === false ? (falses += 1, false) : true) };
    await drive(iterable, counting);
    expect(written).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(w.writableFinished).toBe(true);
    expect(falses).toBeGreaterThan(0);
    expect(stats.maxInFlight).toBe(1);
    expect(w.listenerCount("drain") + w.listenerCount("close") + w.listenerCount("error")).toBe(0);
  });

  test("honours backpressure: the source never runs far ahead of the writable", async () => {
    const { w, written } = slowWritable(4);
    const { iterable, stats } = probe(200);
    const sink = writableSink<number>(w);
    let maxAhead = 0;
    await drive(iterable, { ...sink, write: (v) => ((maxAhead = Math.max(maxAhead, stats.pulled - written.length)), sink.write(v)) });
    expect(maxAhead).toBeLessThanOrEqual(4 + 1);
  });

  test("a source error fails the writable and rejects drive once", async () => {
    const boom = new Error("boom");
    const { w, written } = slowWritable();
    w.on("error", () => {}); // destroy(err) emits it; the test reads the error from drive()
    const s = source([1, 2, 3], { error: boom });
    await expect(drive(s.it, writableSink(w))).rejects.toBe(boom);
    expect(written).toEqual([1, 2, 3]);
    expect(w.destroyed).toBe(true);
    expect(w.errored).toBe(boom);
    expect(s.stats.teardowns).toBe(1);
  });

  test("a writable destroyed meanwhile stops the source and rejects with its error", async () => {
    const { w } = slowWritable(1);
    w.on("error", () => {}); // the test reads the error from drive()
    const s = source(Array.from({ length: 100 }, (_, i) => i), { endless: true });
    const driving = drive(s.it, writableSink(w));
    await turn();
    const diskFull = new Error("disk full");
    w.destroy(diskFull);
    await expect(driving).rejects.toBe(diskFull);
    expect(s.stats.teardowns).toBe(1);
    expect(w.listenerCount("drain")).toBe(0);
  });

  test("abort while waiting for drain: stops the source, fails the writable, rejects with an AbortError", async () => {
    const { w } = slowWritable(1);
    w.on("error", () => {});
    const controller = new AbortController();
    const s = source(Array.from({ length: 100 }, (_, i) => i), { endless: true });
    const driving = drive(s.it, writableSink(w), { signal: controller.signal });
    await turn();
    controller.abort("user left");
    const error: unknown = await driving.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ cause: "user left" });
    expect(s.stats.teardowns).toBe(1);
    expect(w.destroyed).toBe(true);
    expect(w.listenerCount("drain") + w.listenerCount("close")).toBe(0);
  });
});

describe("drive into a sluice channel", () => {
  /** A channel as a drive() sink: push, and ready() as the drain (false once its reader stopped). */
  function channelSink<T>(ch: ReturnType<typeof channel<T>>): DriveSink<T> {
    return {
      write: ch.push,
      waitForDrain: async () => {
        if (!(await ch.ready())) throw new Error("the channel's reader stopped");
      },
      end: ch.end,
      fail: ch.fail,
    };
  }

  test("values flow through with backpressure; completion ends the channel", async () => {
    const ch = channel<number>({ highWaterMark: 2 });
    const s = source([1, 2, 3, 4, 5, 6, 7]);
    const driving = drive(s.it, channelSink(ch));
    const got: number[] = [];
    for await (const v of ch) {
      got.push(v);
      await turn();
    }
    await driving;
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test("the channel's reader stopping is a sink failure: the source is stopped", async () => {
    const ch = channel<number>({ highWaterMark: 1 });
    const s = source(Array.from({ length: 50 }, (_, i) => i), { endless: true });
    const driving = drive(s.it, channelSink(ch));
    for await (const v of ch) if (v === 3) break;
    await expect(driving).rejects.toThrow("reader stopped");
    expect(s.stats.teardowns).toBe(1);
  });

  test("abort during a pending next() settles at once and stops the source", async () => {
    const ch = channel<number>();
    const controller = new AbortController();
    const s = source<number>([], { endless: true });
    const driving = drive(s.it, channelSink(ch), { signal: controller.signal });
    await turn();
    controller.abort();
    await expect(driving).rejects.toBeInstanceOf(AbortError);
    expect(s.stats.teardowns).toBe(1);
    await expect(ch.next()).rejects.toBeInstanceOf(AbortError); // failed with the abort error
  });

  test("an already aborted signal: the source (a bridge) is finished and never started", async () => {
    const ch = channel<number>();
    const s = source([1, 2]);
    await expect(drive(s.it, channelSink(ch), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(s.stats.sent).toBe(0);
    await expect(ch.next()).rejects.toBeInstanceOf(AbortError);
  });
});

describe("drive with promise-returning sinks", () => {
  test("a write promise is awaited; its rejection is a sink failure", async () => {
    const s = source([1, 2, 3, 4], { endless: true });
    const seen: number[] = [];
    let failed = 0;
    const broken = new Error("socket closed");
    const driving = drive(s.it, {
      write: async (v: number) => {
        await turn();
        if (v === 3) throw broken;
        seen.push(v);
      },
      fail: () => (failed += 1),
    });
    await expect(driving).rejects.toBe(broken);
    expect(seen).toEqual([1, 2]);
    expect(failed).toBe(0); // the sink failed by itself: not told again
    expect(s.stats.teardowns).toBe(1);
  });

  test("write returning false without waitForDrain is a clear sink failure", async () => {
    const s = source([1], { endless: true });
    await expect(drive(s.it, { write: () => false })).rejects.toThrow("Expected `sink.waitForDrain` to be a function");
  });

  test("validates its arguments synchronously", () => {
    const ok = { write: () => true };
    const empty = (async function* () {})();
    expect(() => drive(42 as never, ok)).toThrow(InvalidArgumentError);
    expect(() => drive(42 as never, ok)).toThrow("Expected `source` to be");
    expect(() => drive(empty, {} as never)).toThrow("Expected `sink.write` to be a function");
    expect(() => drive(empty, null as never)).toThrow("Expected `sink` to be an object with a write() method, got null");
    expect(() => drive(empty, (() => true) as never)).toThrow("Expected `sink` to be an object with a write() method");
    expect(() => drive(empty, { write: () => true, end: 1 } as never)).toThrow("Expected `sink.end` to be a function or undefined, got 1");
    expect(() => drive(empty, ok, { signal: "no" } as never)).toThrow("Expected `signal` to be an AbortSignal");
  });
});

describe("drive: what a sink may return", () => {
  const values = async function* (): AsyncGenerator<number> {
    yield* [1, 2, 3];
  };

  test("a sink with write() only: drive resolves after the last value", async () => {
    const seen: number[] = [];
    await drive(values(), { write: (v: number) => void seen.push(v) });
    expect(seen).toEqual([1, 2, 3]);
  });

  test("anything but false or a thenable from write() means go on (null, an object, a function without then)", async () => {
    for (const answer of [null, {}, () => undefined, 0, ""]) {
      const seen: number[] = [];
      await drive(values(), { write: (v: number) => (seen.push(v), answer) });
      expect(seen).toEqual([1, 2, 3]);
    }
  });

  test("a thenable function from write() is awaited like a promise", async () => {
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const thenableFunction = Object.assign(() => undefined, { then: (resolve: () => void) => void gate.then(resolve) });
    const driving = drive(values(), { write: (v: number) => (seen.push(v), v === 1 ? thenableFunction : true) });
    await turn();
    expect(seen).toEqual([1]);
    release();
    await driving;
    expect(seen).toEqual([1, 2, 3]);
  });

  test("a fail() that rejects or throws is ignored: drive rejects with the source's error, and nothing is unhandled", async () => {
    const broken = new Error("source broke");
    const failing = async function* (): AsyncGenerator<number> {
      yield 1;
      throw broken;
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await expect(drive(failing(), { write: () => true, fail: () => Promise.reject(new Error("fail() failed")) })).rejects.toBe(broken);
      await expect(
        drive(failing(), {
          write: () => true,
          fail: () => {
            throw new Error("fail() threw");
          },
        }),
      ).rejects.toBe(broken);
      await turn();
      await turn();
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("an abort rejects with an AbortError that says drive() was aborted, its cause the signal's reason", async () => {
    const controller = new AbortController();
    const s = source<number>([], { endless: true });
    const driving = drive(s.it, { write: () => true }, { signal: controller.signal });
    await turn();
    controller.abort("enough");
    await expect(driving).rejects.toMatchObject({ name: "AbortError", message: "drive() was aborted", cause: "enough" });
  });
});

/**
 * A plain async iterator (not a bridge: its pending next() does not settle on return()) that counts its
 * calls; `answer` gives each next() its result, by call number from 1.
 */
function counted<T>(answer: (call: number) => Promise<IteratorResult<T>>): { iterable: AsyncIterable<T>; calls: { next: number; return: number } } {
  const calls = { next: 0, return: 0 };
  const iterable: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => ({
      next: () => answer((calls.next += 1)),
      return: async () => {
        calls.return += 1;
        return { done: true, value: undefined };
      },
    }),
  };
  return { iterable, calls };
}

/** A promise and the functions that settle it. */
function gate<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const endless = (call: number): Promise<IteratorResult<number>> => Promise.resolve({ done: false, value: call });

/** An object-mode Writable that takes everything, with a no-op 'error' listener (the tests read errors from drive()). */
function quietWritable(): Writable {
  const w = new Writable({ objectMode: true, write: (_chunk, _encoding, callback) => callback() });
  w.on("error", () => {});
  return w;
}

describe("drive: how it stops the source", () => {
  test("a Writable that failed before the drive: rejects with its error without pulling the source, and stops it", async () => {
    const gone = new Error("peer went away");
    const w = quietWritable();
    w.destroy(gone);
    await turn();
    const { iterable, calls } = counted(endless);
    await expect(drive(iterable, w as never)).rejects.toBe(gone);
    expect(calls).toEqual({ next: 0, return: 1 });
    // A bridge as the source: nothing will ever push into it, so drive must not wait for its next value.
    const ch = channel<number>();
    const w2 = quietWritable();
    w2.destroy(gone);
    await turn();
    await expect(drive(ch, w2 as never)).rejects.toBe(gone);
    await expect(ch.next()).resolves.toEqual({ done: true, value: undefined });
    // A source that cannot even be opened: the Writable's failure came first, and is the one reported.
    const w3 = quietWritable();
    w3.destroy(gone);
    await turn();
    await expect(drive({ [Symbol.asyncIterator]: () => 42 } as never, w3 as never)).rejects.toBe(gone);
  });

  test("a source that threw is done, as in for await: it is not asked to return()", async () => {
    const broken = new Error("source broke");
    const { iterable, calls } = counted((call) => (call === 2 ? Promise.reject(broken) : endless(call)));
    const failures: unknown[] = [];
    await expect(drive(iterable, { write: () => true, fail: (error) => void failures.push(error) })).rejects.toBe(broken);
    expect(calls).toEqual({ next: 2, return: 0 });
    expect(failures).toEqual([broken]);
  });

  test("an abort during a pending next(): return() is called once, and the value that still arrives is not written", async () => {
    const late = gate<IteratorResult<number>>();
    const { iterable, calls } = counted((call) => (call === 1 ? late.promise : endless(call)));
    const controller = new AbortController();
    const written: number[] = [];
    const driving = drive(iterable, { write: (v: number) => void written.push(v) }, { signal: controller.signal });
    await turn();
    controller.abort("enough");
    expect(calls.return).toBe(1); // at once, not when next() settles
    late.resolve({ done: false, value: 1 });
    await expect(driving).rejects.toBeInstanceOf(AbortError);
    expect(written).toEqual([]);
    expect(calls).toEqual({ next: 1, return: 1 });
  });

  test("an abort from inside write(): no next() after it, and no wait for the drain", async () => {
    let drains = 0;
    for (const answer of [true, false]) {
      const controller = new AbortController();
      const { iterable, calls } = counted(endless);
      const driving = drive(
        iterable,
        {
          write: () => (controller.abort(), answer),
          waitForDrain: async () => void (drains += 1),
        },
        { signal: controller.signal },
      );
      await expect(driving).rejects.toBeInstanceOf(AbortError);
      expect(calls).toEqual({ next: 1, return: 1 });
      expect(drains).toBe(0);
    }
  });

  test("an already aborted signal: the source is stopped without a single next()", async () => {
    const { iterable, calls } = counted(endless);
    await expect(drive(iterable, { write: () => true }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(calls).toEqual({ next: 0, return: 1 });
  });

  test("the abort listener is removed as soon as it fired, even while the source's return() is still running", async () => {
    const pulled = gate<IteratorResult<number>>();
    const returned = gate<IteratorResult<number>>();
    let returns = 0;
    const iterable: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => pulled.promise,
        return: () => ((returns += 1), returned.promise),
      }),
    };
    const controller = new AbortController();
    const driving = drive(iterable, { write: () => true }, { signal: controller.signal });
    await turn();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort();
    pulled.resolve({ done: false, value: 1 });
    await turn(); // drive now waits for return() to finish
    expect(returns).toBe(1);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    returned.resolve({ done: true, value: undefined });
    await expect(driving).rejects.toBeInstanceOf(AbortError);
  });
});

describe("drive: the first failure wins", () => {
  test("the Writable fails first, then the signal aborts: drive rejects with the Writable's error", async () => {
    const late = gate<IteratorResult<number>>();
    const { iterable, calls } = counted((call) => (call === 1 ? late.promise : endless(call)));
    const controller = new AbortController();
    const w = quietWritable();
    const driving = drive(iterable, w as never, { signal: controller.signal });
    await turn();
    const gone = new Error("peer went away");
    w.destroy(gone);
    await turn();
    expect(calls.return).toBe(1); // stopped at once, not at its next value
    controller.abort();
    late.resolve({ done: false, value: 1 });
    await expect(driving).rejects.toBe(gone);
    expect(calls.return).toBe(1);
  });

  test("the signal aborts first, then the Writable fails: drive rejects with the AbortError, and the late value is not written", async () => {
    const late = gate<IteratorResult<number>>();
    const { iterable } = counted((call) => (call === 1 ? late.promise : endless(call)));
    const controller = new AbortController();
    const written: unknown[] = [];
    const w = new Writable({ objectMode: true, write: (chunk, _encoding, callback) => (written.push(chunk), callback()) });
    w.on("error", () => {});
    const driving = drive(iterable, w as never, { signal: controller.signal });
    await turn();
    controller.abort("user left");
    w.destroy(new Error("peer went away"));
    await turn();
    late.resolve({ done: false, value: 1 });
    const error: unknown = await driving.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ message: "drive() was aborted", cause: "user left" });
    expect(written).toEqual([]);
  });
});

describe("drive: a source stopped by the drive", () => {
  test("a source that rejects its pending next() because of the same abort: drive reports its own AbortError, and fails the sink with it", async () => {
    const controller = new AbortController();
    const ch = channel<number>({ signal: controller.signal }); // rejects its pending next() on abort, with its own AbortError
    const failures: unknown[] = [];
    const driving = drive(ch, { write: () => true, fail: (error) => void failures.push(error) }, { signal: controller.signal });
    await turn();
    controller.abort("user left");
    const error: unknown = await driving.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AbortError", message: "drive() was aborted", cause: "user left" });
    expect(failures).toEqual([error]);
  });
});

describe("drive: the signal handed to waitForDrain", () => {
  test("aborts once drive finished, with an AbortError that says so; on an abort, with drive's own AbortError", async () => {
    const signals: AbortSignal[] = [];
    const sink = { write: () => false, waitForDrain: async (signal: AbortSignal) => void signals.push(signal) };
    await drive(source([1, 2]).it, sink);
    expect(signals).toHaveLength(2);
    expect(signals[0]).toBe(signals[1]); // one signal for the whole drive
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toMatchObject({ name: "AbortError", message: "drive() finished" });

    const controller = new AbortController();
    let waiting: AbortSignal | undefined;
    const driving = drive(source([1], { endless: true }).it, { write: () => false, waitForDrain: (signal) => ((waiting = signal), new Promise(() => {})) }, { signal: controller.signal });
    await turn();
    expect(waiting?.aborted).toBe(false);
    controller.abort();
    const error: unknown = await driving.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(waiting?.reason).toBe(error);
  });
});

describe("drive: a sink that throws where it could reject", () => {
  test("waitForDrain() or end() throwing synchronously, or a write() thenable whose then() throws, is a sink failure", async () => {
    const broken = new Error("sink broke");
    const thrower = (): never => {
      throw broken;
    };
    const sinks: DriveSink<number>[] = [
      { write: () => false, waitForDrain: thrower },
      { write: () => ({ then: thrower }) },
      { write: () => true, end: thrower },
    ];
    for (const sink of sinks) {
      let failed = 0;
      const s = source([1, 2, 3]);
      await expect(drive(s.it, { ...sink, fail: () => void (failed += 1) })).rejects.toBe(broken);
      expect(failed).toBe(0); // the sink failed by itself: not told again
      expect(s.stats.teardowns).toBe(1);
    }
  });
});
