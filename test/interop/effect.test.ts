// sluice/interop/effect: both directions, run with Effect's own runtime (runPromise, runFork, Fiber.interrupt).
// Every cleanup test asserts that the teardown (or the stream's finalizer) ran exactly once and had finished
// before the promise that stopped it resolved, and that no bridge is left open.
import * as Cause from "effect/Cause";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Fiber from "effect/Fiber";
import * as Stream from "effect/Stream";
import { describe, expect, test } from "vitest";
import {
  AbortError,
  type BridgeIterator,
  InvalidArgumentError,
  channel,
  isAbortError,
  openBridges,
  pull,
  subscribe,
} from "../../src/core/index.js";
import { fromStream, toStream } from "../../src/interop/effect.js";
import { LeakError, assertNoLeaks } from "../../src/testing/index.js";
import { flush, settledState } from "../helpers.js";
import { turn } from "../helpers/sources.js";

const gc = (globalThis as { gc?: () => void }).gc;

/** A `subscribe` bridge that pushes `values` (then ends, if asked) and records how it is torn down. */
function source(values: readonly number[], plan: { end?: boolean; slowTeardown?: boolean; teardownError?: Error } = {}) {
  const stats = { teardowns: 0, finished: false, reason: undefined as unknown, aborted: false };
  const it = subscribe<number>(
    (sink) => {
      for (const v of values) sink.push(v);
      if (plan.end === true) sink.end();
      sink.signal.addEventListener("abort", () => {
        stats.aborted = true;
        stats.reason = (sink.signal.reason as AbortError).cause;
      });
      return async () => {
        stats.teardowns += 1;
        if (plan.slowTeardown === true) for (let i = 0; i < 3; i += 1) await turn();
        stats.finished = true;
        if (plan.teardownError !== undefined) throw plan.teardownError;
      };
    },
    { name: "effect-test-source", highWaterMark: Infinity },
  );
  return { it, stats };
}

/** An Effect resource around `stream`, acquired when it starts, released (after a macrotask) when it ends. */
function guarded<A, E>(stream: Stream.Stream<A, E>, plan: { releaseDefect?: Error } = {}) {
  const stats = { acquired: 0, released: 0, exit: undefined as Exit.Exit<unknown, unknown> | undefined };
  const guardedStream = Stream.unwrap(
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => (stats.acquired += 1)),
        (_, exit) =>
          Effect.promise(async () => {
            await turn();
            stats.released += 1;
            stats.exit = exit;
            if (plan.releaseDefect !== undefined) throw plan.releaseDefect;
          }),
      ),
      () => stream,
    ),
  );
  return { stream: guardedStream, stats };
}

/** A stream that never ends, with an async `Stream.ensuring` finalizer; counts the values it emitted. */
function endless() {
  const stats = { emitted: 0, finalized: 0 };
  const stream = Stream.fromEffectRepeat(Effect.sync(() => (stats.emitted += 1))).pipe(
    Stream.ensuring(
      Effect.promise(async () => {
        await turn();
        stats.finalized += 1;
      }),
    ),
  );
  return { stream, stats };
}

