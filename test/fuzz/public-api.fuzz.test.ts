// A fuzz test of the whole public API: for every export of every subpath (the table in surface.ts), fast-check
// generates arguments from hostile.ts (wrong types, NaN, ±Infinity, huge and fractional numbers, BigInt,
// Symbol, null, objects that look like signals, iterables and sinks, fake signals aborted already or never,
// throwing getters, proxies whose traps throw, misbehaving callbacks), calls the export, and drives what it
// returned (harness.ts). Each call must work or fail at once with a sluice coded error (harness.ts,
// `unacceptable`); nothing may hang, reject unhandled or throw uncaught; and the leak registry must still
// work afterwards with nothing left open (`leakChecked`). Run counts: test/property/helpers.ts
// (`SLUICE_NUM_RUNS`; `npm run soak` raises it). Defects it found are named regression examples in
// test/fuzz/regressions.test.ts and test/core/hostile-input.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openBridges } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { numRuns, property, propertyTestTimeout } from "../property/helpers.js";
import { Ctx, type PlanSpec, planArb } from "./harness.js";
import { type Maker, Run } from "./hostile.js";
import { type Entry, type Subpath, constant, subpaths, surface } from "./surface.js";

/** Unhandled rejections and uncaught exceptions seen while a run was going on. */
const stray: string[] = [];
const describeStray = (error: unknown): string => {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "an unprintable value";
  }
};
const onUncaught = (error: unknown): void => void stray.push(`uncaught ${describeStray(error)}`);
const onUnhandled = (reason: unknown): void => void stray.push(`unhandled rejection ${describeStray(reason)}`);
beforeAll(() => {
  // A handler's error shows in the status details, so that the oracle sees an engine error from sluice's code there.
  process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"] = "true";
  process.on("unhandledRejection", onUnhandled);
  process.on("uncaughtException", onUncaught);
});
afterAll(() => {
  delete process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"];
  process.off("unhandledRejection", onUnhandled);
  process.off("uncaughtException", onUncaught);
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("the table covers the public API", () => {
  test.each(Object.keys(subpaths) as Subpath[])("every runtime export of %s has a fuzz entry", async (subpath) => {
    const exported = Object.keys(await subpaths[subpath]()).sort();
    expect(Object.keys(surface[subpath]).sort()).toEqual(exported);
  });
});

/** One run: build the arguments, call, drive the result, then check everything settled and nothing leaked. */
async function runOnce(subpath: Subpath, name: string, entry: Entry, makers: readonly Maker[], plan: PlanSpec): Promise<void> {
  const run = new Run();
  const exported = (await subpaths[subpath]()) as unknown as Record<string, (...a: unknown[]) => unknown>;
  const fn = exported[name] as (...a: unknown[]) => unknown;
  const values = makers.map((m, i) => {
    const before = run.inputs.length;
    const v = run.make(m);
    if (entry.owns?.includes(i) !== true) run.extras.push(...run.inputs.splice(before)); // not a source: ours to finish
    return v;
  });
  const arity = entry.object === true ? 0 : (entry.arity ?? values.length);
  const ctx = new Ctx(run, plan, values.slice(arity));
  let result: unknown;
  let called = false;
  try {
    if (entry.object === true) result = fn;
    else result = entry.construct === true ? Reflect.construct(fn, values.slice(0, arity)) : fn(...values.slice(0, arity));
    called = true;
  } catch (error) {
    ctx.check(error, `${name}(…)`);
  }
  if (called) await entry.use(result, ctx);
  run.release(); // what waits "forever" (a handler waiting for its signal, requests that never end) ends now
  await ctx.settleAll();
  // The bridges a call did not take over are still the run's own to finish.
  const leftToUs = called ? run.extras : [...run.inputs, ...run.extras];
  await Promise.allSettled(leftToUs.map((bridge) => bridge.return()));
  await Promise.allSettled(run.background);
  for (const cleanup of run.cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      ctx.check(error, "closing what the run opened");
    }
  }
  await turn(); // an unhandled rejection is reported after the turn it happened in
  expect(() => openBridges()).not.toThrow(); // the registry still works
  expect(stray.splice(0)).toEqual([]);
  expect(ctx.violations).toEqual([]);
}

for (const subpath of Object.keys(subpaths) as Subpath[]) {
  describe(subpath, () => {
    for (const [name, entry] of Object.entries(surface[subpath])) {
      if (entry === constant) continue;
      property([entry.args, planArb], { numRuns: Math.max(1, Math.round(numRuns * (entry.runShare ?? 1))), timeout: 10_000 })(
        `${name}: any arguments work or fail at once with a coded error; nothing hangs, leaks or escapes`,
        leakChecked((makers, plan) => runOnce(subpath, name, entry, makers, plan)),
        propertyTestTimeout,
      );
    }
  });
}
