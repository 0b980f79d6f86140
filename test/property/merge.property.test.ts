import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { merge } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { isPrefix, numRuns, scheduledSource } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

/** `error` is `boom`, or an AggregateError of several sources each failing with `boom` while being stopped. */
const onlyBoom = (error: unknown, boom: Error): boolean =>
  error instanceof AggregateError ? (error.errors as unknown[]).every((e) => e === boom) : error === boom;

const plan = fc.record({
  length: fc.nat({ max: 8 }),
  failAt: fc.option(fc.nat({ max: 9 }), { nil: undefined }),
  jitter: fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 4 }),
});

property([fc.scheduler(), fc.array(plan, { maxLength: 4 }), fc.option(fc.nat({ max: 30 }), { nil: undefined }), fc.nat({ max: 3 })], {
  numRuns: numRuns(),
  timeout: 5_000,
})(
  "any interleaving: per-source order, no loss, no duplicate; one error; every source stopped once",
  leakChecked(async (s, plans, stopAfter, highWaterMark) => {
    const boom = new Error("boom");
    const sources = plans.map((p, i) =>
      scheduledSource(
        s,
        Array.from({ length: p.length }, (_, k) => `${i}:${k}`),
        { label: `s${i}`, jitter: p.jitter, ...(p.failAt === undefined ? {} : { failAt: p.failAt, error: boom }) },
      ),
    );
    const merged = merge(
      sources.map((src) => src.it),
      { highWaterMark },
    );
    const seen: string[] = [];
    let errors = 0;
    let caught: unknown;
    const stopErrors: unknown[] = [];
    const consume = (async () => {
      try {
        for await (const v of merged) {
          seen.push(v);
          await s.schedule(Promise.resolve(), "consumer");
          if (stopAfter !== undefined && seen.length > stopAfter) break;
        }
      } catch (error) {
        errors += 1;
        caught = error;
      }
      // After an error: waits for the other sources to stop. A source whose producer throws while being
      // stopped makes stop() reject with that error (no stray rejections: teardown errors reach the caller of stop()).
      await merged.return().catch((error: unknown) => void stopErrors.push(error));
    })();
    await s.waitFor(consume);

    const failing = plans.some((p) => p.failAt !== undefined); // at an index, or after its values
    expect(errors).toBeLessThanOrEqual(1);
    // The error of the stream, or (after `break`) the rejection of the return() that `for await` calls.
    if (errors === 1) expect(onlyBoom(caught, boom)).toBe(true);
    for (const [i, p] of plans.entries()) {
      const own = seen.filter((v) => v.startsWith(`${i}:`));
      const limit = p.failAt === undefined ? p.length : Math.min(p.failAt, p.length);
      const expected = Array.from({ length: limit }, (_, k) => `${i}:${k}`);
      expect(isPrefix(own, expected)).toBe(true); // order kept, nothing duplicated or invented
      if (stopAfter === undefined && !failing) expect(own).toEqual(expected); // nothing lost
      expect(sources[i]?.stats.exits).toBe(sources[i]?.stats.started); // every started producer has exited
      expect(sources[i]?.stats.started).toBeLessThanOrEqual(1);
    }
    if (stopAfter === undefined && failing) expect(errors).toBe(1);
    for (const error of stopErrors) expect(onlyBoom(error, boom)).toBe(true);
    if (!failing) expect(stopErrors).toEqual([]);
    expect(new Set(seen).size).toBe(seen.length);
  }),
);

property([fc.scheduler(), fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 6 }), fc.nat({ max: 8 })], {
  numRuns: numRuns(),
  timeout: 5_000,
})(
  "concurrent next() calls and a stop at any moment: every call settles once, in call order, nothing duplicated",
  leakChecked(async (s, lengths, calls, stopAfterSteps) => {
    const sources = lengths.map((length, i) => scheduledSource(s, Array.from({ length }, (_, k) => `${i}:${k}`), { label: `s${i}` }));
    const merged = merge(sources.map((src) => src.it));
    const settled: number[] = [];
    const results: Array<IteratorResult<string>> = [];
    const pending = Array.from({ length: calls }, (_, i) =>
      merged.next().then((r) => {
        settled.push(i);
        results[i] = r;
      }),
    );
    const stopping = (async () => {
      for (let i = 0; i < stopAfterSteps; i += 1) await s.schedule(Promise.resolve(), "before stop");
      await merged.return();
    })();
    await s.waitFor(Promise.all([...pending, stopping]));

    expect(settled).toEqual(Array.from({ length: calls }, (_, i) => i)); // call order
    const values = results.filter((r) => r.done !== true).map((r) => r.value as string);
    expect(new Set(values).size).toBe(values.length);
    const firstDone = results.findIndex((r) => r.done === true);
    if (firstDone !== -1) expect(results.slice(firstDone).every((r) => r.done === true)).toBe(true); // done is final
    for (const src of sources) expect(src.stats.exits).toBe(src.stats.started);
  }),
);
