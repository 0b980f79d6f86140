import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { batches, channel } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { numRuns } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

property(
  [
    fc.scheduler(),
    fc.array(fc.nat({ max: 3 }), { maxLength: 30 }), // how many values each scheduled producer step pushes
    fc.integer({ min: 1, max: 5 }),
    fc.option(fc.nat({ max: 10 }), { nil: undefined }), // the consumer stops after this many batches
  ],
  { numRuns: numRuns(), timeout: 5_000 },
)(
  "batches of a bridge: non-empty, at most `max`, concatenating to the pushed values in order",
  leakChecked(async (s, steps, max, stopAfter) => {
    const ch = channel<number>({ highWaterMark: Infinity });
    let next = 0;
    const produce = (async () => {
      for (const count of steps) {
        await s.schedule(Promise.resolve(), "producer");
        for (let i = 0; i < count; i += 1) if (!ch.push(next++) && ch.signal.aborted) return;
      }
      if (!ch.signal.aborted) ch.end();
    })();
    const got: number[][] = [];
    const consume = (async () => {
      for await (const batch of batches(ch, { max })) {
        got.push(batch);
        await s.schedule(Promise.resolve(), "consumer");
        if (stopAfter !== undefined && got.length > stopAfter) break;
      }
    })();
    await s.waitFor(Promise.all([produce, consume]));

    for (const batch of got) {
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(max);
    }
    const flat = got.flat();
    expect(flat).toEqual(Array.from({ length: flat.length }, (_, i) => i));
    if (stopAfter === undefined) expect(flat.length).toBe(next);
  }),
);
