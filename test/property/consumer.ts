// A scripted consumer for the scheduler tests: un-awaited next() calls, stop/return/dispose and aborts of
// the `signal` option, each step released by fast-check's scheduler so that it races the producer.
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import type { BridgeIterator } from "../../src/core/index.js";
import { Tagged, record, withDeadline, type Recorded } from "./helpers.js";

export type ConsumerStep = "next" | "stop" | "return" | "asyncDispose" | "abort";

/** Mostly next(); now and then a stop or an abort, anywhere in the script. */
export const consumerScript: fc.Arbitrary<ConsumerStep[]> = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.constant<ConsumerStep>("next") },
    { weight: 1, arbitrary: fc.constantFrom<ConsumerStep>("stop", "return", "asyncDispose") },
    { weight: 1, arbitrary: fc.constant<ConsumerStep>("abort") },
  ),
  { maxLength: 12 },
);

/** What the consumer did and saw. */
export class Consumer {
  readonly nexts: Recorded[] = []; // every next(), in call order
  readonly stops: Recorded[] = []; // every stop()/return()/dispose, in call order
  readonly values: number[] = []; // values received, in settle order
  nextCalls = 0;
  /** The first way the consumer ended it: "abort(abort#1)", "abort(stop#2)"…, with the index of the next() calls made before. */
  firstStop:
    | { readonly reason: string; readonly afterNexts: number; readonly kind: "stop" | "abort"; readonly producerRunning: boolean }
    | undefined;
  aborted: string | undefined; // the abort reason, once the signal option aborted
  readonly controller = new AbortController();
  #counter = 0;

  it!: BridgeIterator<number>; // set by the test once the bridge exists (it needs `controller.signal`)

  /**
   * Plays `script` under the scheduler, lets the producer go as far as the requests allow, then always
   * finishes with return() and waits until every call has settled, each wait under the settle deadline.
   * Returns how the script itself stopped the bridge (before the final return()), if it did. A failed
   * run stops the bridge before rethrowing, so the failure is reported rather than a leak.
   */
  async run(s: fc.Scheduler, script: readonly ConsumerStep[]): Promise<Consumer["firstStop"]> {
    const sequence = s.scheduleSequence(script.map((step) => ({ builder: () => Promise.resolve(this.step(step)), label: step })));
    const state = (): string =>
      `${JSON.stringify(this.nexts.map((r) => `${r.op} → ${r.outcome}`))}\n${s.report().map((t) => `${t.status} ${t.label}`).join("; ")}`;
    try {
      await withDeadline(s.waitFor(sequence.task), state);
      await withDeadline(s.waitIdle(), state); // let the producer go as far as the consumer's requests allow
      const scriptStop = this.firstStop;
      this.step("return"); // the consumer always finishes (a no-op if it already stopped)
      await withDeadline(s.waitFor(Promise.allSettled([...this.nexts, ...this.stops].map((r) => r.done))), state);
      await withDeadline(s.waitIdle(), state);
      return scriptStop;
    } catch (error) {
      await withDeadline(this.it.stop(), () => "stop() after a failed run").catch(() => undefined); // report the failure, not a leak
      throw error;
    }
  }

  constructor(
    /** Called when a stop()-like promise resolves: checks what must be finished by then. */
    readonly onStopped: (consumer: Consumer) => void,
    /** True while the producer has not finished by itself (so the bridge cannot have closed on its own). */
    readonly producerRunning: () => boolean,
  ) {}

