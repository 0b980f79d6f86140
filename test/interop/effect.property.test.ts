// sluice/interop/effect under random values, chunkings, failure points, stop points and microtask jitter on
// both sides: order kept, nothing lost, the failure delivered once, the stream's finalizer (or the bridge's
// teardown) run exactly once and finished before whatever stopped it resolved, upstream bounded, no leaks.
import { fc } from "@fast-check/vitest";
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Fiber from "effect/Fiber";
import * as Stream from "effect/Stream";
import { expect } from "vitest";
import { type BridgeIterator, isAbortError, pull } from "../../src/core/index.js";
import { fromStream, toStream } from "../../src/interop/effect.js";
import { leakChecked } from "../../src/testing/index.js";
import { Tagged, numRuns, property, propertyTestTimeout, runTimeout, withDeadline } from "../property/helpers.js";

/** Microtask jitter; 4 stands for a whole macrotask turn (lets a fiber that ignores backpressure run far ahead). */
async function jitter(ticks: number): Promise<void> {
  if (ticks >= 4) return new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < ticks; i += 1) await Promise.resolve();
}

const runs = Math.max(1, Math.floor(numRuns / 2)); // each run starts fibers and bridges: half the core's count keeps this file fast

const fromStreamScenario = fc.record({
  values: fc.array(fc.integer(), { maxLength: 30 }),
  chunkSize: fc.integer({ min: 1, max: 5 }),
  failAt: fc.option(fc.nat({ max: 32 }), { nil: undefined }), // the stream fails before this value (or after the last)
  stopAt: fc.option(fc.nat({ max: 32 }), { nil: undefined }), // the consumer stops after taking this many values
  how: fc.constantFrom("return" as const, "stop" as const, "dispose" as const, "abort" as const, "throw" as const),
  highWaterMark: fc.nat({ max: 4 }),
  upstreamTicks: fc.array(fc.nat({ max: 3 }), { maxLength: 32 }),
  readTicks: fc.array(fc.nat({ max: 4 }), { maxLength: 32 }),
  concurrentReads: fc.boolean(), // read with two overlapping next() calls at a time (call order)
});

property([fromStreamScenario], { numRuns: runs, timeout: runTimeout })(
  "fromStream: order, no loss, failure once, finalizer exactly once before the stop resolved, upstream bounded",
  leakChecked(async ({ values, chunkSize, failAt, stopAt, how, highWaterMark, upstreamTicks, readTicks, concurrentReads }) => {
    const failure = new Tagged("stream failed");
    let finalized = 0;
    let produced = 0;
    let aheadMax = 0;
    const failIndex = failAt === undefined ? undefined : Math.min(failAt, values.length);
    const stream = Stream.fromIterable(values.map((value, index) => ({ value, index }))).pipe(
      Stream.rechunk(chunkSize),
      Stream.mapEffect(({ value, index }) =>
        index === failIndex
          ? Effect.fail(failure)
          : Effect.promise(async () => {
              await jitter(upstreamTicks[index] ?? 0);
              produced += 1;
              return value;
            }),
      ),
      Stream.concat(failIndex === values.length ? Stream.fail(failure) : Stream.empty),
      Stream.ensuring(Effect.promise(() => jitter(4).then(() => void (finalized += 1)))), // a macrotask: only an awaited stop sees it done
    );
    const controller = new AbortController();
    const it = fromStream(stream, { highWaterMark, signal: controller.signal, name: "property" });

    const seen: number[] = [];
    const errors: unknown[] = [];
    let ended = false;
    /** One step: one next(), or two overlapping ones whose outcomes are taken in call order. */
    const read = async (): Promise<boolean> => {
      const outcomes = await Promise.allSettled(concurrentReads ? [it.next(), it.next()] : [it.next()]);
      let more = true;
      for (const outcome of outcomes) {
        if (!more) {
          // After the end or the error, an overlapping next() is done (error rule).
          expect(outcome).toEqual({ status: "fulfilled", value: { done: true, value: undefined } });
        } else if (outcome.status === "rejected") {
          errors.push(outcome.reason);
          more = false;
        } else if (outcome.value.done === true) {
          ended = true;
          more = false;
        } else {
          seen.push(outcome.value.value);
          aheadMax = Math.max(aheadMax, produced - seen.length);
        }
      }
      return more;
    };
    const stop = async (): Promise<void> => {
      if (how === "return") await it.return();
      else if (how === "stop") await it.stop(new Tagged("enough"));
      else if (how === "dispose") await it[Symbol.asyncDispose]();
      else if (how === "throw") await it.throw(new Tagged("enough")).catch(() => undefined);
      else {
        controller.abort(new Tagged("enough"));
        await it.return(); // after an abort, return() still waits for the fiber's exit
      }
    };

    await withDeadline(
      (async () => {
        while (stopAt === undefined || seen.length < stopAt) {
          await jitter(readTicks[seen.length] ?? 0);
          if (!(await read())) break;
        }
        const stopped = !ended && errors.length === 0;
        if (stopped) await stop();
        // Whatever ended it (done, the error, a stop), the fiber has exited and its finalizer has run by now;
        // stopped before the first next(), the stream never ran (stop rule).
        expect(finalized).toBe(stopAt === 0 ? 0 : 1);
      })(),
      () => `seen ${JSON.stringify(seen)}, errors ${errors.length}, finalized ${finalized}`,
    );

    // No loss, no duplicate, in order: a prefix of the values, the whole of what came before a failure unless stopped first.
    const reachable = values.slice(0, failIndex ?? values.length);
    expect(seen).toEqual(reachable.slice(0, seen.length));
    if (stopAt === undefined || stopAt > reachable.length) {
      expect(seen).toEqual(reachable);
      if (failIndex !== undefined) expect(errors).toEqual([failure]);
      else expect(ended).toBe(true);
    } else {
      expect(seen.length).toBeGreaterThanOrEqual(Math.min(stopAt, reachable.length));
      for (const error of errors) expect(error === failure || isAbortError(error)).toBe(true);
    }
    expect(errors.length).toBeLessThanOrEqual(1);
    // Upstream ran at most highWaterMark values plus the chunk in hand ahead (plus the overlapping read).
    expect(aheadMax).toBeLessThanOrEqual(Math.max(highWaterMark, 1) + chunkSize + (concurrentReads ? 1 : 0));
  }),
  propertyTestTimeout,
);

