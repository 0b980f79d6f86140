// Model-based property test of sluice/interop's `pushable()` and `pushableV()`: random scripts of push,
// end, end(err), un-awaited (so concurrent) next(), return(), throw(err), an abort of the `signal` option
// and onEmpty(), with microtask jitter between steps, run against a small reference model written from
// docs/interop.md (an array queue and a few flags), not from pushable.ts.
//
// Checked: every next() settles exactly once, in call order, with the model's outcome (so: push order, no
// loss, no duplicate, buffered values before the error of end(err)); onEnd is called exactly once, with the
// model's arguments; every onEmpty() resolves; readableLength matches the model when the script pauses;
// nothing is left open (leakChecked).
import { fc } from "@fast-check/vitest";
import { expect, test } from "vitest";
import { pushable, pushableV } from "../../src/interop/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { Tagged, describeError, flushMicrotasks, numRuns, property, propertyTestTimeout, record, runTimeout, withDeadline, type Recorded } from "./helpers.js";

type OpKind = "push" | "end" | "end(err)" | "next" | "return" | "throw" | "abort" | "onEmpty";

interface Step {
  readonly op: OpKind;
  /** Microtasks to wait before the step: 0 runs it in the same synchronous block as the one before. */
  readonly ticks: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  op: fc.oneof(
    { weight: 8, arbitrary: fc.constant<OpKind>("push") },
    { weight: 8, arbitrary: fc.constant<OpKind>("next") },
    { weight: 2, arbitrary: fc.constantFrom<OpKind>("end", "end(err)") },
    { weight: 2, arbitrary: fc.constant<OpKind>("onEmpty") },
    { weight: 1, arbitrary: fc.constantFrom<OpKind>("return", "throw", "abort") },
  ),
  ticks: fc.nat({ max: 2 }),
});

interface Scenario {
  readonly steps: readonly Step[];
  /** pushableV: next() yields everything buffered as an array. */
  readonly batch: boolean;
  /** Object mode (values are numbers), or byte mode (Uint8Arrays of 0–2 bytes). */
  readonly objectMode: boolean;
  /** After the script, read to the end before the final return() (when the script ended the stream). */
  readonly drain: boolean;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(step, { maxLength: 30 }),
  batch: fc.boolean(),
  objectMode: fc.boolean(),
  drain: fc.boolean(),
});

const size = (id: number): number => id % 3; // byte mode: value `id` is a Uint8Array of this many bytes

/**
 * The documented behaviour, as plainly as possible. Values are numbered by push order. A next() takes
 * from the buffer (one value, or all of them for pushableV), else waits; a push goes to the oldest waiting
 * next(), else to the buffer.
 */
class Model {
  buffer: number[] = []; // values pushed and not yet taken
  readers: number[] = []; // ids of next() calls waiting for a value
  ended = false;
  endError: string | undefined; // tag of end(err)'s error
  errorDelivered = false;
  stopped: "return" | "throw" | "abort" | undefined;
  /** onEnd's arguments, once called: [] for return(), else [error tag or "undefined"]. */
  onEnd: string[] | undefined;
  readonly outcomes = new Map<number, string>();

  constructor(readonly batch: boolean) {}

