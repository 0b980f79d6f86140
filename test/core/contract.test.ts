// The semantics contract, rule by rule (docs/semantics.md, which lists the test names).
import { describe, expect, test, vi } from "vitest";
import {
  AbortError,
  ErrorCode,
  InvalidArgumentError,
  SluiceError,
  channel,
  openBridges,
  pull,
  subscribe,
} from "../../src/core/index.js";
import { flush, settledState } from "../helpers.js";

describe("order", () => {
  test("order: values arrive in push order, none lost, none duplicated", async () => {
    const ch = channel<number>();
    const input = Array.from({ length: 1000 }, (_, i) => i);
    for (const v of input) ch.push(v);
    ch.end();
    const seen: number[] = [];
    for await (const v of ch) seen.push(v);
    expect(seen).toEqual(input);
  });

  test("order: push and send interleaved keep call order, even while a sender waits", async () => {
    const ch = channel<string>({ highWaterMark: 1 });
    const a = ch.send("a"); // accepted: within highWaterMark
    const b = ch.send("b"); // waits
    ch.push("c"); // buffered behind b
    ch.end();
    const seen: string[] = [];
    for await (const v of ch) seen.push(v);
    expect(seen).toEqual(["a", "b", "c"]);
    expect(await a).toBe(true);
    expect(await b).toBe(true);
  });
});