describe("toStream: a sluice bridge as an Effect Stream", () => {
  test("values arrive in order, then the stream ends; the bridge is finished", async () => {
    const { it, stats } = source([1, 2, 3, 4, 5], { end: true });
    expect(await Effect.runPromise(Stream.runCollect(toStream(it)))).toEqual([1, 2, 3, 4, 5]);
    expect(stats.teardowns).toBe(1);
    expect(stats.aborted).toBe(false); // it ended by itself: nothing was stopped
    await assertNoLeaks();
  });

  test("a sluice bridge is read in chunks: everything buffered in one pull (nextBatch), at most maxChunkSize", async () => {
    const chunksOf = async (maxChunkSize?: number) => {
      const ch = channel<number>({ highWaterMark: Infinity });
      for (let i = 1; i <= 5; i += 1) ch.push(i);
      ch.end();
      const options = maxChunkSize === undefined ? {} : { maxChunkSize };
      return Effect.runPromise(Stream.runCollect(Stream.chunks(toStream(ch, options))));
    };
    expect(await chunksOf()).toEqual([[1, 2, 3, 4, 5]]);
    expect(await chunksOf(2)).toEqual([[1, 2], [3, 4], [5]]);
    await assertNoLeaks();
  });

  test("any other async iterable works too, one value per chunk, and its return() is awaited", async () => {
    const log: string[] = [];
    async function* numbers() {
      try {
        for (let i = 1; ; i += 1) yield i;
      } finally {
        await turn();
        log.push("generator finally");
      }
    }
    const chunks = await Effect.runPromise(Stream.runCollect(Stream.chunks(Stream.take(toStream(numbers()), 3))));
    log.push("collected");
    expect(chunks).toEqual([[1], [2], [3]]);
    expect(log).toEqual(["generator finally", "collected"]);
  });

  test("the iterator's error fails the stream (a typed failure, not a defect) after the values before it", async () => {
    const error = new Error("producer broke");
    const it = pull<number>(async (send) => {
      await send(1);
      await send(2);
      throw error;
    });
    const seen: number[] = [];
    const exit = await Effect.runPromiseExit(Stream.runForEach(toStream(it), (v) => Effect.sync(() => seen.push(v))));
    expect(seen).toEqual([1, 2]);
    expect(Exit.isFailure(exit) && Cause.hasFails(exit.cause) && !Cause.hasDies(exit.cause)).toBe(true);
    expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toBe(error);
    await assertNoLeaks();
  });

  test("onError maps the iterator's error to the typed failure; a throwing onError is a defect", async () => {
    class SourceError extends Error {
      override readonly name = "SourceError";
    }
    const failing = () => subscribe<number>((sink) => sink.fail(new Error("raw")));
    const mapped = toStream(failing(), { onError: (cause) => new SourceError("wrapped", { cause }) });
    const caught = await Effect.runPromise(
      Stream.runCollect(mapped).pipe(Effect.catch((e: SourceError) => Effect.succeed(`${e.name}: ${(e.cause as Error).message}`))),
    );
    expect(caught).toBe("SourceError: raw");

    const defect = new Error("onError broke");
    const exit = await Effect.runPromiseExit(
      Stream.runDrain(
        toStream(failing(), {
          onError: () => {
            throw defect;
          },
        }),
      ),
    );
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause) && Cause.squash(exit.cause)).toBe(defect);
    await assertNoLeaks();
  });

  test("interrupting the fiber stops the bridge: teardown once, signal aborted, finished before Fiber.interrupt resolved", async () => {
    const { it, stats } = source([1, 2], { slowTeardown: true });
    const seen: number[] = [];
    const fiber = Effect.runFork(Stream.runForEach(toStream(it), (v) => Effect.sync(() => seen.push(v))));
    await flush(); // the fiber now waits in nextBatch() for a third value
    expect(seen).toEqual([1, 2]);
    expect(stats.teardowns).toBe(0);

    await Effect.runPromise(Fiber.interrupt(fiber));
    expect(stats.finished).toBe(true); // the async teardown had finished when the interruption completed
    expect(stats.teardowns).toBe(1);
    expect(stats.aborted).toBe(true);
    // The stop reason is the Cause that closed the stream's scope: here, an interruption.
    expect(Cause.isCause(stats.reason) && Cause.hasInterruptsOnly(stats.reason)).toBe(true);
    expect(openBridges()).toEqual([]);
    await assertNoLeaks();
  });

  test("interrupting the fiber stops a pull producer: it has exited before Fiber.interrupt resolved", async () => {
    let running = false;
    let exits = 0;
    const it = pull<number>(async (send, signal) => {
      running = true;
      try {
        for (let i = 0; await send(i); i += 1) await turn();
        expect(signal.aborted).toBe(true);
      } finally {
        await turn();
        running = false;
        exits += 1;
      }
    });
    let count = 0;
    const fiber = Effect.runFork(Stream.runForEach(toStream(it), () => Effect.sync(() => (count += 1))));
    while (count < 3) await turn();
    await Effect.runPromise(Fiber.interrupt(fiber));
    expect(running).toBe(false);
    expect(exits).toBe(1);
    await assertNoLeaks();
  });

  test("a downstream that stops early (Stream.take) stops the bridge with no reason, before the run resolves", async () => {
    const { it, stats } = source([1, 2, 3, 4, 5], { slowTeardown: true });
    expect(await Effect.runPromise(Stream.runCollect(Stream.take(toStream(it), 2)))).toEqual([1, 2]);
    expect(stats.finished).toBe(true);
    expect(stats.teardowns).toBe(1);
    expect(stats.aborted).toBe(true);
    expect(stats.reason).toBeUndefined();
    await assertNoLeaks();
  });

  test("a downstream failure stops the bridge with the failure's Cause as the reason", async () => {
    const { it, stats } = source([1, 2, 3]);
    const exit = await Effect.runPromiseExit(Stream.runDrain(Stream.mapEffect(toStream(it), (v) => (v === 2 ? Effect.fail("bad value") : Effect.void))));
    expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toBe("bad value");
    expect(stats.teardowns).toBe(1);
    expect(Cause.isCause(stats.reason) && Cause.squash(stats.reason)).toBe("bad value");
    await assertNoLeaks();
  });

  test("a teardown that throws while the stream stops becomes a defect of the stream (no stray rejections: not lost)", async () => {
    const teardownError = new Error("teardown broke");
    const { it } = source([1, 2, 3], { teardownError });
    const exit = await Effect.runPromiseExit(Stream.runCollect(Stream.take(toStream(it), 1)));
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause) && Cause.squash(exit.cause)).toBe(teardownError);

    const interrupted = source([1], { teardownError });
    const fiber = Effect.runFork(Stream.runDrain(toStream(interrupted.it)));
    await flush();
    await Effect.runPromise(Fiber.interrupt(fiber));
    const fiberExit = fiber.pollUnsafe();
    expect(fiberExit !== undefined && Exit.isFailure(fiberExit) && Cause.hasInterrupts(fiberExit.cause)).toBe(true);
    expect(fiberExit !== undefined && Exit.isFailure(fiberExit) && Cause.squash(fiberExit.cause)).toBe(teardownError);
    await assertNoLeaks();
  });

  test("a bridge aborted through its own signal fails the stream with the AbortError (cancellation)", async () => {
    const controller = new AbortController();
    const it = subscribe<number>(() => undefined, { signal: controller.signal });
    const fiber = Effect.runFork(Stream.runDrain(toStream(it)));
    await flush();
    controller.abort("enough");
    const exit = await Effect.runPromise(Fiber.await(fiber));
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined;
    expect(isAbortError(error)).toBe(true);
    expect((error as AbortError).cause).toBe("enough");
    await assertNoLeaks();
  });

  test("regression: a producer that throws a real error once Stream.take stopped it: a defect of the run, not lost", async () => {
    // Found by the property test (a producer failing just after the value take() wanted). take(1) closes the
    // scope once it has its value; the finalizer's stop() then meets the producer's throw, which the no-stray-rejections rule routes to
    // stop()'s caller (in sluice, `break` would throw it too). A finalizer cannot fail with a typed error,
    // so the run dies of it.
    const error = new Error("producer broke while stopping");
    const it = pull<number>(async (send, signal) => {
      await send(1);
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      throw error; // not the abort reason: a real error
    });
    const exit = await Effect.runPromiseExit(Stream.runCollect(Stream.take(toStream(it, { maxChunkSize: 1 }), 1)));
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause) && Cause.squash(exit.cause)).toBe(error);
    await assertNoLeaks();
  });

  test("a stream that never runs (Stream.take(0)) never opens the bridge: stopping it stays the caller's job", async () => {
    let started = false;
    const it = pull<number>(async () => {
      started = true;
    });
    expect(await Effect.runPromise(Stream.runCollect(Stream.take(toStream(it), 0)))).toEqual([]);
    expect(started).toBe(false);
    expect(openBridges().map((b) => b.state)).toEqual(["never started: created but no next() was ever called"]);
    await it.return();
    await assertNoLeaks();
  });

  test("invalid arguments throw InvalidArgumentError at once", () => {
    expect(() => toStream(42 as unknown as AsyncIterable<number>)).toThrow(InvalidArgumentError);
    const it = channel<number>();
    expect(() => toStream(it, { maxChunkSize: 0 })).toThrow(/Expected `maxChunkSize` to be an integer >= 1 or Infinity, got 0/);
    expect(() => toStream(it, { onError: "no" as unknown as () => never })).toThrow(InvalidArgumentError);
    void it.stop();
  });
});

