import { Metadata, status as Status } from "@grpc/grpc-js";
import type { StatusObject } from "@grpc/grpc-js";
import { AbortError, InvalidArgumentError } from "../../core/index.js";
import type { BridgeIterator } from "../../core/index.js";
import { detachSignal } from "../../core/options.js";
import { assertAsyncIterable, openIterator } from "../../core/source.js";
import { statusFromError } from "../adapters/status-from-error.js";
import { trackCall, untrackCall } from "../in-process/call-leak-tracker.js";
import type { CallLeakTracker, LeakReport, TrackableCall } from "../in-process/call-leak-tracker.js";
import { serviceErrorFrom } from "../service-error.js";
import { EndedBy } from "./direct-call.js";
import type { DirectCall, DirectCaller } from "./direct-call.js";
import type { DirectContext } from "./direct-context.js";

/** Lifecycle of the caller's iterator. Ordered: it only moves forward. */
const State = {
  /** Created; the handler has not been called (streaming calls start on the first `next()`). */
  Idle: 0,
  /** The handler runs; responses are pulled from it. */
  Open: 1,
  /** Finished for the caller: stopped, aborted, or its outcome (done, or the error once) delivered. */
  Closed: 2,
} as const;
type State = (typeof State)[keyof typeof State];

/** What a step gives a reader: a result, or (while the requests are released) the promise of one. */
type Step = IteratorResult<unknown, undefined> | Promise<IteratorResult<unknown, undefined>>;

interface Reader {
  resolve(result: Step): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });
const RESOLVED: Promise<void> = Promise.resolve();
const ignore = (): void => {};

/** How a call's responses come from a handler written with `serverStreaming` or `bidi`. */
interface HandlerStart {
  /** Calls the user's function; returns its responses. May throw (that is the handler's error). */
  readonly run: (ctx: DirectContext) => AsyncIterable<unknown>;
  /** The handler's context for this call. */
  readonly ctx: DirectContext;
  /** Work to finish once the call is over, however it ends (bidi: the requests); awaited by `stop()` and the final result; never rejects. */
  readonly release?: () => Promise<void>;
  /** The request the codec refused (`'serialize'` limits): the call ends with this status before the handler runs. */
  readonly refused?: { readonly code: Status; readonly details: string } | undefined;
}

/**
 * The caller's side of a streaming call whose handler is an async generator written with the adapters: Go's
 * `iter.Pull` for gRPC. Each `next()` resumes the handler's generator, and the value it yields is the
 * response: no task, no queue, no call object in between. The handler runs only while the caller pulls (a
 * rendezvous), so backpressure is exact.
 *
 * A `next()` is the generator's own `next()` plus one step that checks the outcome (the last response, an
 * error to turn into a status). When something other than the caller can end the call while the handler is
 * busy (a deadline, a parent, the caller's `signal`), every `next()` gets a promise of its own, so that the
 * end settles it at once rather than when the handler's await does. Concurrent `next()` calls are served one
 * handler step at a time, in call order.
 *
 * Stopping (`return()`, `break`, `stop()`, `await using`) aborts `ctx.signal` with CANCELLED and returns the
 * generator, so its `finally` blocks run; `return()` resolves once they have. A handler busy in an await when
 * the stop comes (only possible with concurrent `next()` calls: `for await` never stops mid-step) stops when
 * that await settles, so pass `ctx.signal` on: then with a deadline or `signal` the pending `next()` calls
 * settle at once and the stop does not wait for the handler; without either, they and the stop wait for it,
 * as `pull`'s stop waits for its producer. @internal
 */
