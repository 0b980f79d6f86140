// The stable-named property test (helpers.ts): its name carries no seed, and vitest's beforeEach/afterEach
// hooks run around every property run, as with @fast-check/vitest's test.prop.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { property } from "./helpers.js";

let befores = 0;
let afters = 0;
const cleanups: number[] = [];

describe("property()", () => {
  beforeEach(() => {
    befores += 1;
    const run = befores;
    return () => void cleanups.push(run);
  });
  afterEach(() => {
    afters += 1;
  });

  const seen: string[] = [];
  property([fc.nat()], { numRuns: 5 })("is named exactly as given", () => {
    seen.push(expect.getState().currentTestName ?? "");
    expect(seen.at(-1)).toBe("property() > is named exactly as given");
  });

  const runs: Array<[number, number, number]> = [];
  property([fc.nat()], { numRuns: 4 })("runs the hooks around every run", () => {
    runs.push([befores, afters, cleanups.length]);
  });

  // The hook counters are cumulative over the file: compare with the values when the test started.
  property([fc.constant(0)], { numRuns: 1 })("(after the two above) saw one hook cycle per run", () => {
    expect(seen).toHaveLength(5);
    const [first] = runs;
    expect(first).toBeDefined();
    const [b, a, c] = first ?? [0, 0, 0];
    // The cleanup returned to vitest's own first beforeEach call is vitest's to run, after the test.
    expect(runs).toEqual([0, 1, 2, 3].map((i) => [b + i, a + i, c + Math.max(0, i - 1)]));
  });
});

test("no test uses @fast-check/vitest's test.prop, whose names carry a random seed", async () => {
  const { readdir, readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const root = join(import.meta.dirname, "..");
  const offenders: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, "utf8");
    if (/\b(?:test|it)\s*\.\s*prop\s*\(/.test(text.replace(/\/\/.*$/gm, ""))) offenders.push(path.slice(root.length + 1));
  }
  expect(offenders).toEqual([]);
});