describe("call order of next()", () => {
  test("call order: three un-awaited next() calls settle in call order", async () => {
    const ch = channel<number>();
    const order: number[] = [];
    const calls = [ch.next(), ch.next(), ch.next()].map((p, i) => p.then((r) => (order.push(i), r)));
    ch.push(10);
    ch.push(20);
    ch.push(30);
    const results = await Promise.all(calls);
    expect(results.map((r) => r.value)).toEqual([10, 20, 30]);
    expect(order).toEqual([0, 1, 2]);
    ch.end();
    expect(await ch.next()).toEqual({ done: true, value: undefined });
  });

  test("call order: pending next() calls beyond the last value settle done, in order, when the producer ends", async () => {
    const ch = channel<number>();
    const calls = [ch.next(), ch.next(), ch.next()];
    ch.push(1);
    ch.end();
    expect(await Promise.all(calls)).toEqual([
      { value: 1, done: false },
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
  });

  test("call order: concurrent next() calls settle in order behind an async teardown", async () => {
    let release!: () => void;
    const source = subscribe<number>((sink) => {
      sink.end();
      return () => new Promise<void>((resolve) => (release = resolve));
    });
    const order: number[] = [];
    const calls = [source.next(), source.next(), source.next()].map((p, i) => p.then(() => order.push(i)));
    await flush();
    release();
    await Promise.all(calls);
    expect(order).toEqual([0, 1, 2]);
  });

  test("call order: a next() called from inside setup (or a pull producer) comes after the next() that started it", async () => {
    // The outer next() is called first: it starts the producer, which calls next() again before returning.
    // Call order says the outer call gets the first value (it used to get the second).
    let inner: Promise<IteratorResult<number, undefined>> | undefined;
    const source = subscribe<number>((sink) => {
      inner = source.next();
      sink.push(1);
      sink.push(2);
      return undefined;
    });
    const outer = source.next();
    expect(await outer).toEqual({ done: false, value: 1 });
    expect(await inner).toEqual({ done: false, value: 2 });
    await source.return();

    // The same from a pull producer, before and after its first send.
    let innerPull: Promise<IteratorResult<number, undefined>> | undefined;
    const numbers = pull<number>(async (send) => {
      innerPull = numbers.next();
      for (let i = 1; i <= 3; i += 1) if (!(await send(i))) return;
    });
    expect(await numbers.next()).toEqual({ done: false, value: 1 });
    expect(await innerPull).toEqual({ done: false, value: 2 });
    await numbers.return();
  });
});

describe("stop", () => {
  test("stop: return() while a next() is pending settles both at once and awaits an async teardown", async () => {
    const events: string[] = [];
    let finishTeardown!: () => void;
    const source = subscribe<number>(() => () => {
      events.push("teardown started");
      return new Promise<void>((resolve) => (finishTeardown = resolve)).then(() => {
        events.push("teardown finished");
      });
    });
    const pending = source.next().then((r) => (events.push("next settled"), r));
    await flush();
    const returned = source.return().then((r) => (events.push("return settled"), r));
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(events).toEqual(["teardown started", "next settled"]);
    finishTeardown();
    expect(await returned).toEqual({ done: true, value: undefined });
    expect(events).toEqual(["teardown started", "next settled", "teardown finished", "return settled"]);
  });

  test("stop: a producer waiting in send() is released with false when the consumer stops", async () => {
    const ch = channel<number>({ highWaterMark: 0 });
    const sent = ch.send(1);
    await ch.return();
    expect(await sent).toBe(false);
  });

  test("stop: a producer waiting in ready() is released with false when the consumer stops", async () => {
    const ch = channel<number>({ highWaterMark: 1 });
    ch.push(1);
    const ready = ch.ready();
    await ch.stop();
    expect(await ready).toBe(false);
  });

  test("stop: stop drops buffered values; next() after stop is done", async () => {
    const ch = channel<number>();
    ch.push(1);
    ch.push(2);
    await ch.stop();
    expect(await ch.next()).toEqual({ done: true, value: undefined });
    expect(ch.push(3)).toBe(false);
    expect(await ch.send(4)).toBe(false);
  });

  test("stop: stop is idempotent: return(), stop(), asyncDispose and abort together run teardown exactly once", async () => {
    const controller = new AbortController();
    const teardown = vi.fn();
    const source = subscribe<number>(() => teardown, { signal: controller.signal });
    const first = source.next();
    await flush();
    await Promise.all([source.return(), source.stop("twice"), source[Symbol.asyncDispose]()]);
    controller.abort();
    await source.return();
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(await first).toEqual({ done: true, value: undefined });
  });

  test("stop: stop aborts the producer's signal with an AbortError whose cause is the reason", async () => {
    const ch = channel<number>();
    const signal = ch.signal;
    expect(signal.aborted).toBe(false);
    await ch.stop("enough");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(AbortError);
    expect((signal.reason as AbortError).cause).toBe("enough");
  });

  test("stop: the producer's signal, first read after stop, is already aborted", async () => {
    const ch = channel<number>();
    await ch.stop("late");
    expect(ch.signal.aborted).toBe(true);
    expect((ch.signal.reason as AbortError).cause).toBe("late");
  });

  test("stop: stop before start: the producer never starts", async () => {
    const setup = vi.fn();
    const producer = vi.fn();
    const a = subscribe<number>(setup);
    const b = pull<number>(producer);
    await a.return();
    await b.stop();
    expect(await a.next()).toEqual({ done: true, value: undefined });
    expect(await b.next()).toEqual({ done: true, value: undefined });
    expect(setup).not.toHaveBeenCalled();
    expect(producer).not.toHaveBeenCalled();
  });

  test("stop: pull's stop() resolves only after the producer has exited", async () => {
    const events: string[] = [];
    const source = pull<number>(async (send, signal) => {
      try {
        for (let i = 0; ; i += 1) if (!(await send(i))) return;
      } finally {
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`producer exited, aborted=${String(signal.aborted)}`);
      }
    });
    expect(await source.next()).toEqual({ value: 0, done: false });
    await source.stop();
    events.push("stop resolved");
    expect(events).toEqual(["producer exited, aborted=true", "stop resolved"]);
  });

  test("stop: breaking out of for await runs teardown exactly once and detaches the listener", async () => {
    const { EventEmitter } = await import("node:events");
    const emitter = new EventEmitter();
    const teardown = vi.fn();
    const source = subscribe<number>((sink) => {
      emitter.on("data", sink.push);
      return () => {
        teardown();
        emitter.off("data", sink.push);
      };
    });
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const v of source) if (seen.push(v) === 2) break;
    })();
    await flush();
    for (let i = 0; i < 5; i += 1) emitter.emit("data", i);
    await consumer;
    expect(seen).toEqual([0, 1]);
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount("data")).toBe(0);
    expect(openBridges()).toEqual([]);
  });
});