  step(step: ConsumerStep): void {
    const id = this.#counter++;
    if (step === "next") {
      this.nextCalls += 1;
      const describe = (r: IteratorResult<number, undefined>): string => {
        if (r.done === true) return "done";
        this.values.push(r.value);
        return `v:${r.value}`;
      };
      record(id, `next#${this.nexts.length}`, this.it.next(), describe, this.nexts);
      return;
    }
    if (step === "abort") {
      const reason = new Tagged(`abort#${id}`);
      if (this.aborted === undefined) {
        this.aborted = `abort(${reason.tag})`;
        this.firstStop ??= { reason: this.aborted, afterNexts: this.nexts.length, kind: "abort", producerRunning: this.producerRunning() };
      }
      this.controller.abort(reason);
      return;
    }
    const reason = new Tagged(`stop#${id}`);
    const promise: Promise<unknown> =
      step === "stop" ? this.it.stop(reason) : step === "return" ? this.it.return() : this.it[Symbol.asyncDispose]();
    const isFirst = this.firstStop === undefined;
    this.firstStop ??= {
      reason: `abort(${step === "stop" ? reason.tag : "undefined"})`,
      afterNexts: this.nexts.length,
      kind: "stop",
      producerRunning: this.producerRunning(),
    };
    const before = isFirst ? this.nexts.slice() : [];
    const checked = promise.then(async (result) => {
      // Stop: the first stop settles every pending next() at once (their handlers run within a microtask
      // or two), and resolves only after teardown / producer exit. (A next() called after a stop may wait
      // for the producer's exit, to stay behind earlier calls: bridge.ts #finalRead.)
      await Promise.resolve();
      await Promise.resolve();
      for (const rec of before) expect(rec.outcome, `${rec.op} still pending when ${step}() resolved`).not.toBe("pending");
      this.onStopped(this);
      return result;
    });
    record(id, step, checked, (r) => (r === undefined ? "undefined" : JSON.stringify(r)), this.stops);
  }

  /** The checks on what the consumer saw that hold for every bridge (order, call order, stop, cancellation). */
  checkOutcomes(options: {
    readonly producerError?: string;
    readonly total?: number;
    /** Extra outcomes a stop()/return() may have (a pull producer that fails after the consumer stopped rejects stop()). */
    readonly stopMayReject?: string;
    /** Another error a next() may reject with (a teardown's error surfaces from the final next()). */
    readonly nextMayReject?: string;
    /** A drop policy may have dropped values: they arrive in increasing order, not necessarily consecutive. */
    readonly drops?: boolean;
    /** The overflow error the stream may fail with instead of (or before) the producer's own ending. */
    readonly overflowError?: string;
  }): void {
    const outcomes = this.nexts.map((rec) => rec.outcome);
    // Termination: everything settled.
    expect(outcomes).not.toContain("pending");
    const stopOutcomes = ["undefined", '{"done":true}', ...(options.stopMayReject === undefined ? [] : [`rejects ${options.stopMayReject}`])];
    for (const rec of this.stops) expect(stopOutcomes, `${rec.op} → ${rec.outcome}`).toContain(rec.outcome);
    // Call order: settle in call order.
    const byCall = this.nexts.map((rec) => rec.settledAt);
    expect(byCall, "settle order of next() by call").toEqual([...byCall].sort((a, b) => a - b));
    // Order: the values, in call order, are 0, 1, 2, … (no loss, no duplicate, push order).
    const values = outcomes.filter((o) => o.startsWith("v:"));
    if (options.drops === true) {
      const numbers = values.map((o) => Number(o.slice(2)));
      expect(numbers, "values in push order, without duplicates").toEqual([...new Set(numbers)].sort((a, b) => a - b));
    } else {
      expect(values).toEqual(values.map((_, i) => `v:${i}`));
    }
    if (options.total !== undefined) expect(values.length).toBeLessThanOrEqual(options.total);
    // Nothing after the end: once a next() is done or rejected, every later one is too.
    const terminal = outcomes.findIndex((o) => !o.startsWith("v:"));
    if (terminal !== -1) expect(outcomes.slice(terminal).filter((o) => o.startsWith("v:"))).toEqual([]);
    // Error: the producer's error is delivered at most once; rejections are that error or the abort error.
    const rejections = outcomes.filter((o) => o.startsWith("rejects "));
    const streamErrors = [options.producerError, options.overflowError].map((e) => `rejects ${e ?? "-"}`);
    const producerRejections = rejections.filter((o) => streamErrors.includes(o));
    expect(producerRejections.length, "the stream's error is delivered once").toBeLessThanOrEqual(1);
    for (const o of rejections) {
      const allowed = [options.producerError, options.overflowError, this.aborted, options.nextMayReject].map((e) => `rejects ${e ?? "-"}`);
      expect(allowed, `unexpected ${o}`).toContain(o);
    }
  }

  /** Cancellation: when the abort came first, every next() called after it rejects with an AbortError caused by its reason. */
  checkAbort(): void {
    const first = this.firstStop;
    if (first?.kind !== "abort" || !first.producerRunning) return;
    for (const rec of this.nexts.slice(first.afterNexts)) expect(rec.outcome, rec.op).toBe(`rejects ${first.reason}`);
  }
}

