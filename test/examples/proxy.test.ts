// The regression test for the bug that bit Thanos: when the caller of a fan-out proxy stops early, every backend
// call — in-process and remote — is cancelled, every backend handler's `finally` runs, and no bridge stays open.
import { expect, test } from "vitest";
import { runProxy } from "../../src/examples/proxy/example.js";

test("proxy: a caller that breaks out early cancels every backend call, and every backend's finally runs", async () => {
  const run = await runProxy({ count: 1_000_000, take: 20 });
  expect(run.received).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`));
  for (const [name, stats] of Object.entries(run.backends)) {
    expect({ name, ...stats }).toEqual({ name, started: 1, cancelled: 1, finished: 1 });
  }
  expect(run.openBridges).toBe(0);
}, 20_000);

test("proxy: read to the end, every value arrives once (duplicates from the replicas dropped), nothing is cancelled", async () => {
  const run = await runProxy({ count: 50 });
  expect(run.received).toHaveLength(50);
  expect(new Set(run.received).size).toBe(50);
  expect([...run.received].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`).sort());
  for (const [name, stats] of Object.entries(run.backends)) {
    expect({ name, ...stats }).toEqual({ name, started: 1, cancelled: 0, finished: 1 });
  }
  expect(run.openBridges).toBe(0);
}, 20_000);
