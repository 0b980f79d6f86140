// Model-based test of the core bridge (docs/semantics.md, order to cancellation): random sequences of producer and consumer calls on
// a `channel` (or a `subscribe` with a captured sink, to count teardowns) are run against a small reference
// model (an array queue and a few flags) written from the TSDoc, not from bridge.ts.
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { channel, subscribe, type BridgeIterator, type Overflow, type Sink } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import {
  Tagged,
  describeError,
  describeResult,
  flushMicrotasks,
  nextTurn,
  numRuns,
  property,
  record,
  propertyTestTimeout,
  runTimeout,
  type Recorded,
} from "./helpers.js";

// ------------------------------------------------------------------------------------------ reference model

const PUSH_AFTER_END = "sluice:ERR_SLUICE_PUSH_AFTER_END";
const OVERFLOW = "sluice:ERR_SLUICE_OVERFLOW";

/** What a synchronous `push` does: returns a boolean (or something unspecified), or throws a coded error. */
type PushResult = { returns: boolean | "unspecified" } | { throws: string };

interface Reader {
  readonly id: number;
  readonly batch: boolean;
}

/**
 * The contract, as plainly as possible. `buffer` holds every value pushed and not taken, including the
 * values of producers waiting in `send()` (a sender is released once its value is within highWaterMark of
 * the head, at highWaterMark 0 once taken). `outcomes` maps each recorded promise to its expected outcome.
 */
class RefBridge {
  phase: "open" | "ending" | "closed" = "open";
  buffer: number[] = [];
  readers: Reader[] = [];
  senders: Array<{ id: number; value: number }> = [];
  readyWaiters: number[] = []; // producers waiting in ready(): all released together
  producerEnded = false; // end()/fail() called by the producer
  failure: string | undefined; // error delivered after the buffered values
  abortError: string | undefined; // set when the signal option aborted while open
  signalAborted = false; // the consumer's AbortController was aborted (only once)
  producerSignal: string | undefined; // reason of the producer's signal, once aborted
  tornDown = false;
  readonly outcomes = new Map<number, string>();
  nextId = 0;
  nextValue = 0;

  constructor(
    readonly hwm: number,
    readonly overflow: Overflow,
    preAborted: string | undefined,
  ) {
    // An already-aborted `signal`: the bridge starts closed, every next() rejects, the producer is stopped.
    if (preAborted !== undefined) {
      this.signalAborted = true;
      this.abortError = `abort(${preAborted})`;
      this.phase = "closed";
      this.producerSignal = this.abortError;
    }
  }