describe("fromStream: an Effect Stream as a sluice bridge", () => {
  test("values arrive in order, then done; nextBatch takes whole chunks", async () => {
    const seen: number[] = [];
    for await (const v of fromStream(Stream.range(1, 5))) seen.push(v);
    expect(seen).toEqual([1, 2, 3, 4, 5]);

    // The fiber hands over whole chunks: one nextBatch() takes the first, even past a highWaterMark of 1.
    const it = fromStream(Stream.fromArrays([1, 2, 3], [4, 5]), { highWaterMark: 1, lazy: false });
    expect(await it.nextBatch()).toEqual({ value: [1, 2, 3], done: false });
    const rest: number[] = [];
    for await (const v of it) rest.push(v);
    expect(rest).toEqual([4, 5]);
    await assertNoLeaks();
  });

  test("a typed failure rejects next() with the error value itself, after the values before it, then done", async () => {
    const error = new Error("stream broke");
    const it = fromStream(Stream.concat(Stream.make(1, 2), Stream.fail(error)));
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(await it.next()).toEqual({ value: 2, done: false });
    await expect(it.next()).rejects.toBe(error);
    expect(await it.next()).toEqual({ value: undefined, done: true });

    const plain = fromStream(Stream.fail("not an Error"));
    await expect(plain.next()).rejects.toBe("not an Error"); // as Effect.runPromise would reject
    await assertNoLeaks();
  });

  test("a defect rejects next() with the defect; an interruption from inside with an AbortError carrying the Cause", async () => {
    const defect = new Error("bug");
    await expect(fromStream(Stream.die(defect)).next()).rejects.toBe(defect);

    const interrupted = fromStream(Stream.concat(Stream.make(1), Stream.fromEffect(Effect.interrupt)));
    expect(await interrupted.next()).toEqual({ value: 1, done: false });
    const error = await interrupted.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Cause.isCause((error as AbortError).cause) && Cause.hasInterruptsOnly((error as AbortError).cause as Cause.Cause<never>)).toBe(true);
    await assertNoLeaks();
  });

  // Each way of stopping the bridge interrupts the fiber and resolves after the stream's finalizers ran.
  const stops: Record<string, (it: BridgeIterator<number>) => Promise<unknown>> = {
    "return()": (it) => it.return(),
    "stop(reason)": (it) => it.stop(new Error("enough")),
    "[Symbol.asyncDispose]()": (it) => it[Symbol.asyncDispose](),
    "throw(error)": (it) => it.throw(new Error("enough")).catch(() => undefined),
  };
  for (const [how, stop] of Object.entries(stops)) {
    test(`${how} interrupts the fiber: acquireRelease and ensuring ran exactly once, before it resolved`, async () => {
      const inner = endless();
      const { stream, stats } = guarded(inner.stream);
      const it = fromStream(stream, { highWaterMark: 2 });
      expect(await it.next()).toEqual({ value: 1, done: false });
      const pending = it.next(); // taken from the buffer, or waiting: either way it settles
      await stop(it);
      expect(stats).toMatchObject({ acquired: 1, released: 1 });
      expect(stats.exit !== undefined && Exit.isFailure(stats.exit) && Cause.hasInterruptsOnly(stats.exit.cause)).toBe(true);
      expect(inner.stats.finalized).toBe(1);
      expect(await settledState(pending)).not.toBe("pending");
      expect(await it.next()).toEqual({ value: undefined, done: true });
      expect(openBridges()).toEqual([]);
      await assertNoLeaks();
    });
  }

  test("break out of for await interrupts the fiber; the finalizer ran before the loop was left", async () => {
    const inner = endless();
    const { stream, stats } = guarded(inner.stream);
    for await (const v of fromStream(stream)) if (v === 3) break;
    expect(stats).toMatchObject({ acquired: 1, released: 1 });
    expect(inner.stats.finalized).toBe(1);
    await assertNoLeaks();
  });

  test("await using interrupts the fiber at the end of the scope", async () => {
    const inner = endless();
    {
      await using it = fromStream(inner.stream);
      expect(await it.next()).toEqual({ value: 1, done: false });
    }
    expect(inner.stats.finalized).toBe(1);
    await assertNoLeaks();
  });

  test("an aborted signal rejects next() with an AbortError and interrupts the fiber; return() waits for the finalizer", async () => {
    const inner = endless();
    const controller = new AbortController();
    const it = fromStream(inner.stream, { signal: controller.signal, highWaterMark: 1 });
    expect(await it.next()).toEqual({ value: 1, done: false });
    await flush(); // the fiber now waits for room
    const pending = it.next();
    controller.abort("shutdown");
    const error = await it.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe("shutdown");
    await it.return(); // resolves once the fiber's finalizers ran
    expect(inner.stats.finalized).toBe(1);
    expect(await settledState(pending)).not.toBe("pending");
    await assertNoLeaks();
  });

  test("stop before the first next(): the stream never runs", async () => {
    const { stream, stats } = guarded(Stream.make(1, 2, 3));
    const it = fromStream(stream);
    await it.return();
    expect(stats).toMatchObject({ acquired: 0, released: 0 });

    const controller = new AbortController();
    controller.abort();
    const aborted = fromStream(stream, { signal: controller.signal });
    await expect(aborted.next()).rejects.toBeInstanceOf(AbortError);
    expect(stats.acquired).toBe(0);
    await assertNoLeaks();
  });

  test("a finalizer that dies while the bridge stops the fiber rejects return() with the defect (no stray rejections)", async () => {
    const releaseDefect = new Error("release broke");
    const { stream, stats } = guarded(endless().stream, { releaseDefect });
    const it = fromStream(stream);
    await it.next();
    await expect(it.return()).rejects.toBe(releaseDefect);
    expect(stats.released).toBe(1);
    await assertNoLeaks();
  });

  test("a finalizer that dies after the stream ended fails the last next() instead", async () => {
    const releaseDefect = new Error("release broke");
    const { stream } = guarded(Stream.make(1), { releaseDefect });
    const it = fromStream(stream);
    expect(await it.next()).toEqual({ value: 1, done: false });
    await expect(it.next()).rejects.toBe(releaseDefect);
    await assertNoLeaks();
  });

  test("backpressure: a slow consumer keeps the upstream within highWaterMark plus one chunk", async () => {
    /** How far the upstream ran ahead of a consumer that waits a macrotask turn per value. */
    const aheadOf = async (highWaterMark: number, chunkSize: number): Promise<number> => {
      let produced = 0;
      let consumed = 0;
      let ahead = 0;
      const stream = Stream.fromEffectRepeat(Effect.sync(() => (produced += 1))).pipe(Stream.rechunk(chunkSize), Stream.take(60));
      for await (const _ of fromStream(stream, { highWaterMark })) {
        consumed += 1;
        ahead = Math.max(ahead, produced - consumed);
        await turn(); // a slow consumer: the fiber gets every chance to run ahead
      }
      expect(consumed).toBe(60);
      return ahead;
    };
    for (const [highWaterMark, chunkSize] of [
      [0, 1],
      [2, 1],
      [4, 3],
      [1, 10],
    ] as const) {
      const ahead = await aheadOf(highWaterMark, chunkSize);
      expect(ahead, `highWaterMark ${highWaterMark}, chunks of ${chunkSize}`).toBeLessThanOrEqual(Math.max(highWaterMark, 1) + chunkSize);
    }
    // The control: without a bound the same upstream runs far ahead, so the measure above can see it.
    expect(await aheadOf(Infinity, 1)).toBeGreaterThan(16);
    await assertNoLeaks();
  });

  test('overflow "error": the bridge fails with ERR_SLUICE_OVERFLOW after the buffered values and interrupts the fiber', async () => {
    const inner = endless();
    const it = fromStream(inner.stream, { highWaterMark: 2, overflow: "error" });
    const seen: number[] = [];
    const error = await (async () => {
      for await (const v of it) {
        seen.push(v);
        await turn(); // too slow on purpose
      }
    })().catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("ERR_SLUICE_OVERFLOW");
    // The first value goes straight to the first next(), which started the fiber and waits for it; the next
    // two fill the buffer; the fourth overflows.
    expect(seen).toEqual([1, 2, 3]);
    await it.return(); // already finished; resolves once the fiber's finalizer ran
    expect(inner.stats.finalized).toBe(1);
    await assertNoLeaks();
  });

  test.runIf(gc !== undefined)("an abandoned handle is collected (the fiber holds no consumer handle), reported, and its fiber interrupted", async () => {
    const inner = endless();
    await (async () => {
      const it = fromStream(inner.stream, { name: "abandoned-effect-stream", highWaterMark: 1 });
      await it.next();
    })(); // `it` goes out of scope here, still open, its fiber waiting for room
    for (let i = 0; i < 10 && openBridges().length > 0; i += 1) {
      gc?.();
      await turn();
    }
    const error: unknown = await assertNoLeaks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeakError);
    expect((error as LeakError).bridges.map((b) => b.name)).toEqual(["abandoned-effect-stream"]);
    for (let i = 0; i < 5 && inner.stats.finalized === 0; i += 1) await turn();
    expect(inner.stats.finalized).toBe(1);
  });

  test("call order: un-awaited next() calls settle in call order", async () => {
    const it = fromStream(Stream.fromIterable([1, 2, 3]).pipe(Stream.rechunk(1)), { highWaterMark: 0 });
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next()]);
    expect(results.map((r) => (r.done === true ? "done" : r.value))).toEqual([1, 2, 3, "done", "done"]);
    await assertNoLeaks();
  });

  test("a stream with requirements runs with the context option", async () => {
    const Greeting = Context.Service<{ readonly word: string }>("Greeting");
    const stream = Stream.fromEffect(
      Effect.gen(function* () {
        return (yield* Greeting).word;
      }),
    );
    const it = fromStream(stream, { context: Context.make(Greeting, { word: "hello" }) });
    expect(await it.next()).toEqual({ value: "hello", done: false });
    expect(await it.next()).toEqual({ value: undefined, done: true });
    // Types only (never called): a stream with requirements does not compile without its context.
    // @ts-expect-error Type 'Greeting' is not assignable to type 'never'
    const withoutContext = (): unknown => fromStream(stream);
    expect(typeof withoutContext).toBe("function");
    await assertNoLeaks();
  });

  test("leak reports list an open fromStream bridge as effect-stream, under its name, until it is stopped", async () => {
    const inner = endless();
    const it = fromStream(inner.stream, { name: "rows", highWaterMark: 1 });
    await it.next();
    await flush();
    expect(openBridges().map((b) => [b.kind, b.name, b.pendingSend])).toEqual([["effect-stream", "rows", 1]]); // the fiber waits for room
    await it.return();
    expect(openBridges()).toEqual([]);
    await assertNoLeaks();
  });

  test("lazy: false starts the fiber at once", async () => {
    const { stream, stats } = guarded(Stream.make(1));
    const it = fromStream(stream, { lazy: false });
    await flush();
    expect(stats.acquired).toBe(1);
    expect(await it.next()).toEqual({ value: 1, done: false });
    await it.return();
    expect(stats.released).toBe(1);
  });

  test("invalid arguments throw InvalidArgumentError at once", () => {
    expect(() => fromStream([1, 2] as unknown as Stream.Stream<number>)).toThrow(/Expected `stream` to be an Effect Stream, got an array/);
    expect(() => fromStream(Stream.make(1), { context: {} as Context.Context<never> })).toThrow(InvalidArgumentError);
    expect(() => fromStream(Stream.make(1), { highWaterMark: -1 })).toThrow(InvalidArgumentError);
  });
});

