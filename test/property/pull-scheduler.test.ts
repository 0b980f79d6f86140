// Scheduler test of `pull` (docs/semantics.md: order, call order, stop, backpressure, cancellation): a producer and a scripted consumer interleaved by
// fast-check's scheduler, including stop/return/dispose and aborts racing pending next() and pending send().
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { pull, type Overflow } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { Consumer, consumerScript } from "./consumer.js";
import { Tagged, describeError, numRuns, property, propertyTestTimeout, runTimeout } from "./helpers.js";

const scenario = fc.record({
  values: fc.nat({ max: 6 }),
  highWaterMark: fc.nat({ max: 3 }),
  overflow: fc.constantFrom<Overflow>("wait", "wait", "wait", "drop-oldest", "drop-newest", "error"),
  /** How the producer notices the consumer stopped: `send` resolving false, or throwing its signal's reason. */
  exit: fc.constantFrom("send-false" as const, "throw-signal-reason" as const),
  /** What the producer does after its last value. */
  ending: fc.constantFrom("return" as const, "throw" as const),
  lazy: fc.boolean(),
  script: consumerScript,
}).map((sc) => (sc.overflow === "drop-oldest" && sc.highWaterMark === 0 ? { ...sc, highWaterMark: 1 } : sc));

property([fc.scheduler(), scenario], { numRuns, timeout: runTimeout })(
  "pull: order, no loss or duplicate, rendezvous, stop awaits the producer, everything settles",
  leakChecked(async (s, sc) => {
    let started = false;
    let exited = false;
    let signal: AbortSignal | undefined;
    const consumer = new Consumer(
      () => {
        // Stop (pull): stop() resolves only after the producer function has returned.
        expect(!started || exited, "stop() resolved while the producer was still running").toBe(true);
      },
      () => !exited && signal?.aborted !== true, // (an overflow error finishes the stream and aborts the signal)
    );
    const producerError = new Tagged("producer-error");
    consumer.it = pull<number>(
      async (send, producerSignal) => {
        started = true;
        signal = producerSignal;
        try {
          for (let v = 0; v < sc.values; v += 1) {
            await s.schedule(Promise.resolve(), `produce ${v}`);
            if (sc.exit === "throw-signal-reason") producerSignal.throwIfAborted();
            const accepted = await send(v);
            // Backpressure: a value is accepted only once it is within highWaterMark of what the consumer asked for
            // (rendezvous at 0: only once a next() took it).
            if (accepted && sc.overflow === "wait") expect(v, `send(${v}) resolved true`).toBeLessThan(consumer.nextCalls + sc.highWaterMark);
            if (!accepted && (sc.overflow === "wait" || producerSignal.aborted)) return; // (a drop policy's false: dropped, go on)
          }
          await s.schedule(Promise.resolve(), "producer ends");
          if (sc.ending === "throw") throw producerError;
        } finally {
          exited = true;
        }
      },
      { highWaterMark: sc.highWaterMark, overflow: sc.overflow, signal: consumer.controller.signal, lazy: sc.lazy, name: "pull-under-test" },
    );

    const scriptStop = await consumer.run(s, sc.script);

    consumer.checkOutcomes({
      producerError: describeError(producerError),
      total: sc.values,
      drops: sc.overflow === "drop-oldest" || sc.overflow === "drop-newest",
      ...(sc.overflow === "error" ? { overflowError: "sluice:ERR_SLUICE_OVERFLOW" } : {}),
      // By design (bridge.ts followProducer): a producer that fails with its own error after the consumer
      // stopped did not exit cleanly, and stop()/return() rejects with that error.
      ...(sc.ending === "throw" ? { stopMayReject: describeError(producerError) } : {}),
    });
    consumer.checkAbort();
    expect(exited, "the producer ran to its end").toBe(started);
    // No loss: a consumer that asked for everything (and did not stop) got everything, then the ending.
    // (Stopping drops what was not delivered yet, so this only holds when the script itself never stopped.)
    if (scriptStop === undefined && consumer.nexts.length > sc.values && sc.overflow === "wait") {
      expect(consumer.nexts.slice(0, sc.values + 1).map((r) => r.outcome)).toEqual([
        ...Array.from({ length: sc.values }, (_, i) => `v:${i}`),
        sc.ending === "return" ? "done" : `rejects ${describeError(producerError)}`,
      ]);
    }
    // Stop: a producer still running when the consumer stopped sees its signal abort, the stop reason as cause.
    const first = consumer.firstStop;
    if (first !== undefined && first.producerRunning && started && signal !== undefined) {
      expect(signal.aborted ? describeError(signal.reason) : "not aborted").toBe(first.reason);
    }
    if (first !== undefined && first.producerRunning && first.afterNexts === 0 && sc.lazy) {
      expect(started, "stopped before the first next(): the producer never starts").toBe(false);
    }
  }),
  propertyTestTimeout,
);