describe("end", () => {
  test("end: after end(), buffered values are delivered, then done", async () => {
    const ch = channel<number>();
    ch.push(1);
    ch.push(2);
    ch.end();
    expect(await ch.next()).toEqual({ value: 1, done: false });
    expect(await ch.next()).toEqual({ value: 2, done: false });
    expect(await ch.next()).toEqual({ value: undefined, done: true });
    expect(await ch.next()).toEqual({ value: undefined, done: true });
  });

  test("end: push after the producer's own end() throws a coded error; send rejects with it", async () => {
    const ch = channel<number>();
    ch.end();
    expect(() => ch.push(1)).toThrowError(expect.objectContaining({ code: ErrorCode.PushAfterEnd }));
    await expect(ch.send(1)).rejects.toBeInstanceOf(SluiceError);
    await expect(ch.send(1)).rejects.toMatchObject({ code: "ERR_SLUICE_PUSH_AFTER_END" });
    expect(await ch.next()).toEqual({ value: undefined, done: true });
  });

  test("end: push after the consumer stopped is normal: false, no throw", async () => {
    const ch = channel<number>();
    await ch.return();
    expect(ch.push(1)).toBe(false);
    expect(await ch.send(2)).toBe(false);
    expect(await ch.ready()).toBe(false);
  });

  test("end: end() is idempotent and fail() after end() is ignored", async () => {
    const ch = channel<number>();
    ch.push(1);
    ch.end();
    ch.end();
    ch.fail(new Error("too late"));
    expect(await ch.next()).toEqual({ value: 1, done: false });
    expect(await ch.next()).toEqual({ value: undefined, done: true });
  });

  test("end: ending a subscription runs its teardown at once, before the consumer drains", async () => {
    const teardown = vi.fn();
    const source = subscribe<number>((sink) => {
      queueMicrotask(() => {
        sink.push(1);
        sink.end();
      });
      return teardown;
    });
    const first = source.next();
    expect(await first).toEqual({ value: 1, done: false });
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(await source.next()).toEqual({ value: undefined, done: true });
    expect(teardown).toHaveBeenCalledTimes(1);
  });
});

describe("error", () => {
  test("error: fail() delivers buffered values before the error, then the error once, then done", async () => {
    const ch = channel<number>();
    const boom = new Error("boom");
    ch.push(1);
    ch.push(2);
    ch.fail(boom);
    expect(await ch.next()).toEqual({ value: 1, done: false });
    expect(await ch.next()).toEqual({ value: 2, done: false });
    await expect(ch.next()).rejects.toBe(boom);
    expect(await ch.next()).toEqual({ value: undefined, done: true });
  });

  test("error: fail() with next() calls pending: the first rejects, the rest are done", async () => {
    const ch = channel<number>();
    const boom = new Error("boom");
    const a = ch.next();
    const b = ch.next();
    ch.fail(boom);
    await expect(a).rejects.toBe(boom);
    expect(await b).toEqual({ value: undefined, done: true });
  });

  test("error: a pull producer that throws errors the stream after the values it sent", async () => {
    const boom = new Error("producer broke");
    const source = pull<number>(async (send) => {
      await send(1);
      throw boom;
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of source) seen.push(v);
      })(),
    ).rejects.toBe(boom);
    expect(seen).toEqual([1]);
  });

  test("error: a producer that pushes and ends synchronously inside setup still gets its teardown run", async () => {
    const teardown = vi.fn();
    const source = subscribe<number>((sink) => {
      sink.push(1);
      sink.push(2);
      sink.end();
      return teardown;
    });
    const seen: number[] = [];
    for await (const v of source) seen.push(v);
    expect(seen).toEqual([1, 2]);
    expect(teardown).toHaveBeenCalledTimes(1);
  });

  test("error: a producer that fails synchronously inside setup still gets its teardown run", async () => {
    const teardown = vi.fn();
    const boom = new Error("sync fail");
    const source = subscribe<number>((sink) => {
      sink.push(1);
      sink.fail(boom);
      return teardown;
    });
    expect(await source.next()).toEqual({ value: 1, done: false });
    await expect(source.next()).rejects.toBe(boom);
    expect(teardown).toHaveBeenCalledTimes(1);
  });

  test("error: a setup that throws fails the stream", async () => {
    const boom = new Error("setup threw");
    const source = subscribe<number>(() => {
      throw boom;
    });
    await expect(source.next()).rejects.toBe(boom);
    expect(await source.next()).toEqual({ value: undefined, done: true });
  });

  test("error: an async setup's teardown runs once the setup resolves, even if the consumer stopped first", async () => {
    const teardown = vi.fn();
    let finishSetup!: () => void;
    const source = subscribe<number>(async () => {
      await new Promise<void>((resolve) => (finishSetup = resolve));
      return teardown;
    });
    const pending = source.next();
    await flush();
    const stopped = source.stop();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(teardown).not.toHaveBeenCalled();
    finishSetup();
    await stopped;
    expect(teardown).toHaveBeenCalledTimes(1);
  });
});

