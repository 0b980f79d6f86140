import { afterEach, describe, expect, test, vi } from "vitest";
import { AbortError, ErrorCode, InvalidArgumentError, SluiceError, deadline, timeout } from "../../src/core/index.js";
import { collect, source } from "../helpers/sources.js";

// Only timers and Date are faked: the leak check after each test needs a real setImmediate.
const fake = (): void => void vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
afterEach(() => void vi.useRealTimers());
/** The rejection of a next() that is expected to fail while the test advances the clock (handled at once). */
const settle = (next: Promise<unknown>): Promise<unknown> => next.then(() => undefined, (error: unknown) => error);

describe("timeout", () => {
  test("fails with ERR_SLUICE_TIMEOUT after `ms`, stops the source, leaves no timer", async () => {
    fake();
    const s = source([1, 2], { endless: true });
    const limited = timeout(s.it, 100);
    expect(await limited.next()).toEqual({ value: 1, done: false });
    expect(await limited.next()).toEqual({ value: 2, done: false });
    const pending = settle(limited.next());
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(s.stats.teardowns).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    const error = await pending;
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toMatchObject({ code: ErrorCode.Timeout });
    expect(String((error as Error).message)).toContain("did not finish within 100 ms");
    expect(await limited.next()).toEqual({ value: undefined, done: true });
    expect(s.stats.teardowns).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("the message reads well with and without a name", async () => {
    fake();
    const failure = async (limited: AsyncIterator<number>): Promise<string> => {
      const pending = settle(limited.next());
      await vi.advanceTimersByTimeAsync(100);
      return String(((await pending) as Error).message);
    };
    const advice = "Expected the stream to finish in time; allow more time, or make the source faster.";
    expect(await failure(timeout(source([], { endless: true }).it, 100))).toBe(
      `The timeout expired: the stream did not finish within 100 ms, so its source was stopped. ${advice}`,
    );
    expect(await failure(timeout(source([], { endless: true }).it, 100, { name: "rows" }))).toBe(
      `Timeout "rows" expired: the stream did not finish within 100 ms, so its source was stopped. ${advice}`,
    );
    const at = Date.now() + 100;
    expect(await failure(deadline(source([], { endless: true }).it, at))).toBe(
      `The deadline expired: the stream did not finish by ${new Date(at).toISOString()}, so its source was stopped. ${advice}`,
    );
  });

  test("the clock starts on the first next()", async () => {
    fake();
    const limited = timeout(source([1]).it, 50);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await collect(limited)).toMatchObject({ values: [1], error: undefined });
    expect(vi.getTimerCount()).toBe(0);
  });

  test("every exit clears the timer: end, source error, consumer stop, abort", async () => {
    fake();
    await collect(timeout(source([1, 2]).it, 1000));
    expect(vi.getTimerCount()).toBe(0);

    const boom = new Error("boom");
    expect((await collect(timeout(source([1], { error: boom }).it, 1000))).error).toBe(boom);
    expect(vi.getTimerCount()).toBe(0);

    const s = source([1, 2, 3], { endless: true });
    expect((await collect(timeout(s.it, 1000), 1)).values).toEqual([1]);
    expect(s.stats.teardowns).toBe(1);
    expect(vi.getTimerCount()).toBe(0);

    const controller = new AbortController();
    const aborted = timeout(source([1], { endless: true }).it, 1000, { signal: controller.signal });
    await aborted.next();
    const pending = aborted.next();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("with lazy: false the clock starts at once; stop before any next() clears it", async () => {
    fake();
    const s = source([1], { endless: true });
    const limited = timeout(s.it, 50, { lazy: false });
    expect(vi.getTimerCount()).toBe(1);
    await limited.return();
    expect(vi.getTimerCount()).toBe(0);
    expect(s.stats.teardowns).toBe(1);
  });

  test("stop before the first next(): no timer, and a bridge source is finished without starting", async () => {
    fake();
    const s = source([1]);
    await timeout(s.it, 50).return();
    expect(vi.getTimerCount()).toBe(0);
    expect(s.stats.sent).toBe(0);
  });

  test("Infinity sets no timer", async () => {
    fake();
    const limited = timeout(source([1], { endless: true }).it, Infinity);
    await limited.next();
    expect(vi.getTimerCount()).toBe(0);
    await limited.return();
  });

  test("the timer is unref'd", async () => {
    const created: Array<{ hasRef?: () => boolean }> = [];
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const timer = real(fn, ms);
      created.push(timer);
      return timer;
    }) as typeof setTimeout);
    try {
      const limited = timeout(source([1], { endless: true }).it, 60_000);
      await limited.next();
      expect(created).toHaveLength(1);
      expect(created[0]?.hasRef?.()).toBe(false);
      await limited.return();
    } finally {
      spy.mockRestore();
    }
  });

  test("validates its arguments", () => {
    const empty = (async function* () {})();
    expect(() => timeout(empty, -1)).toThrow("Expected `ms` to be a number of milliseconds >= 0");
    expect(() => timeout(empty, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => timeout(3 as never, 5)).toThrow("Expected `source` to be an async iterable");
  });
});

test("regression: timeout with a drop policy and a slow consumer still ends", async () => {
  const got: number[] = [];
  for await (const v of timeout(source([1, 2, 3, 4, 5, 6]).it, 60_000, { highWaterMark: 1, overflow: "drop-newest" })) {
    got.push(v);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(got[0]).toBe(1);
});

describe("deadline", () => {
  test("fails at the given time", async () => {
    fake();
    const at = new Date(Date.now() + 500);
    const s = source([1], { endless: true });
    const limited = deadline(s.it, at);
    await limited.next();
    const pending = settle(limited.next());
    await vi.advanceTimersByTimeAsync(500);
    expect(await pending).toMatchObject({ code: "ERR_SLUICE_TIMEOUT" });
    expect(s.stats.teardowns).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a time already past fails at the first next(); the source bridge never starts", async () => {
    fake();
    const s = source([1]);
    const limited = deadline(s.it, Date.now() - 1);
    await expect(limited.next()).rejects.toMatchObject({ code: ErrorCode.Timeout });
    expect(s.stats.sent).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a deadline beyond setTimeout's range is chained, not fired early", async () => {
    fake();
    const limited = deadline(source([1], { endless: true }).it, Date.now() + 2 ** 31 + 10_000);
    await limited.next();
    const pending = settle(limited.next());
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(vi.getTimerCount()).toBe(1); // re-armed for the rest
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await pending).toMatchObject({ code: ErrorCode.Timeout });
    expect(vi.getTimerCount()).toBe(0);
  });

  test("validates its arguments", () => {
    const empty = (async function* () {})();
    expect(() => deadline(empty, new Date("nope"))).toThrow("Expected `at` to be a valid Date");
    expect(() => deadline(empty, "tomorrow" as never)).toThrow(InvalidArgumentError);
  });
});
