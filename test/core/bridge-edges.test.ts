// Edges of the bridge that mutation testing (npm run mutate) showed no test checked: each test here fails
// when the behaviour it names is broken in src/core/bridge.ts.
import { EventEmitter, once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test, vi } from "vitest";
import { AbortError, ErrorCode, SluiceError, channel, openBridges, pull, subscribe } from "../../src/core/index.js";
import { assertNoLeaks } from "../../src/testing/index.js";
import { flush, settledState } from "../helpers.js";

const DONE = { done: true, value: undefined };

/** A started subscription whose producer ends on `end()` and whose async teardown rejects on `failTeardown(error)`. */
function endableWithFailingTeardown(): { source: ReturnType<typeof subscribe<number>>; end: () => void; failTeardown: (error: Error) => void } {
  let end!: () => void;
  let reject: ((error: Error) => void) | undefined;
  const source = subscribe<number>(
    (sink) => {
      end = sink.end;
      return () => new Promise<void>((_, fail) => (reject = fail));
    },
    { lazy: false },
  );
  return { source, end: () => end(), failTeardown: (error) => reject?.(error) };
}

describe("an already-aborted signal", () => {
  test("channel(): next() rejects at once, and the channel stays finished (it is not reopened when it starts)", async () => {
    const ch = channel<number>({ signal: AbortSignal.abort("before") });
    const next = ch.next();
    expect(await settledState(next)).toBe("rejected");
    await expect(next).rejects.toMatchObject({ name: "AbortError", message: "The operation was aborted", cause: "before" });
    expect(ch.push(1)).toBe(false);
    await expect(ch.next()).rejects.toBeInstanceOf(AbortError);
    expect(openBridges()).toEqual([]);
  });

  test("lazy: false: the producer never starts, and next() rejects instead of waiting", async () => {
    const setup = vi.fn();
    const producer = vi.fn();
    const subscribed = subscribe<number>(setup, { lazy: false, signal: AbortSignal.abort("before") });
    const pulled = pull<number>(producer, { lazy: false, signal: AbortSignal.abort("before") });
    for (const source of [subscribed, pulled]) {
      const next = source.next();
      expect(await settledState(next)).toBe("rejected");
      await expect(next).rejects.toMatchObject({ name: "AbortError", cause: "before" });
    }
    expect(setup).not.toHaveBeenCalled();
    expect(producer).not.toHaveBeenCalled();
  });
});

describe("a producer's own AbortError after stop", () => {
  // Node's APIs reject with their own AbortError (not the stop reason) when the producer passes them its signal.
  test("a pull producer in timers/promises' setTimeout with its signal: return() resolves", async () => {
    const source = pull<number>(async (send, signal) => {
      await send(1);
      await sleep(60_000, undefined, { signal });
    });
    expect(await source.next()).toEqual({ value: 1, done: false });
    await flush();
    await expect(source.return()).resolves.toEqual(DONE);
  });

  test("an async setup in events.once with its signal: stop() resolves", async () => {
    const emitter = new EventEmitter();
    const source = subscribe<number>(async (sink) => {
      await once(emitter, "never", { signal: sink.signal });
    });
    const pending = source.next();
    await flush();
    await expect(source.stop()).resolves.toBeUndefined();
    expect(await pending).toEqual(DONE);
  });
});

describe("setup outcomes", () => {
  test("an async setup that rejects fails the stream with its error", async () => {
    const boom = new Error("setup failed");
    const source = subscribe<number>(async (sink) => {
      sink.push(1);
      await flush(1);
      throw boom;
    });
    expect(await source.next()).toEqual({ value: 1, done: false });
    const failed = source.next();
    failed.catch(() => undefined); // it rejects during the flush: handled now, checked below
    await flush();
    expect(await settledState(failed)).toBe("rejected");
    await expect(failed).rejects.toBe(boom);
    expect(await source.next()).toEqual(DONE);
  });

  test("a setup that returns nothing (undefined or null, sync or async) leaves the stream open for later pushes", async () => {
    const returns: Array<() => unknown> = [() => undefined, () => null, async () => undefined, async () => null];
    for (const result of returns) {
      let push!: (value: number) => boolean;
      let end!: () => void;
      const source = subscribe<number>(((sink) => {
        push = sink.push;
        end = sink.end;
        return result();
      }) as Parameters<typeof subscribe<number>>[0]);
      const first = source.next();
      await flush();
      expect(await settledState(first)).toBe("pending");
      expect(push(1)).toBe(true);
      expect(await first).toEqual({ value: 1, done: false });
      end();
      expect(await source.next()).toEqual(DONE);
    }
  });

  test("lazy: false: a setup that ends at once and returns a throwing teardown fails the stream with the teardown's error", async () => {
    const broken = new Error("teardown failed");
    const teardown = vi.fn(() => {
      throw broken;
    });
    const source = subscribe<number>(
      (sink) => {
        sink.end();
        return teardown;
      },
      { lazy: false },
    );
    expect(teardown).toHaveBeenCalledTimes(1);
    await expect(source.next()).rejects.toBe(broken);
    expect(await source.next()).toEqual(DONE);
  });
});

