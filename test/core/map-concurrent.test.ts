import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, mapConcurrent } from "../../src/core/index.js";
import { collect, source, turn } from "../helpers/sources.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** An fn that records how many calls overlap and takes `delay(v)` microtask ticks. */
function pool(delay: (v: number) => number = (v) => (v * 7) % 5) {
  const stats = { inFlight: 0, max: 0, calls: 0, aborted: 0, settled: 0 };
  const fn = async (v: number, signal: AbortSignal): Promise<number> => {
    stats.calls += 1;
    stats.inFlight += 1;
    stats.max = Math.max(stats.max, stats.inFlight);
    try {
      if (delay(v) === Infinity) {
        // Runs until aborted, like a request that honours its signal.
        await new Promise<void>((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            stats.aborted += 1;
            reject(signal.reason as Error);
          }),
        );
      }
      for (let i = 0; i < delay(v); i += 1) {
        await Promise.resolve();
        if (signal.aborted) {
          stats.aborted += 1;
          throw signal.reason;
        }
      }
      return v * 10;
    } finally {
      stats.inFlight -= 1;
      stats.settled += 1;
    }
  };
  return { fn, stats };
}

/** A hand-written source that logs every call made to it; each next() waits until the test answers it. */
function manual<T>() {
  const log: string[] = [];
  const answers: Array<(result: Promise<IteratorResult<T>>) => void> = [];
  const iterator: AsyncIterator<T> = {
    next: () => {
      log.push("next");
      return new Promise<IteratorResult<T>>((resolve) => answers.push(resolve));
    },
    return: () => {
      log.push("return");
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  const answer = (result: Promise<IteratorResult<T>>): void => {
    const resolve = answers.shift();
    if (resolve === undefined) throw new Error("no next() is waiting");
    resolve(result);
  };
  return {
    log,
    iterable: {
      [Symbol.asyncIterator]: () => {
        log.push("open");
        return iterator;
      },
    },
    give: (value: T) => answer(Promise.resolve({ done: false, value })),
    end: () => answer(Promise.resolve({ done: true, value: undefined })),
    fail: (error: unknown) => answer(Promise.reject(error)),
  };
}

describe("mapConcurrent", () => {
  test("ordered (the default): every result once, in input order, never more than `concurrency` calls", async () => {
    const { fn, stats } = pool();
    const s = source(range(60));
    const { values } = await collect(mapConcurrent(s.it, fn, { concurrency: 4 }));
    expect(values).toEqual(range(60).map((v) => v * 10));
    expect(stats.max).toBeLessThanOrEqual(4);
    expect(stats.max).toBeGreaterThan(1);
    expect(s.stats.teardowns).toBe(1);
  });

  test("unordered: every result once, in completion order", async () => {
    const { fn, stats } = pool((v) => (v % 2 === 0 ? 6 : 0));
    const { values } = await collect(mapConcurrent(source(range(20)).it, fn, { concurrency: 3, ordered: false }));
    expect([...values].sort((a, b) => a - b)).toEqual(range(20).map((v) => v * 10));
    expect(values).not.toEqual(range(20).map((v) => v * 10)); // fast (odd) calls overtake slow ones
    expect(stats.max).toBeLessThanOrEqual(3);
  });

  test("the default concurrency is 1", async () => {
    const { fn, stats } = pool();
    await collect(mapConcurrent(source(range(10)).it, fn));
    expect(stats.max).toBe(1);
  });

  test("a slow consumer stops the reading: at most concurrency + buffer values are taken", async () => {
    const { fn } = pool(() => 0);
    const s = source(range(100));
    const mapped = mapConcurrent(s.it, fn, { concurrency: 3, highWaterMark: 2 });
    let read = 0;
    for await (const _ of mapped) {
      read += 1;
      await turn();
      expect(s.stats.sent - read).toBeLessThanOrEqual(3 + 2 + 1);
    }
    expect(read).toBe(100);
  });

  test("stopping aborts the calls in flight, waits for them, and stops the source once", async () => {
    const { fn, stats } = pool(() => Infinity);
    const s = source(range(100), { endless: true });
    const mapped = mapConcurrent(s.it, fn, { concurrency: 5 });
    const pending = mapped.next();
    while (stats.inFlight < 5) await turn();
    await mapped.return();
    expect(stats.inFlight).toBe(0);
    expect(stats.aborted).toBe(5);
    expect(s.stats.teardowns).toBe(1);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  test("fn's signal carries the stop reason", async () => {
    let seen: unknown;
    const mapped = mapConcurrent(source([1], { endless: true }).it, (_v, signal) =>
      new Promise<number>((_resolve, reject) =>
        signal.addEventListener("abort", () => {
          seen = signal.reason;
          reject(signal.reason as Error);
        }),
      ),
    );
    const pending = mapped.next();
    await turn();
    await mapped.stop("done here");
    await pending;
    expect(seen).toBeInstanceOf(AbortError);
    expect((seen as AbortError).message).toBe('mapConcurrent "mapConcurrent" was stopped by its consumer');
    expect((seen as AbortError).cause).toBe("done here");
  });

  test("an fn rejection fails the stream once, after the earlier results, and stops the source", async () => {
    const boom = new Error("boom");
    const { fn, stats } = pool(() => 3);
    const s = source(range(50), { endless: true });
    const mapped = mapConcurrent(s.it, (v: number, signal: AbortSignal) => (v === 7 ? Promise.reject(boom) : fn(v, signal)), {
      concurrency: 4,
    });
    const { values, error, errors } = await collect(mapped);
    expect(values).toEqual(range(7).map((v) => v * 10));
    expect(error).toBe(boom);
    expect(errors).toBe(1);
    expect(await mapped.next()).toEqual({ done: true, value: undefined });
    await mapped.return();
    expect(stats.inFlight).toBe(0);
    expect(s.stats.teardowns).toBe(1);
  });

  test("a synchronous throw in fn fails the stream like a rejection", async () => {
    const boom = new Error("sync");
    const { error } = await collect(mapConcurrent(source([1, 2]).it, () => {
      throw boom;
    }));
    expect(error).toBe(boom);
  });

  test("a source error arrives after the results of the values read before it", async () => {
    const boom = new Error("source broke");
    const { fn } = pool();
    const { values, error } = await collect(mapConcurrent(source([1, 2, 3], { error: boom }).it, fn, { concurrency: 2 }));
    expect(values).toEqual([10, 20, 30]);
    expect(error).toBe(boom);
  });

  test("an aborted signal rejects next() with an AbortError and cancels the calls", async () => {
    const controller = new AbortController();
    const { fn, stats } = pool(() => Infinity);
    const s = source(range(10), { endless: true });
    const mapped = mapConcurrent(s.it, fn, { concurrency: 2, signal: controller.signal });
    const pending = mapped.next();
    while (stats.inFlight < 2) await turn();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await mapped.return();
    expect(stats.inFlight).toBe(0);
    expect(s.stats.teardowns).toBe(1);
  });

  test("regression: a drop policy with a slow consumer drops results and still ends", async () => {
    const s = source(range(10));
    const got: number[] = [];
    for await (const v of mapConcurrent(s.it, (v: number) => v, { highWaterMark: 1, overflow: "drop-oldest", concurrency: 2 })) {
      got.push(v);
      await turn();
    }
    expect(got.length).toBeLessThan(10);
    expect(got.at(-1)).toBe(9); // drop-oldest keeps the latest
  });

  test("validates its arguments", () => {
    const empty = (async function* () {})();
    expect(() => mapConcurrent(empty, "x" as never)).toThrow("Expected `fn` to be a function");
    expect(() => mapConcurrent(empty, (v) => v, { concurrency: 0 })).toThrow("Expected `concurrency` to be an integer >= 1");
    expect(() => mapConcurrent(empty, (v) => v, { concurrency: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => mapConcurrent(empty, (v) => v, { ordered: "yes" } as never)).toThrow("Expected `ordered` to be a boolean");
    expect(() => mapConcurrent({} as never, (v) => v)).toThrow("Expected `source` to be an async iterable");
  });

  test("after a stop the source is not read again, even once a call that ignores its signal finishes", async () => {
    const src = manual<number>();
    let finish: ((value: number) => void) | undefined;
    const mapped = mapConcurrent(src.iterable, () => new Promise<number>((resolve) => (finish = resolve)));
    const first = mapped.next();
    await turn();
    src.give(1); // fn(1) runs: the only slot is taken
    await turn();
    expect(finish).toBeDefined();
    const stopped = mapped.return();
    finish?.(10); // the call ends after the stop, with a result nobody wants
    await stopped;
    await turn();
    expect(await first).toEqual({ done: true, value: undefined });
    expect(src.log).toEqual(["open", "next", "return"]); // the second read waited for the slot
  });

  test("a value the source gives while the stream is stopping is not mapped", async () => {
    const src = manual<number>();
    let calls = 0;
    const mapped = mapConcurrent(src.iterable, (v: number) => {
      calls += 1;
      return v;
    });
    const first = mapped.next();
    await turn(); // the source's next() is waiting
    await mapped.return();
    src.give(1);
    await turn();
    expect(calls).toBe(0);
    expect(await first).toEqual({ done: true, value: undefined });
    expect(src.log).toEqual(["open", "next", "return"]);
  });

  test("a source that ended or failed by itself is not asked to return()", async () => {
    const ended = manual<number>();
    const mappedEnded = mapConcurrent(ended.iterable, (v: number) => v * 10);
    const firstEnded = mappedEnded.next();
    await turn();
    ended.give(1);
    expect(await firstEnded).toEqual({ done: false, value: 10 });
    const lastEnded = mappedEnded.next();
    await turn();
    ended.end();
    expect(await lastEnded).toEqual({ done: true, value: undefined });
    expect(ended.log).toEqual(["open", "next", "next"]);

    const boom = new Error("source broke");
    const failed = manual<number>();
    const mappedFailed = mapConcurrent(failed.iterable, (v: number) => v * 10);
    const firstFailed = mappedFailed.next();
    await turn();
    failed.fail(boom);
    await expect(firstFailed).rejects.toBe(boom);
    expect(failed.log).toEqual(["open", "next"]);
  });

  test("a stream stopped before it started still opens and returns its source", async () => {
    const src = manual<number>();
    const mapped = mapConcurrent(src.iterable, (v: number) => v);
    await mapped.return();
    await turn();
    expect(src.log).toEqual(["open", "return"]);
  });

  test("when a call fails, the calls still in flight are aborted with an AbortError saying they are no longer needed", async () => {
    const boom = new Error("boom");
    let reason: unknown;
    const fn = (v: number, signal: AbortSignal): Promise<number> =>
      v === 0
        ? Promise.reject(boom)
        : new Promise<number>((_resolve, reject) =>
            signal.addEventListener("abort", () => {
              reason = signal.reason;
              reject(signal.reason as Error);
            }),
          );
    const { error } = await collect(mapConcurrent(source([0, 1]).it, fn, { concurrency: 2 }));
    expect(error).toBe(boom);
    expect(reason).toBeInstanceOf(AbortError);
    expect((reason as AbortError).message).toBe("mapConcurrent finished: the call is no longer needed");
  });

  test("a source whose [Symbol.asyncIterator]() returns no iterator fails the stream with an error naming it", async () => {
    const mapped = mapConcurrent({ [Symbol.asyncIterator]: () => 42 } as never, (v) => v);
    await expect(mapped.next()).rejects.toThrow("Expected `source[Symbol.asyncIterator]()` to be an async iterator");
  });

});