  #deliver(reader: Reader, values: number[]): void {
    this.outcomes.set(reader.id, reader.batch ? `v:${JSON.stringify(values)}` : `v:${values[0]}`);
  }

  /** A waiting sender resumes once its value is among the first ceil(hwm / 2) buffered (or taken): hysteresis. */
  #releaseSenders(): void {
    this.senders = this.senders.filter(({ id, value }) => {
      const index = this.buffer.indexOf(value);
      if (index !== -1 && index >= Math.ceil(this.hwm / 2)) return true;
      this.outcomes.set(id, "true");
      return false;
    });
  }

  #teardown(): void {
    this.tornDown = true;
  }

  #releaseReady(ready: boolean): void {
    for (const id of this.readyWaiters) this.outcomes.set(id, String(ready));
    this.readyWaiters = [];
  }

  #hasRoom(): boolean {
    return this.buffer.length < this.hwm || this.readers.length !== 0;
  }

  /** A waiting ready() resolves once there is room and the buffer is down to floor(hwm / 2): hysteresis. */
  #hasRoomForWaiters(): boolean {
    return (this.#hasRoom() && this.buffer.length <= Math.floor(this.hwm / 2)) || this.readers.length !== 0;
  }

  /** The producer finished (end, fail, overflow error): deliver what is buffered, then the outcome. */
  #finish(failure: string | undefined): void {
    this.phase = "ending";
    this.failure = failure;
    this.#releaseReady(false);
    this.#teardown();
    if (this.buffer.length === 0 && this.readers.length !== 0) {
      const [first, ...rest] = this.readers;
      this.readers = [];
      if (first !== undefined) this.outcomes.set(first.id, failure === undefined ? "done" : `rejects ${failure}`);
      for (const r of rest) this.outcomes.set(r.id, "done");
      this.phase = "closed";
    } else if (this.buffer.length === 0 && failure === undefined) {
      this.phase = "closed"; // exhausted: nothing left to deliver (same rule as taking the last value after end)
    }
  }

  /** The consumer side is finished: readers settle (done or the abort error), buffer dropped, senders get false. */
  #close(readerOutcome: string): void {
    this.phase = "closed";
    for (const r of this.readers) this.outcomes.set(r.id, readerOutcome);
    this.readers = [];
    this.buffer = [];
    for (const s of this.senders) this.outcomes.set(s.id, "false");
    this.senders = [];
    this.#releaseReady(false);
  }

  /** Stops a producer that did not finish by itself: its signal aborts (once) and teardown runs. */
  #stopProducer(reason: string): void {
    if (!this.producerEnded && this.producerSignal === undefined) this.producerSignal = reason;
    this.#teardown();
  }

  push(value: number): PushResult {
    if (this.producerEnded) return { throws: PUSH_AFTER_END };
    if (this.phase !== "open") return { returns: false };
    const first = this.readers.shift();
    if (first !== undefined) {
      this.#deliver(first, [value]);
      if (this.overflow === "wait") return { returns: this.readers.length !== 0 || this.hwm > 0 };
      return { returns: this.overflow === "error" ? "unspecified" : true };
    }
    if (this.buffer.length >= this.hwm) {
      switch (this.overflow) {
        case "wait":
          this.buffer.push(value);
          return { returns: false };
        case "drop-newest":
          return { returns: false };
        case "drop-oldest":
          this.buffer.shift();
          this.buffer.push(value);
          return { returns: true };
        case "error":
          this.#finish(OVERFLOW);
          this.#stopProducer(`abort(${OVERFLOW})`);
          return { returns: "unspecified" };
      }
    }
    this.buffer.push(value);
    if (this.overflow === "wait") return { returns: this.buffer.length < this.hwm };
    // "Under a drop policy, false means the value was dropped": this one was kept.
    return { returns: this.overflow === "error" ? "unspecified" : true };
  }

  send(id: number, value: number): void {
    if (this.producerEnded) return void this.outcomes.set(id, `rejects ${PUSH_AFTER_END}`);
    if (this.phase !== "open") return void this.outcomes.set(id, "false");
    if (this.overflow !== "wait") {
      const wasFull = this.readers.length === 0 && this.buffer.length >= this.hwm;
      this.push(value);
      // send() is false only once the consumer stopped or the bridge cut the producer off: a value a drop
      // policy dropped still resolves true (the consumer reads on); the value that overflows "error" resolves false.
      return void this.outcomes.set(id, wasFull && this.overflow === "error" ? "false" : "true");
    }
    const first = this.readers.shift();
    if (first !== undefined) {
      this.#deliver(first, [value]);
      return void this.outcomes.set(id, "true");
    }
    this.buffer.push(value);
    if (this.buffer.length - 1 < this.hwm) this.outcomes.set(id, "true");
    else this.senders.push({ id, value });
  }

  next(id: number, batch: boolean, max: number): void {
    if (this.buffer.length !== 0) {
      const values = this.buffer.splice(0, batch ? max : 1);
      this.#deliver({ id, batch }, values);
      this.#releaseSenders();
      if (this.#hasRoomForWaiters()) this.#releaseReady(true);
      if (this.buffer.length === 0 && this.phase === "ending" && this.failure === undefined) this.phase = "closed";
      return;
    }
    if (this.phase === "open") {
      this.readers.push({ id, batch });
      this.#releaseReady(true);
      return;
    }
    if (this.phase === "ending") {
      this.outcomes.set(id, this.failure === undefined ? "done" : `rejects ${this.failure}`);
      this.phase = "closed";
      return;
    }
    this.outcomes.set(id, this.abortError === undefined ? "done" : `rejects ${this.abortError}`);
  }

  /** "Resolves true when a push would be within highWaterMark, false once the stream is finished." */
  ready(id: number): void {
    if (this.phase !== "open") this.outcomes.set(id, "false");
    else if (this.#hasRoom()) this.outcomes.set(id, "true");
    else this.readyWaiters.push(id);
  }

  end(): void {
    if (this.producerEnded) return;
    this.producerEnded = true;
    if (this.phase === "open") this.#finish(undefined);
  }

  fail(tag: string): void {
    if (this.producerEnded) return;
    this.producerEnded = true;
    if (this.phase === "open") this.#finish(tag);
  }

  stop(reason: string): void {
    if (this.phase === "closed") return;
    this.#close("done");
    this.#stopProducer(`abort(${reason})`);
  }

  abort(reason: string): void {
    if (this.signalAborted) return;
    this.signalAborted = true;
    if (this.phase === "closed") return;
    this.abortError = `abort(${reason})`;
    this.#close(`rejects ${this.abortError}`);
    this.#stopProducer(this.abortError);
  }
}

// ------------------------------------------------------------------------------------------ the real thing

interface Real {
  readonly config: Config;
  readonly it: BridgeIterator<number>;
  readonly sink: Sink<number>;
  readonly controller: AbortController;
  readonly teardowns: { count: number } | undefined; // subscribe only: channel has no teardown
  readonly records: Recorded[];
  readonly trueSends: Set<number>; // values whose send() resolved true
  readonly delivered: number[]; // values handed to next()/nextBatch(), in settle order
}

interface Config {
  readonly kind: "channel" | "subscribe";
  readonly hwm: number;
  readonly overflow: Overflow;
  readonly sendOnly: boolean; // no push(): the buffer must then stay within highWaterMark (backpressure)
  readonly preAborted: boolean; // the `signal` option is aborted before the channel is created (channel only)
}

const PRE_ABORT = new Tagged("pre-abort");

function open(config: Config): Real {
  const controller = new AbortController();
  if (config.preAborted) controller.abort(PRE_ABORT);
  const options = { highWaterMark: config.hwm, overflow: config.overflow, signal: controller.signal, name: "model" };
  const base = { config, controller, records: [], trueSends: new Set<number>(), delivered: [] };
  if (config.kind === "channel") {
    const ch = channel<number>(options);
    return { ...base, it: ch, sink: ch, teardowns: undefined };
  }
  const teardowns = { count: 0 };
  let captured: Sink<number> | undefined;
  const it = subscribe<number>(
    (sink) => {
      captured = sink;
      return () => {
        teardowns.count += 1;
      };
    },
    { ...options, lazy: false },
  );
  if (captured === undefined) throw new Error("setup did not run synchronously with lazy: false");
  return { ...base, it, sink: captured, teardowns };
}

type Cmd = fc.AsyncCommand<RefBridge, Real>;

/** A command: applies `op` to both sides, then lets microtasks run and checks what must hold between steps. */
function command(label: string, op: (m: RefBridge, r: Real) => void): Cmd {
  return {
    check: () => true,
    async run(m, r) {
      op(m, r);
      await flushMicrotasks();
      if (r.teardowns !== undefined) expect(r.teardowns.count, `teardowns after ${label}`).toBe(m.tornDown ? 1 : 0);
      checkInvariants(r.config, m, r);
    },
    toString: () => label,
  };
}

function describeBatch(result: IteratorResult<number[], undefined>, delivered: number[]): string {
  if (result.done === true) return "done";
  delivered.push(...result.value);
  return `v:${JSON.stringify(result.value)}`;
}

const pushCmd = fc.constant(
  command("push", (m, r) => {
    const value = m.nextValue++;
    const expected = m.push(value);
    let actual: PushResult;
    try {
      actual = { returns: r.sink.push(value) };
    } catch (error) {
      actual = { throws: describeError(error) };
    }
    if ("returns" in expected && expected.returns === "unspecified") expect(actual).toHaveProperty("returns");
    else expect(actual, `push(${value})`).toEqual(expected);
  }),
);

const sendCmd = fc.constant(
  command("send", (m, r) => {
    const id = m.nextId++;
    const value = m.nextValue++;
    m.send(id, value);
    record(id, `send(${value})`, r.sink.send(value), (ok) => (ok && r.trueSends.add(value), String(ok)), r.records);
  }),
);

const readyCmd = fc.constant(
  command("ready", (m, r) => {
    const id = m.nextId++;
    m.ready(id);
    record(id, "ready()", r.sink.ready(), String, r.records);
  }),
);

const nextCmd = fc.constant(
  command("next", (m, r) => {
    const id = m.nextId++;
    m.next(id, false, 1);
    const describe = (result: IteratorResult<number, undefined>): string => {
      if (result.done !== true) r.delivered.push(result.value);
      return describeResult(result);
    };
    record(id, "next()", r.it.next(), describe, r.records);
  }),
);

const nextBatchCmd = fc.integer({ min: 1, max: 3 }).map((max) =>
  command(`nextBatch(${max})`, (m, r) => {
    const id = m.nextId++;
    m.next(id, true, max);
    record(id, `nextBatch(${max})`, r.it.nextBatch(max), (res) => describeBatch(res, r.delivered), r.records);
  }),
);

const stopCmd = fc.constantFrom("stop", "return", "throw", "asyncDispose").map((how) =>
  command(how, (m, r) => {
    const id = m.nextId++;
    const reason = new Tagged(`stop#${id}`);
    m.stop(how === "stop" || how === "throw" ? reason.tag : "undefined");
    const promise =
      how === "stop" ? r.it.stop(reason) : how === "return" ? r.it.return() : how === "throw" ? r.it.throw(reason) : r.it[Symbol.asyncDispose]();
    // throw(error): stops with `error` as the reason, then rejects with it.
    m.outcomes.set(id, how === "return" ? "done" : how === "throw" ? `rejects ${reason.tag}` : "undefined");
    record(id, `${how}()`, promise as Promise<unknown>, (v) => (v === undefined ? "undefined" : describeResult(v as IteratorResult<unknown>)), r.records);
  }),
);

const abortCmd = fc.constant(
  command("abort", (m, r) => {
    const reason = new Tagged(`abort#${m.nextId++}`);
    m.abort(reason.tag);
    r.controller.abort(reason);
  }),
);

const endCmd = fc.constant(
  command("end", (m, r) => {
    m.end();
    r.sink.end();
  }),
);

const failCmd = fc.constant(
  command("fail", (m, r) => {
    const error = new Tagged(`fail#${m.nextId++}`);
    m.fail(error.tag);
    r.sink.fail(error);
  }),
);

function commandsFor(sendOnly: boolean): fc.Arbitrary<Iterable<Cmd>> {
  // fc.commands picks uniformly among its arbitraries: repeat the common ones so that lifecycle commands stay rare.
  const common = sendOnly ? [sendCmd, sendCmd, nextCmd, nextBatchCmd, readyCmd] : [pushCmd, sendCmd, nextCmd, nextBatchCmd, readyCmd];
  const rare = [stopCmd, abortCmd, endCmd, failCmd];
  return fc.commands([...common, ...common, ...common, ...rare], { maxCommands: 40 });
}

const configArb: fc.Arbitrary<Config> = fc
  .record({
    kind: fc.constantFrom("channel" as const, "subscribe" as const),
    hwm: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.constant(Infinity) }),
    overflow: fc.constantFrom<Overflow>("wait", "wait", "wait", "drop-oldest", "drop-newest", "error"),
    sendOnly: fc.boolean(),
    preAborted: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map((c) => (c.overflow === "drop-oldest" && c.hwm === 0 ? { ...c, hwm: 1 } : c))
  .map((c) => (c.kind === "subscribe" ? { ...c, preAborted: false } : c)); // no setup runs, so no sink to drive

const scenarioArb = configArb.chain((config) => fc.tuple(fc.constant(config), commandsFor(config.sendOnly)));

/** The checks that hold whatever the model says: FIFO without duplicates, call-order settling, bounded buffer. */
function checkInvariants(config: Config, m: RefBridge, r: Real): void {
  // Order: values are unique and increase in push order, so delivered values must be strictly increasing.
  for (let i = 1; i < r.delivered.length; i += 1) {
    expect(r.delivered[i], `delivered ${JSON.stringify(r.delivered)}`).toBeGreaterThan(r.delivered[i - 1] as number);
  }
  // Backpressure: with send() only, accepted-and-not-taken values never exceed highWaterMark while the bridge is open.
  // (Under a drop policy send() resolves true for a dropped value too, so true does not mean "held" there.)
  if (config.sendOnly && (config.overflow === "wait" || config.overflow === "error") && m.phase !== "closed") {
    const taken = new Set(r.delivered);
    const held = [...r.trueSends].filter((v) => !taken.has(v)).length;
    expect(held, "accepted and not yet taken").toBeLessThanOrEqual(config.hwm);
  }
}


property([scenarioArb], { numRuns, timeout: runTimeout })(
  "channel model: push/send/ready/next/nextBatch/stop/return/throw/dispose/abort/end/fail agree with the reference model",
  leakChecked(async ([config, cmds]) => {
    const m = new RefBridge(config.hwm, config.overflow, config.preAborted ? PRE_ABORT.tag : undefined);
    const r = open(config);
    try {
      await fc.asyncModelRun(() => ({ model: m, real: r }), cmds);
    } catch (error) {
      await r.it.stop().catch(() => undefined); // a failed run must not also report a leak: that would hide its error
      throw error;
    }

    // Finish: the consumer stops (a no-op when already finished); everything must then be settled.
    const id = m.nextId++;
    m.stop("undefined");
    m.outcomes.set(id, "undefined");
    record(id, "final stop()", r.it.stop(), String, r.records);
    await nextTurn();

    const actual = r.records.map((rec) => `${rec.op} #${rec.id} → ${rec.outcome}`);
    const expected = r.records.map((rec) => {
      const outcome = m.outcomes.get(rec.id) ?? "pending";
      return `${rec.op} #${rec.id} → ${outcome === "unspecified" ? rec.outcome : outcome}`;
    });
    expect(actual).toEqual(expected);
    // Call order: next() and nextBatch() calls settle in call order, with each other too.
    const nexts = r.records.filter((rec) => rec.op === "next()" || rec.op.startsWith("nextBatch("));
    expect(nexts.map((rec) => rec.id)).toEqual([...nexts].sort((a, b) => a.settledAt - b.settledAt).map((rec) => rec.id));
    // Stop: teardown exactly once; the producer's signal aborted with the stop reason as cause, unless it finished first.
    if (r.teardowns !== undefined) expect(r.teardowns.count).toBe(1);
    const signal = r.sink.signal;
    expect(signal.aborted ? describeError(signal.reason) : "not aborted").toBe(m.producerSignal ?? "not aborted");
    checkInvariants(config, m, r);
  }),
  propertyTestTimeout,
);
