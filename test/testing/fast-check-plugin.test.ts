// The leak check in fast-check: a leak inside one property run fails that run, and fast-check shrinks to the smallest leaking input.
import fc from "fast-check";
import { expect, test } from "vitest";
import { channel } from "../../src/core/index.js";
import { LeakError, leakChecked } from "../../src/testing/index.js";

test("leak check in fast-check: a leaking run fails and shrinks to the smallest leaking input", async () => {
  // Reads `n` values from a channel of 10; forgets to stop it when n > 5 (a planted leak with a threshold).
  const predicate = leakChecked(async (n: number) => {
    const ch = channel<number>({ name: "planted-in-property" });
    for (let i = 0; i < 10; i += 1) ch.push(i);
    for (let i = 0; i < n; i += 1) await ch.next();
    if (n <= 5) await ch.return();
  });
  const result = await fc.check(fc.asyncProperty(fc.integer({ min: 0, max: 10 }), predicate), { numRuns: 200, seed: 42 });
  expect(result.failed).toBe(true);
  expect(result.counterexample).toEqual([6]);
  expect(result.errorInstance).toBeInstanceOf(LeakError);
  expect(String((result.errorInstance as Error).message)).toContain('channel "planted-in-property"');
});

test("leak check in fast-check: the clean twin passes every run", async () => {
  const predicate = leakChecked(async (n: number) => {
    const ch = channel<number>();
    for (let i = 0; i < 10; i += 1) ch.push(i);
    for (let i = 0; i < n; i += 1) await ch.next();
    await ch.return();
  });
  const result = await fc.check(fc.asyncProperty(fc.integer({ min: 0, max: 10 }), predicate), { numRuns: 100, seed: 42 });
  expect(result.failed).toBe(false);
  expect(result.numRuns).toBe(100);
});