describe("backpressure", () => {
  test("backpressure: push returns false at highWaterMark; ready() resolves once the consumer takes a value", async () => {
    const ch = channel<number>({ highWaterMark: 2 });
    expect(ch.push(1)).toBe(true);
    expect(ch.push(2)).toBe(false);
    const ready = ch.ready();
    let isReady = false;
    void ready.then(() => (isReady = true));
    await flush();
    expect(isReady).toBe(false);
    await ch.next();
    expect(await ready).toBe(true);
    await ch.return();
  });

  test("backpressure: with send(), the buffer never exceeds highWaterMark", async () => {
    const highWaterMark = 3;
    const ch = channel<number>({ highWaterMark, name: "bounded" });
    let consumed = 0;
    let maxBuffered = 0;
    const buffered = (): number => openBridges().find((b) => b.name === "bounded")?.buffered ?? 0;
    const producer = (async () => {
      for (let i = 0; i < 100; i += 1) {
        if (!(await ch.send(i))) return;
        maxBuffered = Math.max(maxBuffered, buffered());
      }
      ch.end();
    })();
    for await (const _ of ch) {
      consumed += 1;
      await flush(); // a slow consumer
    }
    await producer;
    expect(consumed).toBe(100);
    expect(maxBuffered).toBe(highWaterMark); // reached, never exceeded
  });

  test("backpressure: a producer that had to wait resumes when the buffer is down to half of highWaterMark (hysteresis)", async () => {
    const ch = channel<number>({ highWaterMark: 4 });
    for (let i = 0; i < 4; i += 1) ch.push(i);
    let ready = false;
    void ch.ready().then(() => (ready = true));
    let sent = false;
    void ch.send(4).then(() => (sent = true));
    await ch.next(); // 1, 2, 3 and the waiting sender's 4 buffered
    await ch.next(); // 2, 3, 4: still above half
    await flush();
    expect([ready, sent]).toEqual([false, false]);
    await ch.next(); // 3, 4: down to half of highWaterMark
    await flush();
    expect([ready, sent]).toEqual([true, true]);
    await ch.return();
  });

  test("backpressure: at highWaterMark 0, send() resolves only when a consumer has taken the value (rendezvous)", async () => {
    const ch = channel<string>({ highWaterMark: 0 });
    let resolved = false;
    const sent = ch.send("x").then((ok) => ((resolved = true), ok));
    await flush();
    expect(resolved).toBe(false);
    expect(await ch.next()).toEqual({ value: "x", done: false });
    expect(await sent).toBe(true);
    await ch.return();
  });

  test("backpressure: at highWaterMark 0, a waiting consumer makes ready() resolve and takes the pushed value directly", async () => {
    const ch = channel<string>({ highWaterMark: 0 });
    const ready = ch.ready();
    const next = ch.next();
    expect(await ready).toBe(true);
    expect(ch.push("direct")).toBe(false); // the next push would wait again
    expect(await next).toEqual({ value: "direct", done: false });
    await ch.return();
  });

  test("backpressure: pull defaults to a rendezvous: the producer runs one value ahead of the consumer", async () => {
    const produced: number[] = [];
    const source = pull<number>(async (send) => {
      for (let i = 0; i < 10; i += 1) {
        produced.push(i);
        if (!(await send(i))) return;
      }
    });
    expect(await source.next()).toEqual({ value: 0, done: false });
    await flush();
    expect(produced).toEqual([0, 1]);
    await source.return();
  });

  test("backpressure: overflow drop-oldest keeps the newest values", async () => {
    const ch = channel<number>({ highWaterMark: 2, overflow: "drop-oldest" });
    for (let i = 0; i < 5; i += 1) expect(ch.push(i)).toBe(true);
    ch.end();
    const seen: number[] = [];
    for await (const v of ch) seen.push(v);
    expect(seen).toEqual([3, 4]);
  });

  test("backpressure: overflow drop-newest keeps the oldest values and reports the drops", async () => {
    const ch = channel<number>({ highWaterMark: 2, overflow: "drop-newest" });
    expect([0, 1, 2, 3].map((i) => ch.push(i))).toEqual([true, true, false, false]);
    expect(await ch.send(9)).toBe(true); // dropped by the policy, but the consumer is still reading
    ch.end();
    const seen: number[] = [];
    for await (const v of ch) seen.push(v);
    expect(seen).toEqual([0, 1]);
  });

  test("backpressure: overflow error fails the stream after the buffered values and stops the producer", async () => {
    const teardown = vi.fn();
    let signal!: AbortSignal;
    const source = subscribe<number>(
      (sink) => {
        signal = sink.signal;
        for (let i = 0; i < 5; i += 1) sink.push(i);
        return teardown;
      },
      { highWaterMark: 2, overflow: "error" },
    );
    // 0 goes straight to the first next() (it started the setup and waits), 1 and 2 fill the buffer, 3 overflows.
    expect(await source.next()).toEqual({ value: 0, done: false });
    expect(await source.next()).toEqual({ value: 1, done: false });
    expect(await source.next()).toEqual({ value: 2, done: false });
    await expect(source.next()).rejects.toMatchObject({ code: ErrorCode.Overflow });
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(signal.aborted).toBe(true);
  });

  test("backpressure: a slow consumer with a send() producer keeps memory bounded", async () => {
    const ch = channel<Uint8Array>({ highWaterMark: 4 });
    let maxPending = 0;
    const producer = (async () => {
      for (let i = 0; i < 200; i += 1) if (!(await ch.send(new Uint8Array(1024)))) return;
      ch.end();
    })();
    let consumed = 0;
    for await (const _ of ch) {
      consumed += 1;
      const info = openBridges().find((b) => b.name === "channel");
      maxPending = Math.max(maxPending, info?.buffered ?? 0);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await producer;
    expect(consumed).toBe(200);
    expect(maxPending).toBeLessThanOrEqual(4);
    expect(maxPending).toBeGreaterThan(0);
  });
});

describe("cancellation", () => {
  test("cancellation: an aborted signal rejects pending next() with an AbortError carrying the reason as cause", async () => {
    const controller = new AbortController();
    const ch = channel<number>({ signal: controller.signal });
    const pending = ch.next();
    controller.abort("user left");
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ name: "AbortError", code: "ABORT_ERR", cause: "user left" });
  });

  test("cancellation: after abort, later next() calls reject too; return() still resolves done", async () => {
    const controller = new AbortController();
    const ch = channel<number>({ signal: controller.signal });
    ch.push(1);
    controller.abort(new Error("why"));
    await expect(ch.next()).rejects.toBeInstanceOf(AbortError);
    await expect(ch.next()).rejects.toMatchObject({ cause: new Error("why") });
    expect(await ch.return()).toEqual({ done: true, value: undefined });
  });

  test("cancellation: abort stops the producer: its signal aborts and its teardown runs", async () => {
    const controller = new AbortController();
    const teardown = vi.fn();
    let producerSignal!: AbortSignal;
    const source = subscribe<number>(
      (sink) => {
        producerSignal = sink.signal;
        return teardown;
      },
      { signal: controller.signal },
    );
    const pending = source.next();
    await flush();
    controller.abort("stop it");
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(producerSignal.aborted).toBe(true);
    expect((producerSignal.reason as AbortError).cause).toBe("stop it");
  });

  test("cancellation: an already-aborted signal: the producer never starts and next() rejects", async () => {
    const producer = vi.fn();
    const source = pull<number>(producer, { signal: AbortSignal.abort("before") });
    await expect(source.next()).rejects.toMatchObject({ name: "AbortError", cause: "before" });
    expect(producer).not.toHaveBeenCalled();
  });

  test("cancellation: the abort listener is removed once the bridge finishes", async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, "addEventListener");
    const remove = vi.spyOn(controller.signal, "removeEventListener");
    const ch = channel<number>({ signal: controller.signal });
    ch.end();
    expect(await ch.next()).toEqual({ done: true, value: undefined });
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove.mock.calls[0]?.[0]).toBe("abort");
    expect(remove.mock.calls[0]?.[1]).toBe(add.mock.calls[0]?.[1]);
  });
});

