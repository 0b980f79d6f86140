// Edges of the bridge that mutation testing (npm run mutate) showed no test checked: each test here fails
// when the behaviour it names is broken in src/core/bridge.ts.
import { EventEmitter, once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test, vi } from "vitest";
import { AbortError, ErrorCode, channel, openBridges, pull, subscribe } from "../../src/core/index.js";
import { flush, settledState } from "../helpers.js";

const DONE = { done: true, value: undefined };

describe("an already-aborted signal", () => {
  test("channel(): next() rejects at once, and the channel stays finished (it is not reopened when it starts)", async () => {
    const ch = channel<number>({ signal: AbortSignal.abort("before") });
    const next = ch.next();
    expect(await settledState(next)).toBe("rejected");
    await expect(next).rejects.toMatchObject({ name: "AbortError", cause: "before" });
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
    expect(() => ch.push(2)).toThrowError(expect.objectContaining({ code: ErrorCode.PushAfterEnd }));
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