describe("a producer that ends with nothing buffered and nobody waiting", () => {
  test("closes the bridge at once: it is not listed as open, and its teardown has run", async () => {
    let end!: () => void;
    const teardown = vi.fn();
    const source = subscribe<number>(
      (sink) => {
        end = sink.end;
        return teardown;
      },
      { lazy: false, name: "ends-later" },
    );
    expect(openBridges().map((b) => b.name)).toEqual(["ends-later"]);
    end();
    expect(openBridges()).toEqual([]);
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(await source.next()).toEqual(DONE);
  });
});

describe("after the producer's end, with values still buffered", () => {
  test("push() throws and send() rejects with the coded error; ready() is false; the buffered values still arrive", async () => {
    const ch = channel<number>();
    ch.push(1);
    ch.end();
    expect(() => ch.push(2)).toThrowError(
      expect.objectContaining({
        code: ErrorCode.PushAfterEnd,
        message: 'Cannot push to channel "channel": its producer already called end() or fail(). Push every value before ending the stream.',
      }),
    );
    await expect(ch.send(2)).rejects.toMatchObject({ code: ErrorCode.PushAfterEnd });
    expect(await ch.ready()).toBe(false);
    expect(await ch.next()).toEqual({ value: 1, done: false });
    expect(await ch.next()).toEqual(DONE);
  });
});

describe("overflow: error", () => {
  test("the push that overflows returns false; the ones before it true", async () => {
    const ch = channel<number>({ highWaterMark: 2, overflow: "error" });
    expect(ch.push(1)).toBe(true);
    expect(ch.push(2)).toBe(true);
    expect(ch.push(3)).toBe(false);
    expect(ch.push(4)).toBe(false); // cut off: dropped, no throw
    expect(await ch.next()).toEqual({ value: 1, done: false });
    expect(await ch.next()).toEqual({ value: 2, done: false });
    await expect(ch.next()).rejects.toMatchObject({ code: ErrorCode.Overflow });
  });
});

describe("snapshot (what leak reports show)", () => {
  test("producers waiting in send() and ready() are counted as pending sends, apart from the buffered values", async () => {
    const ch = channel<number>({ highWaterMark: 1, name: "snap" });
    const sent = [ch.send(1), ch.send(2), ch.send(3)];
    const ready = ch.ready();
    expect(openBridges()).toMatchObject([{ name: "snap", phase: "open", buffered: 1, pendingSend: 3, pendingNext: 0 }]);
    await ch.return();
    expect(await Promise.all(sent)).toEqual([true, false, false]);
    expect(await ready).toBe(false);
  });

  test("a bridge whose producer ended with values still buffered is 'ending'; one not started is 'not started'", async () => {
    const ch = channel<number>({ name: "ending" });
    ch.push(1);
    ch.end();
    const lazy = subscribe<number>(() => undefined, { name: "lazy" });
    expect(openBridges().map((b) => [b.name, b.phase, b.buffered])).toEqual([
      ["ending", "ending", 1],
      ["lazy", "not started", 0],
    ]);
    expect(await ch.next()).toEqual({ value: 1, done: false });
    expect(await ch.next()).toEqual(DONE);
    await lazy.return();
  });
});

describe("a synchronous pull producer", () => {
  test("its return ends the stream after the values it sent", async () => {
    const source = pull<number>((send) => {
      void send(1);
      void send(2);
    });
    const results = [source.next(), source.next(), source.next()];
    await flush();
    expect(await Promise.all(results.map(settledState))).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    expect(await Promise.all(results)).toEqual([{ value: 1, done: false }, { value: 2, done: false }, DONE]);
  });

  test("its throw fails the stream after the values it sent", async () => {
    const boom = new Error("sync producer failed");
    const source = pull<number>((send) => {
      void send(1);
      throw boom;
    });
    expect(await source.next()).toEqual({ value: 1, done: false });
    await expect(source.next()).rejects.toBe(boom);
  });
});