describe("cost", () => {
  // Timing belongs in bench/; here we check the structural property: the queue never moves its items,
  // so draining a deep buffer is linear. Counting the ring buffer's own operations would be circular, so
  // we compare the time per value of two depths in one process, with a wide margin (30x deeper, < 5x slower).
  test("cost: draining 300,000 buffered values costs about as much per value as 10,000", async () => {
    const perValue = async (n: number): Promise<number> => {
      const ch = channel<number>();
      for (let i = 0; i < n; i += 1) ch.push(i);
      ch.end();
      const start = performance.now();
      let sum = 0;
      for await (const v of ch) sum += v;
      expect(sum).toBe((n * (n - 1)) / 2);
      return (performance.now() - start) / n;
    };
    await perValue(10_000); // warm-up
    const small = Math.min(await perValue(10_000), await perValue(10_000));
    const large = Math.min(await perValue(300_000), await perValue(300_000));
    expect(large / small).toBeLessThan(5);
  });
});

describe("no stray rejections", () => {
  test("no stray rejections: teardown that throws surfaces through return()", async () => {
    const boom = new Error("teardown broke");
    const source = subscribe<number>(() => () => {
      throw boom;
    });
    const pending = source.next();
    await flush();
    await expect(source.return()).rejects.toBe(boom);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  test("no stray rejections: an async teardown that rejects surfaces through stop()", async () => {
    const boom = new Error("async teardown broke");
    const source = subscribe<number>(() => async () => {
      throw boom;
    });
    void source.next();
    await flush();
    await expect(source.stop()).rejects.toBe(boom);
  });

  test("no stray rejections: a teardown that throws after the producer ended surfaces through the final next()", async () => {
    const boom = new Error("teardown broke after end");
    const source = subscribe<number>((sink) => {
      sink.push(1);
      sink.end();
      return () => {
        throw boom;
      };
    });
    expect(await source.next()).toEqual({ value: 1, done: false });
    await expect(source.next()).rejects.toBe(boom);
  });

  test("no stray rejections: a pull producer that throws its abort reason after stop does not reject stop()", async () => {
    const source = pull<number>(async (send, signal) => {
      await send(1);
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      signal.throwIfAborted();
    });
    expect(await source.next()).toEqual({ value: 1, done: false });
    await expect(source.stop("bye")).resolves.toBeUndefined();
  });

  test("no stray rejections: an async setup that rejects with its abort reason after stop does not reject stop()", async () => {
    let setupSignal!: AbortSignal;
    const source = subscribe<number>(async (sink) => {
      setupSignal = sink.signal;
      await new Promise((resolve) => sink.signal.addEventListener("abort", resolve, { once: true }));
      sink.signal.throwIfAborted();
    });
    const pending = source.next();
    await flush();
    await expect(source.stop("bye")).resolves.toBeUndefined();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(setupSignal.aborted).toBe(true);
  });

  test("no stray rejections: a pull producer that throws a real error after stop rejects stop()", async () => {
    const boom = new Error("cleanup failed");
    const source = pull<number>(async (send) => {
      await send(1);
      await send(2);
      throw boom;
    });
    expect(await source.next()).toEqual({ value: 1, done: false });
    await expect(source.stop()).rejects.toBe(boom);
  });

  test("no stray rejections: errors nobody asked for never become unhandled rejections", async () => {
    // A failed stream abandoned after its error, a teardown that throws when aborted, a producer that
    // throws after being stopped by a signal: vitest fails the run on any unhandled rejection.
    const controller = new AbortController();
    const a = subscribe<number>(() => () => Promise.reject(new Error("ignored teardown failure")), {
      signal: controller.signal,
    });
    void a.next().catch(() => undefined);
    const b = pull<number>(async (_send, signal) => {
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      throw new Error("ignored producer failure");
    }, { signal: controller.signal, lazy: false });
    await flush();
    controller.abort();
    await flush();
    expect(await settledState(a.next())).toBe("rejected");
    expect(await settledState(b.next())).toBe("rejected");
  });
});

describe("error classes", () => {
  test("error classes: invalid options throw InvalidArgumentError with an Expected … got … message", () => {
    expect(() => channel({ highWaterMark: -1 })).toThrowError(InvalidArgumentError);
    expect(() => channel({ highWaterMark: -1 })).toThrowError(
      "Expected `highWaterMark` to be a non-negative integer or Infinity, got -1",
    );
    expect(() => channel({ highWaterMark: 1.5 })).toThrowError(/highWaterMark/);
    expect(() => channel({ overflow: "sometimes" as never })).toThrowError(
      'Expected `overflow` to be one of "wait", "drop-oldest", "drop-newest", "error", got "sometimes"',
    );
    expect(() => channel({ overflow: "drop-oldest", highWaterMark: 0 })).toThrowError(/at least 1/);
    expect(() => channel({ signal: {} as AbortSignal })).toThrowError("Expected `signal` to be an AbortSignal (with `aborted`, `addEventListener` and `removeEventListener`), got an object (Object)");
    expect(() => channel({ name: 3 as never })).toThrowError("Expected `name` to be a string, got 3");
    expect(() => pull<number>(async () => {}, { lazy: "yes" as never })).toThrowError(/lazy/);
    expect(() => subscribe("nope" as never)).toThrowError("Expected `setup` to be a function, got \"nope\"");
    expect(() => pull(null as never)).toThrowError("Expected `producer` to be a function, got null");
  });

  test("error classes: errors have stable codes and useful messages", async () => {
    const ch = channel<number>({ name: "jobs" });
    ch.end();
    try {
      ch.push(1);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe("ERR_SLUICE_PUSH_AFTER_END");
      expect((error as Error).message).toContain('channel "jobs"');
    }
    expect(new AbortError().code).toBe("ABORT_ERR");
    await ch.return();
  });

  test("error classes: a setup returning something other than a teardown fails the stream with a clear message", async () => {
    const source = subscribe<number>(() => 42 as never);
    await expect(source.next()).rejects.toThrowError("Expected `setup()'s result` to be a teardown function, a promise of one, or nothing, got 42");
  });
});

describe("extras", () => {
  test("nextBatch takes everything buffered in one call", async () => {
    const ch = channel<number>();
    for (let i = 0; i < 5; i += 1) ch.push(i);
    expect(await ch.nextBatch()).toEqual({ value: [0, 1, 2, 3, 4], done: false });
    const waiting = ch.nextBatch(2);
    ch.push(5);
    expect(await waiting).toEqual({ value: [5], done: false });
    ch.push(6);
    ch.push(7);
    ch.push(8);
    ch.end();
    expect(await ch.nextBatch(2)).toEqual({ value: [6, 7], done: false });
    expect(await ch.nextBatch(2)).toEqual({ value: [8], done: false });
    expect(await ch.nextBatch()).toEqual({ value: undefined, done: true });
    expect(() => ch.nextBatch(0)).toThrowError(InvalidArgumentError);
  });

  test("await using stops the bridge at the end of the scope", async () => {
    const teardown = vi.fn();
    {
      await using source = subscribe<number>((sink) => {
        sink.push(1);
        return teardown;
      });
      expect(await source.next()).toEqual({ value: 1, done: false });
    }
    expect(teardown).toHaveBeenCalledTimes(1);
  });

  test("throw() stops the bridge with the error as reason, then rejects with it", async () => {
    const ch = channel<number>();
    const boom = new Error("consumer gave up");
    await expect(ch.throw(boom)).rejects.toBe(boom);
    expect((ch.signal.reason as AbortError).cause).toBe(boom);
  });

  test("lazy: false starts the producer at once and buffers", async () => {
    const setup = vi.fn((sink: { push: (v: number) => boolean }) => {
      sink.push(1);
    });
    const source = subscribe<number>(setup, { lazy: false });
    expect(setup).toHaveBeenCalledTimes(1);
    expect(await source.next()).toEqual({ value: 1, done: false });
    await source.return();
  });

  test("Infinity highWaterMark never pushes back", async () => {
    const ch = channel<number>({ highWaterMark: Infinity });
    for (let i = 0; i < 100; i += 1) expect(ch.push(i)).toBe(true);
    expect(await ch.send(100)).toBe(true);
    await ch.return();
  });
});