class HandlerResponses implements TrackableCall, DirectCaller {
  readonly #call: DirectCall;
  readonly #start: HandlerStart;
  /** The caller's `signal` option: aborting it stops the call and rejects every `next()` with an AbortError. */
  readonly #signal: AbortSignal | undefined;
  /** Every `next()` gets its own promise (see the class comment); fixed at creation. */
  readonly #controlled: boolean;
  #state: State = State.Idle;
  /** The handler's responses, once it runs; dropped when closed. */
  #iterator: AsyncIterator<unknown> | undefined;
  /** The handler's iterator finished (returned or threw): nothing to stop. */
  #iteratorDone = false;
  /** A step of the handler's iterator is running. */
  #busy = false;
  /**
   * The running step was started by a `next()` on the fast lane (no reader object): that caller is older than
   * every reader waiting, and the step's own result is what it gets, the call's outcome included.
   */
  #fastStep = false;
  /** Responses other than `null`/`undefined` reach the caller as they are (`'share'`): no codec call per value. */
  readonly #passes: boolean;
  /** The response headers went out (before the first response); the call is asked only once. */
  #headersSent = false;
  /** `next()` calls waiting for a step, in call order; the first is served by the step running, if any. */
  #readers: Reader[] = [];
  #readerHead = 0;
  /** The reader the running step will settle; cleared when something else settled it first. */
  #serving: Reader | undefined;
  /** The call's outcome, decided but not yet delivered: the error to reject with once, or done. */
  #outcome: { readonly error: unknown } | "done" | undefined;
  /** Set when the caller's signal aborted: every later `next()` rejects with it. */
  #abortError: AbortError | undefined;
  /** The handler's exit and the release (the requests), once the call is over: what `stop()` and the final result wait for. */
  #releasing: Promise<void> | undefined;
  /** `#releasing` has settled. */
  #released = false;
  /** This call's entry in the leak registry, from creation until closed. */
  #tracker: CallLeakTracker | undefined;

  constructor(call: DirectCall, start: HandlerStart, signal: AbortSignal | undefined) {
    this.#call = call;
    this.#start = start;
    this.#signal = signal;
    this.#controlled = signal !== undefined || call.mayEndAnyTime;
    this.#passes = call.route.codec.passes;
  }

  /** Registers the caller's handle with the leak registry (weakly) and listens to its signal. */
  open(handle: object, createdBy: (...args: never[]) => unknown): void {
    const signal = this.#signal;
    if (signal?.aborted === true) {
      this.#abort(signal);
      return;
    }
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#tracker = trackCall(this.#call.route.path, this, handle, createdBy, "grpc-responses");
  }

  readonly #onAbort = (): void => this.#abort(this.#signal as AbortSignal);

  // ── Consumer side. ─────────────────────────────────────────────────────────────────────────