describe("round trips", () => {
  test("fromStream(toStream(bridge)): break stops the inner bridge before the loop is left", async () => {
    const { it, stats } = source([1, 2, 3, 4, 5], { slowTeardown: true });
    const seen: number[] = [];
    for await (const v of fromStream(Stream.map(toStream(it), (x) => x * 10))) if (seen.push(v) === 2) break;
    expect(seen).toEqual([10, 20]);
    expect(stats.finished).toBe(true);
    expect(stats.teardowns).toBe(1);
    await assertNoLeaks();
  });

  test("fromStream(toStream(bridge)): values, end and errors pass through unchanged", async () => {
    const error = new Error("deep");
    const inner = pull<number>(async (send) => {
      for (const v of [1, 2, 3]) await send(v);
      throw error;
    });
    const outer = fromStream(toStream(inner));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of outer) seen.push(v);
      })(),
    ).rejects.toBe(error);
    expect(seen).toEqual([1, 2, 3]);
    await assertNoLeaks();
  });

  test("toStream(fromStream(stream)): interrupting the outer fiber runs the inner stream's finalizer first", async () => {
    const inner = endless();
    const fiber = Effect.runFork(Stream.runDrain(toStream(fromStream(inner.stream))));
    while (inner.stats.emitted < 5) await turn();
    await Effect.runPromise(Fiber.interrupt(fiber));
    expect(inner.stats.finalized).toBe(1);
    await assertNoLeaks();
  });
});

