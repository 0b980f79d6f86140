// Microtask jitter: producers and a for-await consumer each wait a random number of
// microtasks between steps, then the consumer breaks early (or reads to the end). Order is kept, teardown
// runs exactly once, a pull producer has exited when the loop is left, nothing leaks.
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { channel, pull, subscribe, type BridgeIterator } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { numRuns, property, propertyTestTimeout, runTimeout, withDeadline } from "./helpers.js";

const op = fc.record({ value: fc.integer(), ticks: fc.nat({ max: 3 }) }); // microtask jitter, not timers

async function jitter(ticks: number): Promise<void> {
  for (let i = 0; i < ticks; i += 1) await Promise.resolve();
}

const scenario = fc.record({
  kind: fc.constantFrom("subscribe-push" as const, "subscribe-send" as const, "pull" as const, "channel-send" as const),
  ops: fc.array(op, { maxLength: 50 }),
  stopAt: fc.nat({ max: 60 }),
  readTicks: fc.array(fc.nat({ max: 3 }), { maxLength: 60 }), // consumer-side jitter per value
  highWaterMark: fc.nat({ max: 4 }),
});

property([scenario], { numRuns, timeout: runTimeout })(
  "any interleaving + early break: order kept, teardown exactly once, producer exited",
  leakChecked(async ({ kind, ops, stopAt, readTicks, highWaterMark }) => {
    let teardowns = 0;
    let producerRunning = false;
    let producerError: unknown;
    const options = { highWaterMark, name: `jitter ${kind}` };
    const produce = async (emit: (v: number) => boolean | Promise<boolean>, finish: () => void): Promise<void> => {
      producerRunning = true;
      try {
        for (const { value, ticks } of ops) {
          await jitter(ticks);
          if ((await emit(value)) === false && kind !== "subscribe-push") return; // consumer stopped
        }
        finish();
      } finally {
        producerRunning = false;
      }
    };
    let source: BridgeIterator<number>;
    if (kind === "pull") {
      source = pull<number>((send) => produce(send, () => undefined), options);
    } else if (kind === "channel-send") {
      const ch = channel<number>(options);
      produce(ch.send, ch.end).catch((error: unknown) => (producerError = error));
      source = ch;
    } else {
      source = subscribe<number>((sink) => {
        let detached = false;
        const emit = kind === "subscribe-push" ? (v: number) => !detached && (sink.push(v), true) : sink.send;
        produce(emit, () => detached || sink.end()).catch((error: unknown) => (producerError = error));
        return () => {
          teardowns += 1;
          detached = true;
        };
      }, options);
    }

    const seen: number[] = [];
    await withDeadline(
      (async () => {
        for await (const v of source) {
          await jitter(readTicks[seen.length] ?? 0);
          if (seen.push(v) > stopAt) break;
        }
      })(),
      () => `seen ${JSON.stringify(seen)}`,
    );

    expect(seen).toEqual(ops.map((o) => o.value).slice(0, stopAt + 1));
    expect(producerError).toBeUndefined();
    if (kind.startsWith("subscribe")) expect(teardowns).toBe(1);
    // pull: leaving the loop awaited return(), which awaited the producer's exit.
    if (kind === "pull") expect(producerRunning).toBe(false);
  }),
  propertyTestTimeout,
);
