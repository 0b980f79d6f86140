import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { mapConcurrent } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { isPrefix, numRuns, scheduledSource } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

property(
  [
    fc.scheduler(),
    fc.nat({ max: 12 }),
    fc.integer({ min: 1, max: 4 }),
    fc.boolean(),
    fc.option(fc.nat({ max: 12 }), { nil: undefined }), // the fn call that rejects
    fc.option(fc.nat({ max: 12 }), { nil: undefined }), // the consumer stops after this many
    fc.nat({ max: 2 }),
  ],
  { numRuns: numRuns(), timeout: 5_000 },
)(
  "any completion order: never more than `concurrency` calls; ordered output in input order; each result once; stop cancels and waits",
  leakChecked(async (s, length, concurrency, ordered, rejectAt, stopAfter, highWaterMark) => {
    const boom = new Error("boom");
    const values = Array.from({ length }, (_, i) => i);
    const src = scheduledSource(s, values);
    const calls = { inFlight: 0, max: 0, started: 0, settled: 0 };
    const fn = (v: number, signal: AbortSignal): Promise<number> => {
      calls.started += 1;
      calls.inFlight += 1;
      calls.max = Math.max(calls.max, calls.inFlight);
      return new Promise<number>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason as Error);
        signal.addEventListener("abort", onAbort, { once: true });
        // The scheduler decides when each call completes: any completion order.
        void s.schedule(Promise.resolve(), `fn(${v})`).then(() => {
          signal.removeEventListener("abort", onAbort);
          if (v === rejectAt) reject(boom);
          else resolve(v * 10);
        });
      }).finally(() => {
        calls.inFlight -= 1;
        calls.settled += 1;
      });
    };
    const mapped = mapConcurrent(src.it, fn, { concurrency, ordered, highWaterMark });
    const seen: number[] = [];
    let errors = 0;
    let caught: unknown;
    const consume = (async () => {
      try {
        for await (const v of mapped) {
          seen.push(v);
          await s.schedule(Promise.resolve(), "consumer");
          if (stopAfter !== undefined && seen.length > stopAfter) break;
        }
      } catch (error) {
        errors += 1;
        caught = error;
      }
      await mapped.return();
    })();
    await s.waitFor(consume);

    expect(calls.max).toBeLessThanOrEqual(concurrency);
    expect(calls.inFlight).toBe(0); // stop waited for every call
    expect(calls.settled).toBe(calls.started);
    expect(src.stats.exits).toBe(src.stats.started);
    expect(new Set(seen).size).toBe(seen.length);
    const failing = rejectAt !== undefined && rejectAt < length;
    const expected = values.slice(0, failing ? rejectAt : length).map((v) => v * 10);
    if (ordered) expect(isPrefix(seen, expected)).toBe(true);
    else for (const v of seen) expect(v % 10 === 0 && v / 10 !== rejectAt && v / 10 < length).toBe(true);
    expect(errors).toBeLessThanOrEqual(1);
    if (errors === 1) expect(caught).toBe(boom);
    if (stopAfter === undefined) {
      if (failing) expect(errors).toBe(1);
      else expect([...seen].sort((a, b) => a - b)).toEqual(expected);
      if (ordered && failing) expect(seen).toEqual(expected); // every result before the failure, then the error
    }
  }),
);