const toStreamScenario = fc.record({
  values: fc.array(fc.integer(), { maxLength: 30 }),
  failAt: fc.option(fc.nat({ max: 32 }), { nil: undefined }), // the producer throws before this value (or after the last)
  stopAt: fc.option(fc.nat({ max: 32 }), { nil: undefined }), // the Effect side stops after this many values
  how: fc.constantFrom("interrupt" as const, "take" as const, "downstream failure" as const),
  highWaterMark: fc.nat({ max: 4 }),
  maxChunkSize: fc.integer({ min: 1, max: 6 }),
  producerTicks: fc.array(fc.nat({ max: 3 }), { maxLength: 32 }),
});

property([toStreamScenario], { numRuns: runs, timeout: runTimeout })(
  "toStream: order, no loss, failure once, the producer has exited before the run or the interruption resolved",
  leakChecked(async ({ values, failAt, stopAt, how, highWaterMark, maxChunkSize, producerTicks }) => {
    const failure = new Tagged("producer failed");
    const downstreamFailure = new Tagged("downstream failed");
    let running = false;
    let exits = 0;
    const failIndex = failAt === undefined ? undefined : Math.min(failAt, values.length);
    const it = pull<number>(
      async (send) => {
        running = true;
        try {
          for (const [index, value] of values.entries()) {
            if (index === failIndex) throw failure;
            await jitter(producerTicks[index] ?? 0);
            if (!(await send(value))) return;
          }
          if (failIndex === values.length) throw failure;
        } finally {
          await jitter(4); // a macrotask: only an awaited stop sees the producer gone
          running = false;
          exits += 1;
        }
      },
      { highWaterMark, name: "property" },
    );

    const seen: number[] = [];
    let reachedStop!: () => void;
    const stopPoint = new Promise<void>((resolve) => (reachedStop = resolve));
    if (stopAt === 0) reachedStop();
    // Stream.take(0) never runs its upstream, so the bridge is never opened: stopping it stays the caller's job.
    const neverRuns = stopAt === 0 && how === "take";
    let source = toStream(it, { maxChunkSize });
    if (stopAt !== undefined && how === "take") source = Stream.take(source, stopAt);
    // The downstream fails on the value after the first `stopAt`.
    const consume = Stream.runForEach(source, (v) =>
      Effect.suspend(() => {
        if (stopAt !== undefined && seen.length === stopAt && how === "downstream failure") return Effect.fail(downstreamFailure);
        seen.push(v);
        if (stopAt !== undefined && seen.length === stopAt) reachedStop();
        return Effect.void;
      }),
    );
    const fiber = Effect.runFork(consume);
    const exit = await withDeadline(
      (async () => {
        if (stopAt !== undefined && how === "interrupt") {
          const finished = Effect.runPromise(Fiber.await(fiber)).then(() => undefined);
          await Promise.race([stopPoint, finished]); // both settle: the fiber ends in every scenario
          await Effect.runPromise(Fiber.interrupt(fiber));
        }
        const result = await Effect.runPromise(Fiber.await(fiber));
        // However the run ended, the producer function has returned by the time the fiber's exit is known.
        expect(running).toBe(false);
        return result;
      })(),
      () => `seen ${JSON.stringify(seen)}, running ${running}`,
    );

    if (neverRuns) {
      expect(exits).toBe(0);
      await it.return();
    }
    const reachable = values.slice(0, failIndex ?? values.length);
    expect(seen).toEqual(reachable.slice(0, seen.length));
    expect(exits).toBeLessThanOrEqual(1);
    const failed = (error: unknown): boolean => Exit.isFailure(exit) && Cause.squash(exit.cause) === error;
    // A producer that throws after the stream stopped it is a teardown error (no stray rejections): a defect of the run, never lost.
    const diedOfLateFailure = (): boolean =>
      failIndex !== undefined && Exit.isFailure(exit) && Cause.hasDies(exit.cause) && exit.cause.reasons.some((r) => Cause.isDieReason(r) && r.defect === failure);
    const stopsFirst = stopAt !== undefined && (how === "take" ? stopAt <= reachable.length : stopAt < reachable.length);
    if (how === "take" && stopsFirst) {
      expect(seen).toEqual(reachable.slice(0, stopAt));
      expect(Exit.isSuccess(exit) || diedOfLateFailure()).toBe(true);
    } else if (how === "downstream failure" && stopsFirst) {
      expect(seen).toEqual(reachable.slice(0, stopAt));
      expect(failed(downstreamFailure)).toBe(true);
    } else if (how === "interrupt" && stopAt !== undefined) {
      expect(seen.length).toBeGreaterThanOrEqual(Math.min(stopAt, reachable.length));
      if (Exit.isFailure(exit)) expect(Cause.hasInterrupts(exit.cause) || failed(failure)).toBe(true);
    } else {
      expect(seen).toEqual(reachable);
      expect(failIndex === undefined ? Exit.isSuccess(exit) : failed(failure)).toBe(true);
    }
  }),
  propertyTestTimeout,
);