  next(): Promise<IteratorResult<unknown, undefined>> {
    if (this.#state === State.Idle) this.#begin();
    if (this.#state === State.Closed || this.#outcome !== undefined) return this.#final();
    if (!this.#controlled && !this.#busy && this.#readerHead === this.#readers.length) {
      this.#busy = true;
      this.#fastStep = true;
      return (this.#iterator as AsyncIterator<unknown>).next().then(this.#onFastStep, this.#onFastThrow);
    }
    return new Promise((resolve, reject) => {
      this.#readers.push({ resolve, reject });
      this.#pump();
    });
  }

  /** Stops the call (idempotent); resolves once the handler's `finally` blocks ran (see the class comment). */
  stop(): Promise<void> {
    if (this.#state === State.Closed) return this.#releasing ?? RESOLVED;
    this.#close();
    this.#outcome = undefined;
    this.#settleReaders(undefined);
    this.#call.cancelByCaller();
    return this.#release();
  }

  // ── The handler. ───────────────────────────────────────────────────────────────────────────

  /** Runs the handler (first `next()`). Ends the call at once when it cannot start. */
  #begin(): void {
    this.#state = State.Open;
    const call = this.#call;
    if (!call.start(this)) return;
    const refused = this.#start.refused;
    if (refused !== undefined) {
      this.#iteratorDone = true;
      call.end({ code: refused.code, details: refused.details, metadata: new Metadata() }, EndedBy.Call);
      return;
    }
    let responses: AsyncIterable<unknown>;
    try {
      responses = this.#start.run(this.#start.ctx);
      // As the adapters' drive() says it on grpc-js's path: anything but an async iterable is the handler's error.
      assertAsyncIterable(responses, "source");
      this.#iterator = openIterator(responses, "source");
    } catch (error) {
      this.#iteratorDone = true;
      call.finish(statusFromError(error, this.#start.ctx.trailersToSend()));
    }
  }

  /** Starts the next step for the oldest waiting reader, if no step is running. */
  #pump(): void {
    if (this.#busy || this.#readerHead === this.#readers.length || this.#state !== State.Open || this.#outcome !== undefined) return;
    const reader = this.#readers[this.#readerHead++] as Reader;
    if (this.#readerHead === this.#readers.length) {
      this.#readers = [];
      this.#readerHead = 0;
    }
    this.#busy = true;
    this.#serving = reader;
    (this.#iterator as AsyncIterator<unknown>).next().then(
      (result) => this.#serve(() => this.#onStep(result)),
      (error: unknown) => this.#serve(() => this.#onThrow(error)),
    );
  }

  /**
   * Settles the reader the step was serving with what `step` gives. The step may have settled that reader
   * itself (the call ended: `#settleReaders`), or started the next step for the next reader; a reader settled
   * elsewhere (stop, abort, deadline) just ignores the late result.
   */
  #serve(step: () => Step): void {
    const reader = this.#serving;
    let result: Step | undefined;
    let failure: { readonly error: unknown } | undefined;
    try {
      result = step();
    } catch (error) {
      failure = { error };
    }
    if (this.#serving === reader) this.#serving = undefined;
    if (reader === undefined) return;
    if (failure === undefined) reader.resolve(result as Step);
    else reader.reject(failure.error);
  }

  /** A step of the handler's iterator gave `result`: the response, or the call's end. */
  readonly #onStep = (result: IteratorResult<unknown>): Step => {
    this.#busy = false;
    const call = this.#call;
    if (this.#over()) {
      if (result.done === true) this.#iteratorDone = true;
      return this.#finalNow(true);
    }
    if (result.done === true) {
      this.#iteratorDone = true;
      call.finish({ code: Status.OK, details: "OK", metadata: this.#start.ctx.trailersToSend() });
      return this.#finalNow(true);
    }
    let response: IteratorResult<unknown, undefined> = result as IteratorResult<unknown, undefined>;
    const value = result.value;
    if (!this.#headersSent || !this.#passes || value == null) {
      this.#headersSent = true;
      call.beforeFirstResponse();
      if (!this.#passes || value == null) {
        const codec = call.route.codec;
        const transfer = codec.response(value);
        if (transfer.ok) response = { value: transfer.message, done: false };
        else call.finish(transfer.status);
      }
      // The end may have come meanwhile (a refused message, a throwing onHeader).
      if (this.#over()) return this.#finalNow(true);
    }
    if (this.#readerHead !== this.#readers.length) this.#pump();
    return response;
  };

  // The fast lane's step ends here. (When the step throws, the outcome was delivered by `#finalNow`, whose
  // `#close()` ends the fast step too: no try/finally on the per-value path.)
  readonly #onFastStep = (result: IteratorResult<unknown>): Step => {
    const step = this.#onStep(result);
    this.#fastStep = false;
    return step;
  };

  readonly #onFastThrow = (error: unknown): Step => {
    const step = this.#onThrow(error);
    this.#fastStep = false;
    return step;
  };

  /** The handler's iterator threw: its status is the call's (a GrpcError's, else UNKNOWN). */
  readonly #onThrow = (error: unknown): Step => {
    this.#busy = false;
    this.#iteratorDone = true;
    // After a stop or an end the handler's error has nobody to go to (a server's status after a cancel is never sent).
    if (this.#state !== State.Closed && this.#outcome === undefined) this.#call.finish(statusFromError(error, this.#start.ctx.trailersToSend()));
    return this.#finalNow(true);
  };

  /** The caller is done with the call, or its outcome is decided. */
  #over(): boolean {
    return this.#state === State.Closed || this.#outcome !== undefined;
  }

  // ── The call's end (DirectCaller). ─────────────────────────────────────────────────────────

  ended(status: StatusObject): void {
    if (this.#state === State.Closed) return;
    this.#decide(status.code === Status.OK ? "done" : { error: serviceErrorFrom(status) });
  }

  failed(error: unknown): void {
    if (this.#state === State.Closed) return;
    this.#decide({ error });
  }

  /**
   * The outcome is decided: stop the handler if it still runs (a deadline, a parent; its signal has aborted
   * already), release the requests, and deliver the outcome to the waiting reader once that is done, as a
   * bridge delivers its end after its teardown.
   */
  #decide(outcome: { readonly error: unknown } | "done"): void {
    this.#outcome = outcome;
    const releasing = this.#release();
    if (releasing === RESOLVED) {
      this.#settleReaders(outcome);
      return;
    }
    void releasing.then(() => {
      if (this.#outcome !== undefined && this.#state !== State.Closed) this.#settleReaders(this.#outcome);
    });
  }

  // ── Delivery and closing. ──────────────────────────────────────────────────────────────────

  /**
   * Settles every waiting reader: the first with `outcome` (the error, or done), the rest with done. While a
   * fast-lane step runs, its caller is the first: the step's result delivers the outcome, every reader gets done.
   */
  #settleReaders(outcome: { readonly error: unknown } | "done" | undefined): void {
    const readers = this.#readers;
    const first = this.#serving ?? (this.#fastStep ? undefined : readers[this.#readerHead]);
    if (this.#serving === undefined && first !== undefined) this.#readerHead += 1;
    this.#serving = undefined;
    const rest = readers.slice(this.#readerHead);
    this.#readers = [];
    this.#readerHead = 0;
    if (first !== undefined) {
      if (typeof outcome === "object") {
        this.#outcome = "done";
        this.#close();
        first.reject(outcome.error);
      } else {
        if (outcome === "done") this.#close();
        first.resolve(DONE);
      }
    }
    for (const reader of rest) reader.resolve(DONE);
  }

  /** A `next()` once the outcome is decided or the iterator closed: the abort error, the error once, or done. */
  #final(): Promise<IteratorResult<unknown, undefined>> {
    try {
      return Promise.resolve(this.#finalNow(false));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The same, from inside a step (`oldest`: its caller is older than every reader waiting) or a later `next()`.
   * The outcome goes to the oldest caller, done to the others. So the result waits in line while the release runs
   * (the requests' `finally` runs before the end is seen; `#decide` then settles the line in order), and a later
   * `next()` waits behind a fast-lane step still running (which takes the outcome, and settles the line).
   */
  #finalNow(oldest: boolean): IteratorResult<never, undefined> | Promise<IteratorResult<unknown, undefined>> {
    if (this.#abortError !== undefined) throw this.#abortError;
    if (this.#outcome !== undefined && ((this.#releasing !== undefined && !this.#released) || (!oldest && this.#fastStep))) {
      return new Promise<IteratorResult<unknown, undefined>>((resolve, reject) => {
        const reader: Reader = { resolve, reject };
        if (oldest) this.#readers.splice(this.#readerHead, 0, reader);
        else this.#readers.push(reader);
      });
    }
    const outcome = this.#outcome;
    if (outcome !== undefined) {
      this.#outcome = "done";
      this.#close();
      // Whoever waits in line (not the reader this step serves) came later.
      const waiting = this.#readers.slice(this.#readerHead);
      this.#readers = [];
      this.#readerHead = 0;
      for (const reader of waiting) reader.resolve(DONE);
      if (typeof outcome === "object") throw outcome.error;
    }
    return DONE;
  }

  /** The caller's signal aborted: reject every `next()`, now and later, and stop the call. */
  #abort(signal: AbortSignal): void {
    if (this.#state === State.Closed) return;
    const error = new AbortError("The call was aborted", { cause: signal.reason });
    this.#abortError = error;
    const started = this.#state === State.Open;
    this.#close();
    this.#outcome = undefined;
    const readers = this.#serving === undefined ? this.#readers.slice(this.#readerHead) : [this.#serving, ...this.#readers.slice(this.#readerHead)];
    this.#serving = undefined;
    this.#readers = [];
    this.#readerHead = 0;
    for (const reader of readers) reader.reject(error);
    if (started) this.#call.cancelByCaller();
    void this.#release();
  }

  /** Finished for the caller: leaves the registry and the signal. Idempotent. */
  #close(): void {
    this.#fastStep = false;
    if (this.#state === State.Closed) return;
    this.#state = State.Closed;
    untrackCall(this.#tracker);
    this.#tracker = undefined;
    detachSignal(this.#signal, this.#onAbort);
  }

  /**
   * Returns the handler's iterator (so its `finally` blocks run) and releases the rest (the requests). Resolves
   * when both are done, except that a handler busy in an await is not waited for. Never rejects.
   */
  #release(): Promise<void> {
    if (this.#releasing !== undefined) return this.#releasing;
    const iterator = this.#iterator;
    this.#iterator = undefined;
    let exit: Promise<unknown> | undefined;
    if (iterator !== undefined && !this.#iteratorDone) {
      this.#iteratorDone = true;
      try {
        exit = Promise.resolve(iterator.return?.()).then(ignore, ignore);
      } catch {
        exit = undefined;
      }
      // Cancellable readers were settled already; a handler busy in an await is not waited for then. Without
      // anything that could cancel them, the reader waits for that step, and so does the stop (as `pull`'s does).
      if (this.#busy && this.#controlled) exit = undefined;
    }
    const release = this.#start.release?.();
    const all = exit === undefined ? release : release === undefined ? exit : Promise.all([exit, release]);
    if (all === undefined) {
      this.#released = true;
      this.#releasing = RESOLVED;
      return RESOLVED;
    }
    const releasing = all.then(() => {
      this.#released = true;
    });
    this.#releasing = releasing;
    return releasing;
  }

  // ── Leak registry. ─────────────────────────────────────────────────────────────────────────

  leakReport(): LeakReport {
    const waiting = this.#readers.length - this.#readerHead + (this.#serving === undefined ? 0 : 1);
    const state =
      this.#state === State.Idle
        ? "never started: created but no next() was ever called"
        : waiting > 0
          ? `consumer waiting in next() (${waiting} pending) for the handler's next response`
          : this.#outcome !== undefined
            ? "the call ended but its outcome was not read"
            : "idle: nobody is reading it; the handler is paused at a yield";
    return {
      snapshot: { phase: this.#state === State.Idle ? "not started" : this.#outcome === undefined ? "open" : "ending", buffered: 0, pendingNext: waiting, pendingSend: 0 },
      state: `${state} (direct path)`,
      advice: "Read the responses to the end (`for await`), or stop them (`break`, `return()`, `await using`): stopping cancels the call and runs the handler's `finally`.",
    };
  }

  cancelForLeakCheck(): void {
    void this.stop();
  }
}

/** The iterator the caller holds. It holds the call; nothing holds it, so the leak registry can see it collected. */
class DirectResponses implements BridgeIterator<unknown> {
  readonly #core: HandlerResponses;

  constructor(core: HandlerResponses) {
    this.#core = core;
  }

  next(): Promise<IteratorResult<unknown, undefined>> {
    return this.#core.next();
  }

  /** There is never more than one response ready (the handler runs as the caller pulls): a batch of one. */
  nextBatch(max = Infinity): Promise<IteratorResult<unknown[], undefined>> {
    if (!(typeof max === "number" && max >= 1)) throw new InvalidArgumentError("max", "a number >= 1", max);
    return this.#core.next().then((result) => (result.done === true ? result : { value: [result.value], done: false }));
  }

  return(): Promise<IteratorResult<unknown, undefined>> {
    return this.#core.stop().then(() => DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<unknown, undefined>> {
    return this.#core.stop().then(() => Promise.reject(error as Error));
  }

  stop(): Promise<void> {
    return this.#core.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.#core.stop();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export { DirectResponses, HandlerResponses };
export type { HandlerStart };
