// Shared helpers for the property tests: the stable-named property test, run counts, outcome recording and
// error normalisation.
import fc from "fast-check";
import { TestRunner, it, type RunnerTestCase, type RunnerTestSuite } from "vitest";
import { isAbortError, SluiceError } from "../../src/core/index.js";

/** One arbitrary per argument of the predicate. */
type Arbitraries<Ts extends unknown[]> = { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };

/**
 * A property test whose name is exactly `name`: `property(arbitraries, parameters)(name, predicate, timeout)`
 * does what `@fast-check/vitest`'s `test.prop` does (fc.assert inside `it`, vitest's beforeEach/afterEach
 * hooks around every run after the first, so the leak check of the setup file covers each run and a leak
 * shrinks), but without the random seed that `test.prop` appends to the name. A stable name lets tools
 * select the test by name (Stryker's per-test coverage, `vitest -t`); the seed and the shrunk counterexample
 * are in the failure report, and `parameters.seed` (with `path`) replays a failure.
 */
export function property<Ts extends [unknown, ...unknown[]]>(
  arbitraries: Arbitraries<Ts>,
  parameters: fc.Parameters<Ts>,
): (name: string, predicate: (...args: Ts) => boolean | void | PromiseLike<boolean | void>, timeout?: number) => void {
  return (name, predicate, timeout) => {
    it(
      name,
      async () => {
        const prop = fc.asyncProperty<Ts>(...arbitraries, async (...args: Ts) => predicate(...args));
        const hooks = hooksAroundEachRun();
        try {
          await fc.assert(
            prop.beforeEach(async (previous) => {
              await previous();
              await hooks.between();
            }),
            parameters,
          );
        } finally {
          await hooks.finish();
        }
      },
      timeout,
    );
  };
}

/**
 * vitest runs the beforeEach/afterEach hooks once around the whole test; a property runs many times. Between
 * two runs this calls the afterEach hooks (innermost suite first) and the cleanups the previous beforeEach
 * hooks returned, then the beforeEach hooks again (outermost first), as vitest orders them.
 */
function hooksAroundEachRun(): { between(): Promise<void>; finish(): Promise<void> } {
  const test = TestRunner.getCurrentTest<RunnerTestCase | undefined>();
  if (test === undefined) throw new Error("property(): the predicate must run inside a vitest test");
  const suite: RunnerTestSuite = test.suite ?? test.file;
  const chain: RunnerTestSuite[] = []; // innermost suite first, up to the file
  for (let s: RunnerTestSuite | undefined = suite; s !== undefined; s = s === test.file ? undefined : (s.suite ?? test.file)) chain.push(s);
  const before = chain.toReversed().flatMap((suite) => TestRunner.getSuiteHooks(suite).beforeEach);
  const after = chain.flatMap((suite) => TestRunner.getSuiteHooks(suite).afterEach.toReversed());
  const cleanups: Array<() => unknown> = [];
  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  let first = true; // vitest itself ran the hooks before the first run
  return {
    async between() {
      if (first) {
        first = false;
        return;
      }
      for (const hook of after) await hook(test.context, suite);
      await runCleanups();
      for (const hook of before) {
        const cleanup: unknown = await hook(test.context, suite);
        if (typeof cleanup === "function") cleanups.push(cleanup as () => unknown);
      }
    },
    finish: runCleanups, // the cleanups of the hooks run again here; vitest runs the afterEach hooks after the last run
  };
}

/** Explicit run count: small in CI, `npm run soak` raises it (SLUICE_NUM_RUNS=5000). */
export const numRuns = Number(process.env.SLUICE_NUM_RUNS ?? 200);

/** fast-check's time budget per run (ms), a backstop: a hang becomes a shrunk counterexample, not a vitest timeout. */
export const runTimeout = 5_000;

/** vitest's timeout for a property test: room for shrinking a counterexample that hangs ({@link settleDeadline} per try). */
export const propertyTestTimeout = 120_000;

/** The properties' own deadline for "everything settles" (ms): shorter than {@link runTimeout}, so that the
 * run can still stop its bridge and report the hang itself (a run cut off by fast-check would leak it, and the
 * leak report would hide the counterexample). */
export const settleDeadline = 500;

/** Resolves like `promise`, or rejects with "hang: <what>" after `ms` (the timer is cleared either way). */
export async function withDeadline<T>(promise: Promise<T>, what: () => string, ms = settleDeadline): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lets every queued microtask (and the promise chains they start) run. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}

/** One event-loop turn: everything that is not waiting on I/O or timers has settled after it. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A tagged error, so that outcomes can be compared as short strings. */
export class Tagged extends Error {
  constructor(readonly tag: string) {
    super(tag);
    this.name = "Tagged";
  }
}

/**
 * A short, comparable description of a rejection reason: `sluice:CODE`, `abort(<cause>)` for an AbortError,
 * the tag of a {@link Tagged} error, `undefined`.
 */
export function describeError(error: unknown): string {
  if (error === undefined) return "undefined";
  if (error instanceof Tagged) return error.tag;
  if (error instanceof SluiceError) return `sluice:${error.code}`;
  if (isAbortError(error)) return `abort(${describeError((error as Error).cause)})`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `thrown ${String(error)}`;
}

/** The settled state of a promise we created, recorded as it settles (so every promise is handled). */
export interface Recorded {
  readonly id: number;
  readonly op: string;
  outcome: string; // "pending" until it settles
  settledAt: number; // global settle sequence number; -1 while pending
  readonly done: Promise<void>; // fulfils once recorded, whatever the outcome
}

let settleCounter = 0;

/** Starts recording `promise`; attaches both handlers, so a rejection is never unhandled. */
export function record<T>(
  id: number,
  op: string,
  promise: Promise<T>,
  describeValue: (value: T) => string,
  sink: Recorded[],
): Recorded {
  let finished: () => void = () => undefined;
  const rec: Recorded = { id, op, outcome: "pending", settledAt: -1, done: new Promise<void>((resolve) => (finished = resolve)) };
  sink.push(rec);
  void promise.then(
    (value) => {
      rec.outcome = describeValue(value);
      rec.settledAt = settleCounter++;
      finished();
    },
    (error: unknown) => {
      rec.outcome = `rejects ${describeError(error)}`;
      rec.settledAt = settleCounter++;
      finished();
    },
  );
  return rec;
}

/** `{ value: 3, done: false }` → `v:3`; done → `done`. */
export function describeResult(result: IteratorResult<unknown, unknown>): string {
  return result.done === true ? "done" : `v:${JSON.stringify(result.value)}`;
}
