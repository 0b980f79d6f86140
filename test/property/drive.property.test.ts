import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { AbortError, drive } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { isPrefix, numRuns, scheduledSource } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

/** How the sink answers a write: at once, "wait for drain", or a promise. */
const answer = fc.constantFrom("ok", "full", "async");

property(
  [
    fc.scheduler(),
    fc.nat({ max: 10 }),
    fc.array(answer, { minLength: 1, maxLength: 5 }),
    fc.option(fc.nat({ max: 10 }), { nil: undefined }), // the source fails before this value
    fc.option(fc.nat({ max: 10 }), { nil: undefined }), // the sink fails on this write
    fc.boolean(), // abort at some scheduled moment
  ],
  { numRuns: numRuns(), timeout: 5_000 },
)(
  "any interleaving: values in order, one next() in flight, and each failure reaches the right side once",
  leakChecked(async (s, length, answers, sourceFailAt, sinkFailAt, abort) => {
    const sourceError = new Error("source broke");
    const sinkError = new Error("sink broke");
    const values = Array.from({ length }, (_, i) => i);
    const src = scheduledSource(s, values, sourceFailAt === undefined ? {} : { failAt: sourceFailAt, error: sourceError });
    let inFlight = 0;
    let maxInFlight = 0;
    const counted: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            return await src.it.next();
          } finally {
            inFlight -= 1;
          }
        },
        return: () => src.it.return(),
      }),
    };
    const written: number[] = [];
    const failures: unknown[] = [];
    let ends = 0;
    const controller = new AbortController();
    if (abort) void s.schedule(Promise.resolve(), "abort").then(() => controller.abort("stop"));
    const driving = drive(
      counted,
      {
        write: (v) => {
          if (v === sinkFailAt) throw sinkError;
          written.push(v);
          const how = answers[v % answers.length];
          if (how === "full") return false;
          if (how === "async") return s.schedule(Promise.resolve(), `write ${v}`);
          return true;
        },
        waitForDrain: () => s.schedule(Promise.resolve(), "drain"),
        end: () => {
          ends += 1;
          return s.schedule(Promise.resolve(), "end");
        },
        fail: (error) => void failures.push(error),
      },
      { signal: controller.signal },
    );
    const outcome = await s.waitFor(driving.then(() => ({ ok: true as const }), (error: unknown) => ({ ok: false as const, error })));
    await s.waitIdle(); // let a late abort fire: it must change nothing once drive settled

    expect(maxInFlight).toBe(1);
    expect(isPrefix(written, values)).toBe(true);
    expect(src.stats.exits).toBe(src.stats.started); // the source's producer has exited however drive ended
    expect(ends).toBeLessThanOrEqual(1);
    if (outcome.ok) {
      expect(written).toEqual(values);
      expect(ends).toBe(1);
      expect(failures).toEqual([]);
    } else if (outcome.error === sourceError) {
      expect(failures).toEqual([sourceError]);
      expect(written).toEqual(values.slice(0, sourceFailAt));
    } else if (outcome.error === sinkError) {
      expect(failures).toEqual([]);
      expect(written).toEqual(values.slice(0, sinkFailAt));
    } else {
      expect(outcome.error).toBeInstanceOf(AbortError);
      expect((outcome.error as AbortError).cause).toBe("stop");
      expect(failures).toEqual([outcome.error]);
    }
  }),
);
