import { fc } from "@fast-check/vitest";
import { expect, vi } from "vitest";
import { ErrorCode, pull, timeout } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { isPrefix, numRuns } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

property([fc.array(fc.nat({ max: 20 }), { maxLength: 8 }), fc.integer({ min: 1, max: 80 }), fc.option(fc.nat({ max: 8 }), { nil: undefined })], {
  numRuns: numRuns(50),
  timeout: 5_000,
})(
  "any pace and time limit: all values or a prefix then ERR_SLUICE_TIMEOUT; no timer left; the source stopped",
  leakChecked(async (gaps, ms, stopAfter) => {
    // Only timers and Date: the leak check needs a real setImmediate.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      let exits = 0;
      const source = pull<number>(async (send, signal) => {
        try {
          for (const [i, gap] of gaps.entries()) {
            // A sleep that honours the signal: a stopped source leaves no timer behind.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(done, gap);
              function done(): void {
                clearTimeout(timer);
                signal.removeEventListener("abort", done);
                resolve();
              }
              signal.addEventListener("abort", done);
            });
            if (!(await send(i))) return;
          }
        } finally {
          exits += 1;
        }
      });
      const limited = timeout(source, ms);
      const seen: number[] = [];
      let error: unknown;
      let finished = false;
      const consume = (async () => {
        try {
          for await (const v of limited) {
            seen.push(v);
            if (stopAfter !== undefined && seen.length > stopAfter) break;
          }
        } catch (caught) {
          error = caught;
        } finally {
          finished = true;
        }
      })();
      for (let t = 0; t < 1000 && !finished; t += 1) await vi.advanceTimersByTimeAsync(1);
      await consume;

      const all = gaps.map((_, i) => i);
      expect(isPrefix(seen, all)).toBe(true);
      if (error !== undefined) expect(error).toMatchObject({ code: ErrorCode.Timeout });
      const total = gaps.reduce((a, b) => a + b, 0);
      // Finished in time. The slack: each 1 ms clock step may end before a hand-over's microtasks did, so a
      // source's next sleep can start a tick late (the clock never runs early, so the converse needs none).
      if (stopAfter === undefined && total + 2 * gaps.length < ms) expect(seen).toEqual(all);
      if (stopAfter === undefined && total > ms) expect(error).toBeDefined(); // could not finish in time
      await limited.return(); // waits for the source's producer to exit
      expect(vi.getTimerCount()).toBe(0); // the time limit's timer and the source's sleeps are all gone
      expect(exits).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  }),
);
