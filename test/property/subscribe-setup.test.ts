// Error and stop for `subscribe`: a source may push, end or fail synchronously inside setup (or throw, or abort the
// consumer's signal from there); the teardown it returns still runs exactly once, and stop() awaits it.
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { subscribe, type Overflow, type Teardown } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { Tagged, describeError, numRuns, property, propertyTestTimeout, runTimeout, withDeadline } from "./helpers.js";

const scenario = fc.record({
  pre: fc.nat({ max: 5 }), // values pushed synchronously inside setup
  then: fc.constantFrom("end" as const, "fail" as const, "throw" as const, "abort-signal" as const, "none" as const),
  teardown: fc.constantFrom("sync" as const, "async" as const, "none" as const),
  highWaterMark: fc.oneof(fc.nat({ max: 3 }), fc.constant(Infinity)),
  overflow: fc.constantFrom<Overflow>("wait", "wait", "drop-oldest", "drop-newest", "error"),
  lazy: fc.boolean(),
  breakAfter: fc.option(fc.nat({ max: 6 }), { nil: undefined }), // break out of for-await after this many values + 1
}).map((sc) => (sc.overflow === "drop-oldest" && sc.highWaterMark === 0 ? { ...sc, highWaterMark: 1 } : sc));

property([scenario], { numRuns, timeout: runTimeout })(
  "subscribe: sync push/end/fail/throw inside setup — values in order, error once, teardown exactly once",
  leakChecked(async (sc) => {
    let setups = 0;
    let teardowns = 0;
    let teardownDone = false;
    const producerError = new Tagged("producer-error");
    const abortReason = new Tagged("abort-reason");
    const controller = new AbortController();
    const source = subscribe<number>(
      (sink) => {
        setups += 1;
        for (let v = 0; v < sc.pre; v += 1) sink.push(v);
        if (sc.then === "end") sink.end();
        if (sc.then === "fail") sink.fail(producerError);
        if (sc.then === "abort-signal") controller.abort(abortReason);
        if (sc.then === "throw") throw producerError;
        if (sc.teardown === "none") return undefined;
        const teardown: Teardown = () => {
          teardowns += 1;
          if (sc.teardown === "sync") {
            teardownDone = true;
            return undefined;
          }
          return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
            teardownDone = true;
          });
        };
        return teardown;
      },
      { highWaterMark: sc.highWaterMark, overflow: sc.overflow, lazy: sc.lazy, signal: controller.signal, name: "setup-under-test" },
    );

    // What the consumer can get from the synchronous pushes. A lazy setup runs inside the first next(), which
    // is already waiting (call order: it was called first): it takes the first value directly, and the rest is
    // buffered. With lazy: false nobody is reading during setup, and everything is buffered.
    const pushed = Array.from({ length: sc.pre }, (_, i) => i);
    const handedOff = sc.lazy && sc.pre > 0 ? 1 : 0;
    const rest = pushed.slice(handedOff);
    const overflowed = rest.length > sc.highWaterMark && sc.overflow !== "wait";
    const all = [
      ...pushed.slice(0, handedOff),
      ...(!overflowed ? rest
      : sc.overflow === "drop-oldest" ? rest.slice(rest.length - sc.highWaterMark)
      : rest.slice(0, sc.highWaterMark)), // drop-newest, error
    ];
    // A source that never ends by itself can only be left by breaking out (or not iterating at all).
    const breakAfter = sc.then === "none" ? Math.min(sc.breakAfter ?? all.length, all.length - 1) : sc.breakAfter;
    const seen: number[] = [];
    let caught: string | undefined;
    try {
      await withDeadline(
        (async () => {
          if (breakAfter !== undefined && breakAfter < 0) return;
          for await (const v of source) if (seen.push(v) > (breakAfter ?? Infinity)) break;
        })(),
        () => `seen ${JSON.stringify(seen)}`,
      );
    } catch (error) {
      caught = describeError(error);
      if (caught.startsWith("hang")) {
        await withDeadline(source.stop(), () => "stop() after a hang").catch(() => undefined);
        throw error;
      }
    }
    await withDeadline(source.return(), () => "return() after the loop");

    // An overflow error fails the stream (after the buffered values) before the setup's own ending; an abort
    // of the signal still overrides it (the consumer had not received the error yet).
    const ending = overflowed && sc.overflow === "error" && sc.then !== "abort-signal" ? "overflow" : sc.then;
    const streamError = ending === "overflow" ? "sluice:ERR_SLUICE_OVERFLOW" : describeError(producerError);
    const broke = breakAfter !== undefined && breakAfter + 1 <= all.length; // left the loop before seeing the ending
    if (ending === "abort-signal") {
      // Cancellation: the signal aborted during setup: buffered values are dropped and next() rejects with the AbortError
      // (a value handed to the waiting first next() before the abort was delivered already).
      expect(seen).toEqual(pushed.slice(0, handedOff));
      const leftBefore = breakAfter !== undefined && breakAfter + 1 <= handedOff; // broke out on the handed-off value
      if ((breakAfter === undefined || breakAfter >= 0) && !leftBefore) expect(caught).toBe(`abort(${describeError(abortReason)})`);
      else expect(caught).toBeUndefined();
    } else {
      // Order and error: the values in push order, then the ending (done, or the error exactly once).
      expect(seen).toEqual(broke ? all.slice(0, (breakAfter ?? 0) + 1) : all.slice(0, seen.length));
      if (!broke && (ending === "fail" || ending === "throw" || ending === "overflow")) expect(caught).toBe(streamError);
      else expect(caught).toBeUndefined();
      if (!broke && ending === "end") expect(seen).toEqual(all);
    }
    // Stop and error: the teardown returned by setup ran exactly once, and had finished when return() resolved.
    const returned = setups === 1 && sc.then !== "throw" && sc.teardown !== "none";
    expect(setups).toBe(!sc.lazy || breakAfter === undefined || breakAfter >= 0 ? 1 : 0);
    expect(teardowns).toBe(returned ? 1 : 0);
    if (returned) expect(teardownDone).toBe(true);
  }),
  propertyTestTimeout,
);