  #value(ids: number[]): string {
    return this.batch ? `v:[${ids.join(",")}]` : `v:${ids[0]}`;
  }

  #finish(args: string[]): void {
    this.onEnd ??= args;
  }

  /** The bridge is finished: nothing more to deliver, no error owed (so an abort changes nothing). */
  get closed(): boolean {
    return this.stopped !== undefined || (this.ended && this.buffer.length === 0 && (this.endError === undefined || this.errorDelivered));
  }

  push(id: number): void {
    if (this.ended || this.stopped !== undefined) return; // silently dropped
    const reader = this.readers.shift();
    if (reader !== undefined) this.outcomes.set(reader, this.#value([id]));
    else this.buffer.push(id);
  }

  next(call: number): void {
    if (this.buffer.length !== 0) {
      const taken = this.buffer.splice(0, this.batch ? this.buffer.length : 1);
      this.outcomes.set(call, this.#value(taken));
      if (this.buffer.length === 0 && this.ended) this.#finish([this.endError ?? "undefined"]);
      return;
    }
    if (this.stopped === "abort") return void this.outcomes.set(call, "rejects abort(abort)");
    if (this.stopped !== undefined) return void this.outcomes.set(call, "done");
    if (!this.ended) return void this.readers.push(call);
    if (this.endError !== undefined && !this.errorDelivered) {
      this.errorDelivered = true;
      return void this.outcomes.set(call, `rejects ${this.endError}`);
    }
    this.outcomes.set(call, "done");
  }

  end(error: string | undefined): void {
    if (this.ended || this.stopped !== undefined) return;
    this.ended = true;
    this.endError = error;
    if (this.buffer.length !== 0) return;
    const [first, ...rest] = this.readers;
    this.readers = [];
    if (first !== undefined) {
      this.outcomes.set(first, error === undefined ? "done" : `rejects ${error}`);
      this.errorDelivered = error !== undefined;
    }
    for (const reader of rest) this.outcomes.set(reader, "done");
    this.#finish([error ?? "undefined"]);
  }

  stop(how: "return" | "throw" | "abort", args: string[]): void {
    if (this.stopped !== undefined) return;
    if (how === "abort" && this.closed) return; // finished: nothing left for the abort to cancel
    this.stopped = how;
    for (const reader of this.readers) this.outcomes.set(reader, how === "abort" ? "rejects abort(abort)" : "done");
    this.readers = [];
    this.buffer = [];
    this.#finish(args);
  }
}

async function runScenario(sc: Scenario): Promise<void> {
  const controller = new AbortController();
  const onEndCalls: string[][] = [];
  const ids = new WeakMap<object, number>();
  const options = {
    signal: controller.signal,
    name: "pushable-under-test",
    onEnd: (...args: [err?: Error]) => onEndCalls.push(args.map((e) => (e === undefined ? "undefined" : describeError(e)))),
  };
  // Typed as the widest of the four: object/byte mode, single/batch.
  const p = (
    sc.batch
      ? sc.objectMode ? pushableV<unknown>({ ...options, objectMode: true }) : pushableV<Uint8Array>(options)
      : sc.objectMode ? pushable<unknown>({ ...options, objectMode: true }) : pushable<Uint8Array>(options)
  ) as unknown as {
    push(v: unknown): unknown;
    end(err?: Error): unknown;
    next(): Promise<IteratorResult<unknown>>;
    return(): Promise<IteratorResult<unknown>>;
    throw(err: unknown): Promise<IteratorResult<unknown>>;
    onEmpty(): Promise<void>;
    readonly readableLength: number;
  };
  const model = new Model(sc.batch);
  const nexts: Recorded[] = [];
  const others: Recorded[] = [];
  let calls = 0;
  let pushes = 0;
  const id = (value: unknown): string => String(sc.objectMode ? value : ids.get(value as object));
  const describe = (result: IteratorResult<unknown>): string => {
    if (result.done === true) return "done";
    return sc.batch ? `v:[${(result.value as unknown[]).map(id).join(",")}]` : `v:${id(result.value)}`;
  };
  const next = (): void => {
    const call = calls++;
    model.next(call);
    record(call, `next#${call}`, p.next(), describe, nexts);
  };
  const expectedLength = (): number => (sc.objectMode ? model.buffer.length : model.buffer.reduce((sum, v) => sum + size(v), 0));

  for (const { op, ticks } of sc.steps) {
    for (let i = 0; i < ticks; i += 1) await Promise.resolve();
    switch (op) {
      case "push": {
        const n = pushes++;
        const value = sc.objectMode ? n : new Uint8Array(size(n));
        if (!sc.objectMode) ids.set(value as object, n);
        model.push(n);
        expect(p.push(value)).toBe(p);
        break;
      }
      case "next":
        next();
        break;
      case "end":
        model.end(undefined);
        p.end();
        break;
      case "end(err)": {
        const error = new Tagged(`end-error#${calls}`);
        model.end(error.tag);
        p.end(error);
        break;
      }
      case "return":
        model.stop("return", []);
        record(calls++, "return()", p.return(), describe, others);
        break;
      case "throw": {
        const error = new Tagged(`thrown#${calls}`);
        model.stop("throw", [error.tag]);
        record(calls++, "throw()", p.throw(error), describe, others); // resolves done, as it-pushable's
        break;
      }
      case "abort":
        if (controller.signal.aborted) break;
        model.stop("abort", ["abort(abort)"]);
        controller.abort(new Tagged("abort"));
        break;
      case "onEmpty":
        record(calls++, "onEmpty()", p.onEmpty(), () => "resolved", others);
        break;
    }
  }
  const state = (): string => `${JSON.stringify(nexts.map((r) => `${r.op} → ${r.outcome}`))} onEnd ${JSON.stringify(onEndCalls)}`;

  await flushMicrotasks();
  expect(p.readableLength, "readableLength when the script pauses").toBe(expectedLength());
  if (sc.drain && model.ended && model.stopped === undefined) {
    for (let i = 0; i <= model.buffer.length + 1; i += 1) next(); // concurrent reads past the end
    await flushMicrotasks();
  }
  model.stop("return", []);
  record(calls++, "final return()", p.return(), describe, others);
  await withDeadline(Promise.all([...nexts, ...others].map((r) => r.done)), state);
  await flushMicrotasks();

  for (const r of nexts) expect(`${r.op} → ${r.outcome}`, state()).toBe(`${r.op} → ${model.outcomes.get(r.id) ?? "pending"}`);
  const settleOrder = [...nexts].sort((a, b) => a.settledAt - b.settledAt).map((r) => r.op);
  expect(settleOrder, "next() calls settle in call order").toEqual(nexts.map((r) => r.op));
  for (const r of others) expect(`${r.op} → ${r.outcome}`).toBe(`${r.op} → ${r.op === "onEmpty()" ? "resolved" : "done"}`);
  expect(onEndCalls, `onEnd exactly once: ${state()}`).toEqual([model.onEnd]);
  expect(p.readableLength).toBe(0);
}

property([scenario], { numRuns, timeout: runTimeout })(
  "pushable: order, no loss, every next() settles once in call order, onEnd exactly once, onEmpty resolves, no leaks",
  leakChecked(runScenario),
  propertyTestTimeout,
);

// Races the property found, kept as named examples (both fixed in pushable.ts).
test("regression: a buffered value and the done after it settle in call order (push, end, next, next)", async () => {
  // The value's next() took one extra step (readableLength bookkeeping, then done on delivery), so the
  // done overtook it. Bookkeeping is now synchronous, and next() returns the bridge's own promise.
  await leakChecked(runScenario)({
    steps: [
      { op: "push", ticks: 0 },
      { op: "end", ticks: 0 },
      { op: "next", ticks: 0 },
      { op: "next", ticks: 0 },
    ],
    batch: false,
    objectMode: false,
    drain: false,
  });
});

test("regression: pushableV: a next() waiting on an empty buffer settles before a later one served from the buffer", async () => {
  // The bridge's own nextBatch() takes one step more from an empty buffer than from a full one
  // (test/core/next-batch-order.test.ts); pushableV no longer uses it for the waiting case, and gives both
  // paths exactly one step.
  await leakChecked(runScenario)({
    steps: [
      { op: "next", ticks: 0 },
      { op: "push", ticks: 0 },
      { op: "push", ticks: 0 },
      { op: "next", ticks: 0 },
    ],
    batch: true,
    objectMode: false,
    drain: false,
  });
});
