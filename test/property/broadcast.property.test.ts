import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { broadcast } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { isPrefix, numRuns, scheduledSource } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

const consumerPlan = fc.record({
  stopAfter: fc.option(fc.nat({ max: 12 }), { nil: undefined }),
  highWaterMark: fc.nat({ max: 3 }),
});

property(
  [fc.scheduler(), fc.nat({ max: 10 }), fc.option(fc.nat({ max: 10 }), { nil: undefined }), fc.array(consumerPlan, { minLength: 1, maxLength: 3 })],
  { numRuns: numRuns(), timeout: 5_000 },
)(
  "any interleaving: every consumer sees a prefix (all, unless it stopped); the source stops once, when all stopped",
  leakChecked(async (s, length, failAt, plans) => {
    const boom = new Error("boom");
    const values = Array.from({ length }, (_, i) => i);
    const src = scheduledSource(s, values, failAt === undefined ? {} : { failAt, error: boom });
    const hub = broadcast(src.it);
    const consumers = plans.map((p) => ({ plan: p, it: hub.subscribe({ highWaterMark: p.highWaterMark }) }));
    const runs = consumers.map(async ({ plan, it }, i) => {
      const seen: number[] = [];
      let error: unknown;
      try {
        for await (const v of it) {
          seen.push(v);
          await s.schedule(Promise.resolve(), `consumer ${i}`);
          if (plan.stopAfter !== undefined && seen.length > plan.stopAfter) break;
        }
      } catch (caught) {
        error = caught;
      }
      return { seen, error };
    });
    const results = await s.waitFor(Promise.all(runs));
    await s.waitFor(hub.stop()); // no-op unless every consumer stopped early and the source still runs

    const delivered = failAt === undefined ? values : values.slice(0, Math.min(failAt, length));
    for (const [i, { seen, error }] of results.entries()) {
      const plan = plans[i];
      expect(isPrefix(seen, delivered)).toBe(true);
      if (plan?.stopAfter === undefined || plan.stopAfter >= delivered.length) {
        expect(seen).toEqual(delivered);
        expect(error).toBe(failAt === undefined ? undefined : boom);
      } else if (error !== undefined) {
        // Stopped early, as the source was failing: its producer threw while being stopped, and the last
        // consumer's return() (called by `break`) reports it (no stray rejections).
        expect(error).toBe(boom);
        expect(failAt).toBeDefined();
      }
    }
    expect(src.stats.started).toBe(1);
    expect(src.stats.exits).toBe(1);
  }),
);