describe("what a stopped producer is told", () => {
  test("stop(reason): the producer's signal aborts with an AbortError that names the bridge, with the reason as cause", async () => {
    let signal!: AbortSignal;
    const source = pull<number>(
      async (send, s) => {
        signal = s;
        await send(1);
      },
      { name: "numbers" },
    );
    expect(await source.next()).toEqual({ value: 1, done: false });
    await source.stop("enough");
    expect(signal.reason).toBeInstanceOf(AbortError);
    expect(signal.reason).toMatchObject({ message: 'pull "numbers" was stopped by its consumer', cause: "enough" });
  });

  const gc = (globalThis as { gc?: () => void }).gc;
  test.runIf(gc !== undefined)("a consumer handle collected while open: the stop reason's cause is a Leak error naming the bridge", async () => {
    let signal!: AbortSignal;
    const onWarning = (): void => undefined; // the registry's own report, checked by the leak tests
    process.on("warning", onWarning);
    try {
      await (async () => {
        const source = subscribe<number>(
          (sink) => {
            signal = sink.signal;
            sink.push(1);
          },
          { name: "forgotten" },
        );
        await source.next();
      })();
      for (let i = 0; i < 50 && !signal.aborted; i += 1) {
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(signal.reason).toMatchObject({ name: "AbortError", message: 'subscribe "forgotten" was stopped by its consumer' });
      expect((signal.reason as Error).cause).toMatchObject({
        code: ErrorCode.Leak,
        message: 'subscribe "forgotten" was garbage-collected while open',
      });
      await expect(assertNoLeaks()).rejects.toThrow("garbage-collected while open"); // the report, consumed
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("overflow: error, what each side sees", () => {
  test("the consumer gets the buffered values, then an Overflow error that says what to do; the producer's signal has it as cause", async () => {
    const ch = channel<number>({ highWaterMark: 1, overflow: "error", name: "burst" });
    expect(await ch.send(1)).toBe(true);
    const ready = ch.ready(); // the buffer is full: waits
    expect(await settledState(ready)).toBe("pending");
    expect(await ch.send(2)).toBe(false); // the send that overflows: cut off
    expect(await ready).toBe(false);
    expect(await ch.next()).toEqual({ value: 1, done: false });
    const failure = await ch.next().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SluiceError);
    expect(failure).toMatchObject({
      code: ErrorCode.Overflow,
      message:
        'channel "burst" overflowed: more than 1 values buffered. ' +
        'Expected the consumer to keep up; raise highWaterMark, or use overflow "wait" or a drop policy.',
    });
    expect(ch.signal.reason).toBeInstanceOf(AbortError);
    expect(ch.signal.reason).toMatchObject({ message: 'channel "burst" overflowed' });
    expect((ch.signal.reason as Error).cause).toBe(failure);
    expect(await ch.next()).toEqual(DONE);
  });

  test("the producer's end() after the overflow does not erase the overflow error", async () => {
    const ch = channel<number>({ highWaterMark: 1, overflow: "error" });
    ch.push(1);
    ch.push(2);
    ch.end();
    expect(await ch.next()).toEqual({ value: 1, done: false });
    await expect(ch.next()).rejects.toMatchObject({ code: ErrorCode.Overflow });
  });
});

describe("after a stop", () => {
  test("the producer's fail() is ignored: next() stays done", async () => {
    const ch = channel<number>();
    await ch.return();
    ch.fail(new Error("too late"));
    expect(await ch.next()).toEqual(DONE);
    expect(openBridges()).toEqual([]);
  });
});

describe("a channel that ends with nothing buffered and nobody waiting", () => {
  test("closes at once: it is not listed as open", async () => {
    const ch = channel<number>({ name: "quiet" });
    expect(openBridges().map((b) => b.name)).toEqual(["quiet"]);
    ch.end();
    expect(openBridges()).toEqual([]);
    expect(await ch.next()).toEqual(DONE);
  });
});

describe("highWaterMark: 0 (rendezvous)", () => {
  test("push() says true while another next() still waits after the hand-off, false once none does", async () => {
    const ch = channel<number>({ highWaterMark: 0 });
    const first = ch.next();
    const second = ch.next();
    expect(ch.push(1)).toBe(true);
    expect(ch.push(2)).toBe(false);
    expect(await Promise.all([first, second])).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
    ]);
    ch.end();
    expect(await ch.next()).toEqual(DONE);
  });

  test("ready() is true at once while a next() waits", async () => {
    const ch = channel<number>({ highWaterMark: 0 });
    const next = ch.next();
    const ready = ch.ready();
    expect(await settledState(ready)).toBe("fulfilled");
    expect(await ready).toBe(true);
    ch.push(1);
    expect(await next).toEqual({ value: 1, done: false });
    await ch.return();
  });
});

describe("several producers waiting in send()", () => {
  test("each resumes, in call order, once its value is within highWaterMark of the head (at half of it), again after a full round", async () => {
    const ch = channel<number>({ highWaterMark: 2 });
    for (const round of [0, 10]) {
      const sends = [1, 2, 3, 4, 5].map((v) => ch.send(round + v));
      const settled = async (): Promise<string[]> => Promise.all(sends.map(settledState));
      expect(await settled()).toEqual(["fulfilled", "fulfilled", "pending", "pending", "pending"]);
      const taken: number[] = [];
      const after: string[][] = [];
      for (let i = 0; i < 5; i += 1) {
        taken.push((await ch.next()).value as number);
        after.push((await settled()).slice(2));
      }
      expect(taken).toEqual([1, 2, 3, 4, 5].map((v) => round + v));
      // resumeAt = ceil(2 / 2) = 1: the value at sequence s resumes once s < taken + 1, i.e. once it is the head.
      expect(after).toEqual([
        ["pending", "pending", "pending"],
        ["fulfilled", "pending", "pending"],
        ["fulfilled", "fulfilled", "pending"],
        ["fulfilled", "fulfilled", "fulfilled"],
        ["fulfilled", "fulfilled", "fulfilled"],
      ]);
      expect(await Promise.all(sends)).toEqual([true, true, true, true, true]);
    }
    await ch.return();
  });
});

describe("a synchronous pull producer that returns at once", () => {
  test("closes its bridge before pull() returns (lazy: false)", async () => {
    const source = pull<number>(() => undefined, { lazy: false, name: "instant" });
    expect(openBridges()).toEqual([]);
    expect(await source.next()).toEqual(DONE);
  });
});

describe("a next() waiting for the teardown", () => {
  test("an async setup that ends after it started and resolves to an async teardown: next() is done once the teardown finished", async () => {
    let finishTeardown: (() => void) | undefined;
    const source = subscribe<number>(async (sink) => {
      await flush(1);
      sink.end();
      return () => new Promise<void>((resolve) => (finishTeardown = resolve));
    });
    const pending = source.next();
    await flush();
    expect(finishTeardown).toBeDefined();
    expect(await settledState(pending)).toBe("pending");
    finishTeardown?.();
    expect(await settledState(pending)).toBe("fulfilled");
    expect(await pending).toEqual(DONE);
  });

  test("stop() calls settle in call order when the teardown arrives between them, and one made as the first resolves after the second", async () => {
    let resolveSetup!: (teardown: () => Promise<void>) => void;
    let finishTeardown: (() => void) | undefined;
    const source = subscribe<number>(() => new Promise((resolve) => (resolveSetup = resolve)));
    const first = source.next();
    const order: string[] = [];
    let third: Promise<unknown> | undefined;
    const stopped = source.stop().then(() => {
      order.push("first stop");
      third = source.stop().then(() => order.push("third stop")); // called after the second: settles after it
    });
    expect(await first).toEqual(DONE);
    resolveSetup(() => new Promise<void>((resolve) => (finishTeardown = resolve)));
    await flush();
    expect(finishTeardown).toBeDefined();
    const again = source.stop().then(() => order.push("second stop"));
    await flush();
    expect(order).toEqual([]); // both wait for the teardown
    finishTeardown?.();
    await Promise.all([stopped, again]);
    await third;
    expect(order).toEqual(["first stop", "second stop", "third stop"]);
  });

  test("a teardown's rejection delivered through the final next() is not thrown again by stop()", async () => {
    const broken = new Error("teardown failed");
    const { source, end, failTeardown } = endableWithFailingTeardown();
    const pending = source.next();
    end();
    expect(await settledState(pending)).toBe("pending");
    failTeardown(broken);
    await expect(pending).rejects.toBe(broken);
    await expect(source.stop()).resolves.toBeUndefined();
  });

  test("a teardown's rejection delivered through the final next() is not thrown again by stop(), after an async setup too", async () => {
    // The async setup's exit and the teardown's are two: the rejection reaches next() through the newer one.
    for (const asyncSetup of [false, true]) {
      const broken = new Error("teardown failed");
      const source = subscribe<number>((sink) => {
        setTimeout(sink.end, 1);
        const teardown = async (): Promise<void> => {
          throw broken;
        };
        return asyncSetup ? new Promise<typeof teardown>((resolve) => setTimeout(() => resolve(teardown), 0)) : teardown;
      });
      await expect(source.next()).rejects.toBe(broken);
      await expect(source.stop()).resolves.toBeUndefined();
    }
  });

  test("stop() while it waits: next() is done at once, and the teardown's rejection reaches every stop()", async () => {
    const broken = new Error("teardown failed");
    const { source, end, failTeardown } = endableWithFailingTeardown();
    const pending = source.next();
    end();
    const stopped = source.stop();
    stopped.catch(() => undefined); // checked below
    expect(await pending).toEqual(DONE);
    failTeardown(broken);
    await expect(stopped).rejects.toBe(broken);
    await flush();
    await expect(source.stop()).rejects.toBe(broken);
  });
});