// Effect's own adapters, pinned: the reasons these exist. If Effect changes, these tests (and docs/interop-effect.md) change.
describe("peers: Effect's own Stream.toAsyncIterable / Stream.fromAsyncIterable", () => {
  test("Stream.toAsyncIterable loses values when next() calls overlap on a chunked stream (fromStream keeps them)", async () => {
    const it = Stream.toAsyncIterable(Stream.make(1, 2, 3))[Symbol.asyncIterator]();
    const results = await Promise.all([it.next(), it.next(), it.next()]);
    expect(results.map((r) => (r.done === true ? "done" : r.value))).toEqual([1, "done", "done"]);
    await it.return?.();

    const ours = fromStream(Stream.make(1, 2, 3));
    const mine = await Promise.all([ours.next(), ours.next(), ours.next()]);
    expect(mine.map((r) => (r.done === true ? "done" : r.value))).toEqual([1, 2, 3]);
    await ours.return();
  });

  test("Stream.fromAsyncIterable: the interruption completes before the bridge's async teardown finished (toStream waits)", async () => {
    const theirs = source([1], { slowTeardown: true });
    const fiber = Effect.runFork(Stream.runDrain(Stream.fromAsyncIterable(theirs.it, (e) => e)));
    await flush(); // waiting in next()
    await Effect.runPromise(Fiber.interrupt(fiber));
    expect(theirs.stats.teardowns).toBe(1); // return() was called…
    expect(theirs.stats.finished).toBe(false); // …but not awaited
    await flush(5);
    expect(theirs.stats.finished).toBe(true);

    const ours = source([1], { slowTeardown: true });
    const ourFiber = Effect.runFork(Stream.runDrain(toStream(ours.it)));
    await flush();
    await Effect.runPromise(Fiber.interrupt(ourFiber));
    expect(ours.stats.finished).toBe(true);
    await assertNoLeaks();
  });
});
