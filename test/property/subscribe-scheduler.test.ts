// Scheduler test of `subscribe` (docs/semantics.md: order to cancellation, and no stray rejections): an event source pushing (or sending) on scheduled
// ticks, sync or async setup and teardown, and a scripted consumer whose next(), stop/return/dispose and
// aborts race it.
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { subscribe, type Overflow, type Teardown } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { Consumer, consumerScript } from "./consumer.js";
import { Tagged, describeError, numRuns, property, propertyTestTimeout, runTimeout } from "./helpers.js";

const scenario = fc.record({
  values: fc.nat({ max: 6 }),
  highWaterMark: fc.nat({ max: 3 }),
  mode: fc.constantFrom("push" as const, "send" as const),
  overflow: fc.constantFrom<Overflow>("wait", "wait", "wait", "drop-oldest", "drop-newest", "error"),
  ending: fc.constantFrom("end" as const, "fail" as const, "none" as const),
  setup: fc.constantFrom("sync" as const, "async" as const),
  teardown: fc.constantFrom("sync" as const, "async" as const, "throws" as const, "rejects" as const),
  lazy: fc.boolean(),
  script: consumerScript,
})
  .map((sc) => (sc.overflow === "drop-oldest" && sc.highWaterMark === 0 ? { ...sc, highWaterMark: 1 } : sc));

property([fc.scheduler(), scenario], { numRuns, timeout: runTimeout })(
  "subscribe: order, no loss or duplicate, teardown exactly once and awaited by stop, everything settles",
  leakChecked(async (s, sc) => {
    let setups = 0;
    let teardowns = 0;
    let teardownDone = false;
    let producerEnded = false;
    let sourceError: unknown;
    let producerSignal: AbortSignal | undefined;
    const producerError = new Tagged("producer-error");
    const teardownError = new Tagged("teardown-error");
    const consumer = new Consumer(
      () => {
        // Stop: teardown ran exactly once (if the source was ever set up) and finished before stop() resolved.
        expect(teardowns, "teardowns when stop() resolved").toBe(setups);
        if (setups === 1) expect(teardownDone, "stop() resolved before the async teardown finished").toBe(true);
      },
      // (an overflow error finishes the stream too: it aborts the source's signal, and tears it down)
      () => !producerEnded && teardowns === 0 && producerSignal?.aborted !== true,
    );
    consumer.it = subscribe<number>(
      (sink) => {
        setups += 1;
        producerSignal = sink.signal;
        let detached = false; // a well-behaved source stops emitting once torn down
        // The source emits on scheduled ticks (a loop, not scheduleSequence: a send() blocked on backpressure
        // is not a scheduler task, and waitIdle() must not wait for it).
        const emit = async (): Promise<void> => {
          for (let v = 0; v < sc.values; v += 1) {
            await s.schedule(Promise.resolve(), `${sc.mode} ${v}`);
            if (detached) return;
            if (sc.mode === "push") {
              sink.push(v);
              continue;
            }
            const accepted = await sink.send(v);
            // Backpressure: accepted only once within highWaterMark of what the consumer asked for (0: once taken).
            if (accepted && sc.overflow === "wait") expect(v, `send(${v}) resolved true`).toBeLessThan(consumer.nextCalls + sc.highWaterMark);
          }
          if (sc.ending === "none") return;
          await s.schedule(Promise.resolve(), sc.ending);
          if (detached) return;
          producerEnded = true;
          if (sc.ending === "end") sink.end();
          else sink.fail(producerError);
        };
        emit().catch((error: unknown) => (sourceError = error)); // surfaced below: a failed assertion in the source
        const teardown: Teardown = () => {
          teardowns += 1;
          detached = true;
          if (sc.teardown === "throws") {
            teardownDone = true;
            throw teardownError;
          }
          if (sc.teardown === "sync") {
            teardownDone = true;
            return;
          }
          return s.schedule(Promise.resolve(), "teardown").then(() => {
            teardownDone = true;
            if (sc.teardown === "rejects") throw teardownError;
          });
        };
        return sc.setup === "sync" ? teardown : s.schedule(Promise.resolve(teardown), "setup resolves");
      },
      { highWaterMark: sc.highWaterMark, overflow: sc.overflow, signal: consumer.controller.signal, lazy: sc.lazy, name: "subscribe-under-test" },
    );

    const scriptStop = await consumer.run(s, sc.script);

    // No stray rejections: a teardown's error reaches stop()/return() (and may surface from the final next()).
    const throws = sc.teardown === "throws" || sc.teardown === "rejects" ? describeError(teardownError) : undefined;
    const overflowError = "sluice:ERR_SLUICE_OVERFLOW";
    consumer.checkOutcomes({
      producerError: sc.ending === "fail" ? describeError(producerError) : "-",
      total: sc.values,
      drops: sc.overflow === "drop-oldest" || sc.overflow === "drop-newest",
      ...(sc.overflow === "error" ? { overflowError } : {}),
      ...(throws === undefined ? {} : { stopMayReject: throws, nextMayReject: throws }),
    });
    consumer.checkAbort();
    expect(sourceError).toBeUndefined();
    expect(setups, "setup runs at most once").toBeLessThanOrEqual(1);
    expect(teardowns, "teardown exactly once").toBe(setups);
    if (!sc.lazy) expect(setups, "lazy: false runs setup at once").toBe(1);
    const first = consumer.firstStop;
    if (first !== undefined && first.afterNexts === 0 && sc.lazy) expect(setups, "stopped before the first next()").toBe(0);
    if (throws !== undefined && first?.kind === "stop" && first.producerRunning && setups === 1) {
      // The first stop ran the teardown (the source had not ended by itself), so it must report its error.
      const firstStop = consumer.stops[0];
      expect(firstStop?.outcome).toBe(`rejects ${throws}`);
    }
    // Stop and cancellation: a source still running when the consumer stopped sees its signal abort, with the reason as cause.
    if (first !== undefined && first.producerRunning && producerSignal !== undefined) {
      expect(producerSignal.aborted ? describeError(producerSignal.reason) : "not aborted").toBe(first.reason);
    }
    // No loss: a consumer that asked for everything (and did not stop) got everything, then the ending.
    if (scriptStop === undefined && consumer.nexts.length > sc.values && throws === undefined && sc.overflow === "wait") {
      const ending = sc.ending === "end" ? ["done"] : sc.ending === "fail" ? [`rejects ${describeError(producerError)}`] : [];
      expect(consumer.nexts.slice(0, sc.values + ending.length).map((r) => r.outcome)).toEqual([
        ...Array.from({ length: sc.values }, (_, i) => `v:${i}`),
        ...ending,
      ]);
    }
  }),
  propertyTestTimeout,
);