property(
  [fc.array(fc.integer(), { maxLength: 20 }), fc.nat({ max: 22 }), fc.nat({ max: 4 }), fc.array(fc.nat({ max: 4 }), { maxLength: 22 })],
  { numRuns: runs, timeout: runTimeout },
)(
  "fromStream(toStream(bridge)): order kept, and breaking out stops the inner producer before the loop is left",
  leakChecked(async (values, stopAt, highWaterMark, ticks) => {
    let running = false;
    let exits = 0;
    const inner: BridgeIterator<number> = pull<number>(
      async (send) => {
        running = true;
        try {
          for (const [i, value] of values.entries()) {
            await jitter(ticks[i] ?? 0);
            if (!(await send(value))) return;
          }
        } finally {
          await jitter(4);
          running = false;
          exits += 1;
        }
      },
      { highWaterMark, name: "inner" },
    );
    const seen: number[] = [];
    await withDeadline(
      (async () => {
        for await (const v of fromStream(toStream(inner), { highWaterMark, name: "outer" })) {
          await jitter(ticks[seen.length] ?? 0);
          if (seen.push(v) > stopAt) break;
        }
      })(),
      () => `seen ${JSON.stringify(seen)}`,
    );
    expect(seen).toEqual(values.slice(0, stopAt + 1));
    expect(running).toBe(false);
    expect(exits).toBe(1);
  }),
  propertyTestTimeout,
);
