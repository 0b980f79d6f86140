/**
 * The push→pull state machine behind every bridge (`channel`, `pull`, `subscribe` and the combinators).
 *
 * One FIFO buffer holds every value pushed and not yet taken, including the values of producers still
 * waiting in `send()`: a sender waits until its value is within `highWaterMark` of the head (or, at
 * `highWaterMark: 0`, has been taken). Counting values by sequence number (`#taken` is the sequence
 * number of the buffer's head) makes that check O(1) and keeps push order across `push` and `send`.
 *
 * This object is shared by the producer side and the consumer handle, but never references the
 * handle, so the handle can be garbage-collected (and reported) while the producer is still attached.
 * @internal
 */
import { RingBuffer } from "./ring-buffer.js";
import { isThenable } from "./source.js";
import { AbortError, ErrorCode, InvalidArgumentError, SluiceError, isAbortError } from "./errors.js";
import { type Overflow, type ResolvedOptions, detachSignal } from "./options.js";
import { type BridgeSnapshot, RegistryEntry, type Tracked, untrackBridge } from "./registry.js";

/**
 * Lifecycle. Ordered: a bridge only ever moves to a later phase.
 * - `Idle`: created; a lazy producer has not been started.
 * - `Open`: the producer may push.
 * - `Ending`: the producer has finished (end, fail, exit) or was cut off (overflow); buffered values and
 *   then the error, if any, are still to be delivered. Teardown has run (or is running).
 * - `Closed`: the consumer side is finished. Nothing is buffered, nobody waits.
 */
export const Phase = { Idle: 0, Open: 1, Ending: 2, Closed: 3 } as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/**
 * Detaches a producer. Runs exactly once, however the stream ends; may be async.
 *
 * `stop()` and `return()` resolve only once it has finished. A throw or rejection reaches their
 * caller, or the final `next()` when it ran because the producer ended.
 *
 * A returned promise (any thenable) is awaited; any other return value is ignored. That is why the type
 * is `() => unknown`: `() => emitter.off("data", sink.push)` returns the emitter, and is a valid teardown.
 * @example
 * ```ts
 * const changes = subscribe<Row>((sink) => {
 *   const feed = db.watch(sink.push);
 *   const teardown: Teardown = () => feed.close(); // async: stop() waits for it
 *   return teardown;
 * });
 * ```
 */
export type Teardown = () => unknown;

interface Reader<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

interface Sender {
  readonly seq: number; // sequence number of the sender's value
  readonly resolve: (accepted: boolean) => void;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });
const RESOLVED: Promise<void> = Promise.resolve();
// Settled promises shared by every call that answers at once: a settled promise never changes, and awaiting one
// takes a tick whether it is fresh or shared, so sharing saves an allocation per call and changes no ordering.
const TRUE: Promise<boolean> = Promise.resolve(true);
const FALSE: Promise<boolean> = Promise.resolve(false);
const DONE_PROMISE: Promise<IteratorResult<never, undefined>> = Promise.resolve(DONE);
const noop = (): void => {};

/** Marks a promise's rejection as handled (it is surfaced elsewhere) and returns it. */
function handled<P extends Promise<unknown>>(promise: P): P {
  promise.catch(noop); // the rejection reaches callers of stop()/return() through their own derived promises
  return promise;
}

export class BridgeCore<T> extends RegistryEntry implements Tracked {
  readonly name: string;
  readonly kind: string;

  #phase: Phase = Phase.Idle;
  readonly #highWaterMark: number;
  readonly #overflow: Overflow;
  readonly #resumeAt: number; // a waiting sender resumes once its value is this close to the head: ceil(highWaterMark / 2)
  readonly #readyAt: number; // a waiting ready() resolves once at most this many values are buffered: floor(highWaterMark / 2)
  #buffer = new RingBuffer<T>(); // values pushed and not taken, in push order; includes the values of waiting senders
  #taken = 0; // how many values have left the buffer: the sequence number of its head
  readonly #readers = new RingBuffer<Reader<T>>(); // consumers waiting in next(); only ever non-empty while the buffer is empty
  // Producers waiting in send() for their value to come within highWaterMark, oldest first. The oldest is held in two
  // fields, the others in a queue: a rendezvous never has more than one waiting, and then needs no object per send.
  #sender: ((accepted: boolean) => void) | undefined; // the oldest waiting sender; undefined when none waits
  #senderSeq = 0; // the sequence number of #sender's value
  #moreSenders: RingBuffer<Sender> | undefined; // the senders waiting after #sender; created on first use
  #readyWaiters: Array<(ready: boolean) => void> | undefined; // producers waiting in ready(), all released together; undefined while none waits
  #failure: { readonly error: unknown } | undefined; // the stream's error, delivered after the buffered values
  #abortError: AbortError | undefined; // set when the external signal aborted: every next() rejects with it
  #producerEnded = false; // the producer called end()/fail() or its function exited: pushing now is a bug
  #controller: AbortController | undefined; // the producer's signal; created on first use
  #stopReason: AbortError | undefined; // why the producer was stopped, once it was
  #start: (() => void) | undefined; // starts the producer; cleared when called
  #teardown: Teardown | undefined; // detaches the producer; cleared once run
  #settingUp = false; // inside the producer's synchronous setup: an end there closes the bridge only once the teardown is known
  #watchingExit = false; // a callback on #exited will re-examine the readers waiting for the outcome
  #exited: Promise<void> | undefined; // settles once teardown / the producer function has finished; rejects with an error to surface
  #signal: AbortSignal | undefined; // the consumer's `signal` option, listened to while open
  #onAbort: (() => void) | undefined; // the listener on #signal; removed on close

  constructor(options: ResolvedOptions, kind: string) {
    super();
    this.name = options.name;
    this.kind = kind;
    this.#highWaterMark = options.highWaterMark;
    this.#overflow = options.overflow;
    this.#resumeAt = Math.ceil(options.highWaterMark / 2);
    this.#readyAt = Math.floor(options.highWaterMark / 2);
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#abortError = abortErrorFrom(signal);
        this.#phase = Phase.Closed;
        this.#stop(this.#abortError);
        return;
      }
      this.#signal = signal;
      this.#onAbort = () => this.abort(abortErrorFrom(signal));
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal dispatches "abort" once, and #close removes the listener anyway.
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  // ---------------------------------------------------------------- wiring (used by the fronts)

  /** Sets what the first `next()` starts (lazy producers). Without one, the bridge opens at once. */
  setStart(start: (() => void) | undefined): void {
    if (this.#phase !== Phase.Idle) return;
    if (start === undefined) this.#phase = Phase.Open;
    else this.#start = start;
  }

  /** Starts the producer now (`lazy: false`) if it has not started. */
  begin(): void {
    if (this.#phase !== Phase.Idle) return;
    this.#phase = Phase.Open;
    const start = this.#start;
    this.#start = undefined;
    // Stryker disable next-line OptionalChaining: every front calls setStart() right after construction, so an Idle bridge always has a start.
    start?.();
  }

  /** Runs a synchronous setup; sink calls made inside it are honoured, and a teardown returned late still runs. */
  runSetup(setup: () => unknown): void {
    this.#settingUp = true;
    let result: unknown;
    try {
      result = setup();
    } catch (error) {
      this.fail(error); // ignored if the setup ended the stream before throwing
      this.#closeIfEndedInSetup();
      return;
    } finally {
      this.#settingUp = false;
    }
    let async: boolean;
    try {
      async = isThenable(result);
    } catch (error) {
      this.fail(error); // a result whose `then` cannot even be read (a proxy that throws): the setup failed
      return;
    }
    if (!async) {
      void this.#adoptTeardown(result);
      this.#closeIfEndedInSetup();
      return;
    }
    this.#closeIfEndedInSetup();
    // An async setup: stop() must wait for it, then for the teardown it resolves to.
    void this.#awaitExit(
      Promise.resolve(result).then(
        (teardown) => this.#adoptTeardown(teardown),
        (error: unknown) => this.#producerFailed(error),
      ),
    );
  }

  /**
   * A setup that ended the stream and whose values were all taken already (by the next() that started it)
   * closes once its teardown is known: closing inside the setup would leave a teardown error nobody to reach.
   */
  #closeIfEndedInSetup(): void {
    if (this.#phase === Phase.Ending && this.#buffer.length === 0 && this.#readers.length === 0) this.#closeIfExhausted();
  }

  /** Follows a producer function's result: its return ends the stream, its rejection fails it. */
  followProducer(result: unknown): void {
    let async: boolean;
    try {
      async = isThenable(result);
    } catch (error) {
      this.#producerFailed(error); // a result whose `then` cannot even be read (a proxy that throws)
      return;
    }
    if (!async) {
      this.end();
      return;
    }
    void this.#awaitExit(
      Promise.resolve(result).then(
        () => this.end(),
        (error: unknown) => this.#producerFailed(error),
      ),
    );
  }

  /** A producer function or async setup rejected. Before the consumer stopped, that fails the stream. */
  #producerFailed(error: unknown): void {
    if (this.#phase !== Phase.Closed) return this.fail(error);
    // After a stop, throwing the abort reason is the usual way out; anything else is a real error for stop()'s caller.
    if (error !== this.#stopReason && !isAbortError(error)) throw error;
  }

  /**
   * Makes `work` part of what stop() and the final next() wait for. A new exit always settles after the
   * one it replaces, so callers chained on the older one settle first (call order; stop after
   * every earlier next()). Once it fulfils it is forgotten; a rejection is kept, to reach the caller of
   * stop()/return() or the final next().
   */
  #awaitExit(work: Promise<unknown>): Promise<void> {
    const previous = this.#exited;
    const all = previous === undefined ? work : Promise.all([previous, work]);
    const exit: Promise<void> = handled(
      all.then(() => {
        if (this.#exited === exit) this.#exited = undefined;
      }),
    );
    this.#exited = exit;
    return exit;
  }

  /** Stores the teardown a setup returned; runs it at once if the stream already ended. Returns its promise, if async. */
  #adoptTeardown(teardown: unknown): Promise<unknown> | undefined {
    if (teardown === undefined || teardown === null) return undefined;
    if (typeof teardown !== "function") {
      this.fail(new InvalidArgumentError("setup()'s result", "a teardown function, a promise of one, or nothing", teardown));
      return undefined;
    }
    this.#teardown = teardown as Teardown;
    if (this.#phase >= Phase.Ending) return this.#runTeardown();
    return undefined;
  }

  // ---------------------------------------------------------------- producer side

  /** The producer's signal: aborted when the consumer stops, with an {@link AbortError} as reason. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stopReason !== undefined) this.#controller.abort(this.#stopReason);
    }
    return this.#controller.signal;
  }

  push(value: T): boolean {
    if (this.#phase >= Phase.Ending) return this.#refuse();
    if (this.#readers.length !== 0) {
      this.#handOff(value);
      return this.#readers.length !== 0 || this.#highWaterMark > 0 || this.#overflow !== "wait";
    }
    const buffer = this.#buffer;
    if (buffer.length >= this.#highWaterMark) return this.#overflowed(value);
    buffer.push(value);
    // Under "wait", false asks the producer to slow down; under a drop policy, true means "accepted".
    return buffer.length < this.#highWaterMark || this.#overflow !== "wait";
  }

  send(value: T): Promise<boolean> {
    if (this.#phase >= Phase.Ending) {
      try {
        this.#refuse();
        return FALSE;
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.#readers.length !== 0) {
      this.#handOff(value);
      return TRUE;
    }
    if (this.#overflow !== "wait") {
      // Under a drop policy a dropped value is the policy working, not a stopped consumer: false would end
      // the usual `if (!(await send(v))) return` producer loop. Only a bridge that cut the producer off says false.
      this.push(value);
      return this.#phase < Phase.Ending ? TRUE : FALSE;
    }
    const buffer = this.#buffer;
    const seq = this.#taken + buffer.length;
    buffer.push(value);
    if (seq < this.#taken + this.#highWaterMark) return TRUE;
    if (this.#sender === undefined) {
      this.#senderSeq = seq;
      return new Promise((resolve) => (this.#sender = resolve));
    }
    return new Promise((resolve) => (this.#moreSenders ??= new RingBuffer<Sender>()).push({ seq, resolve }));
  }

  ready(): Promise<boolean> {
    if (this.#phase >= Phase.Ending) return FALSE;
    if (this.#hasRoom()) return TRUE;
    return new Promise((resolve) => (this.#readyWaiters ??= []).push(resolve));
  }

  /** Ends the stream after the buffered values. Idempotent; also called when a producer function returns. */
  end(): void {
    this.#producerEnds(undefined);
  }

  /** Fails the stream after the buffered values. Ignored once the producer has ended. */
  fail(error: unknown): void {
    this.#producerEnds({ error });
  }

  /** The producer's own end or failure: pushing after it is a bug. Only the first counts (finishProducer ignores the rest). */
  #producerEnds(failure: { readonly error: unknown } | undefined): void {
    this.#producerEnded = true;
    this.#finishProducer(failure); // ignored once the stream is ending or closed: after an earlier end, fail, overflow or stop
  }

  /**
   * Gives `value` to the oldest next() waiting (readers only wait while the buffer is empty). The value never
   * enters the buffer, so `#taken` (which counts values leaving it) is not touched.
   */
  #handOff(value: T): void {
    this.#readers.shift().resolve({ value, done: false });
  }

  #refuse(): false {
    if (this.#producerEnded) {
      throw new SluiceError(
        ErrorCode.PushAfterEnd,
        `Cannot push to ${this.kind} "${this.name}": its producer already called end() or fail(). ` +
          "Push every value before ending the stream.",
      );
    }
    return false; // the consumer stopped: dropping the value is the normal outcome
  }

  #hasRoom(): boolean {
    return this.#buffer.length < this.#highWaterMark || this.#readers.length !== 0;
  }

  #overflowed(value: T): boolean {
    switch (this.#overflow) {
      case "wait":
        this.#buffer.push(value);
        return false;
      case "drop-newest":
        return false;
      case "drop-oldest":
        this.#buffer.shift();
        // Stryker disable next-line AssignmentOperator: #taken is read only by send()'s waiting senders, which only overflow "wait" has.
        this.#taken += 1;
        this.#buffer.push(value);
        return true;
      case "error": {
        const error = new SluiceError(
          ErrorCode.Overflow,
          `${this.kind} "${this.name}" overflowed: more than ${this.#highWaterMark} values buffered. ` +
            'Expected the consumer to keep up; raise highWaterMark, or use overflow "wait" or a drop policy.',
        );
        this.#finishProducer({ error });
        this.#stop(new AbortError(`${this.kind} "${this.name}" overflowed`, { cause: error }));
        return false;
      }
    }
  }

  /** The producer side is finished: deliver what is buffered, then the outcome. Advances to Ending. */
  #finishProducer(failure: { readonly error: unknown } | undefined): void {
    if (this.#phase >= Phase.Ending) return;
    this.#phase = Phase.Ending;
    this.#failure = failure;
    this.#releaseReady(false);
    void this.#runTeardown(); // none yet inside a setup: runSetup runs it once the setup returns it
    if (this.#buffer.length !== 0) return;
    if (this.#readers.length !== 0) this.#settleReaders();
    else if (!this.#settingUp) this.#closeIfExhausted(); // inside a setup: once its teardown is known (runSetup)
  }

  // ---------------------------------------------------------------- consumer side

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#buffer.length !== 0) return Promise.resolve(this.#take());
    if (this.#phase === Phase.Idle) return this.#startReading();
    if (this.#phase === Phase.Open) return new Promise((resolve, reject) => this.#wait({ resolve, reject }));
    return this.#finalRead();
  }

  /**
   * The first `next()` of a lazy bridge: queues its reader, then starts the producer. Queued first, so that
   * a `next()` made from inside the start (by a setup or a producer function) comes after it, in call
   * order: the first value goes to the call that started the producer.
   */
  #startReading(): Promise<IteratorResult<T, undefined>> {
    return new Promise((resolve, reject) => {
      this.#readers.push({ resolve, reject });
      this.begin();
    });
  }

  /** Queues a consumer on the empty buffer of an open bridge; a producer waiting in ready() may now go on. */
  #wait(reader: Reader<T>): void {
    this.#readers.push(reader);
    // Stryker disable next-line ConditionalExpression: #releaseReady() returns at once when nobody waits; the check only saves a call per wait.
    if (this.#readyWaiters !== undefined) this.#releaseReady(true);
  }

  /**
   * Everything buffered now (at most `max` values) in one result; if nothing is buffered, waits for the
   * next value and returns it alone. A slow consumer pays one promise per batch, not per value.
   */
  nextBatch(max: number): Promise<IteratorResult<T[], undefined>> {
    const buffer = this.#buffer;
    if (this.#phase === Phase.Idle) this.begin(); // nothing is buffered before the producer starts
    if (buffer.length === 0) {
      // Resolved by the producer's hand-off itself, as next() is: mapping a next() instead would take one
      // step more, and a later call served from the buffer would settle first (call order).
      if (this.#phase === Phase.Open) {
        return new Promise((resolve, reject) => {
          this.#wait({ resolve: (result) => resolve(result.done === true ? result : { value: [result.value], done: false }), reject });
        });
      }
      return this.#finalRead() as Promise<IteratorReturnResult<undefined>>; // nothing buffered: done, or the error
    }
    // Whole values only: a fractional max must not reach the queue's indices (the handle's check lets 1.5 through).
    const count = Math.min(Math.floor(max), buffer.length);
    const values = buffer.take(count);
    this.#taken += count;
    this.#afterTake();
    return Promise.resolve({ value: values, done: false });
  }

  /** Stops the bridge (idempotent) and resolves once teardown / the producer has finished. */
  stop(reason?: unknown): Promise<void> {
    if (this.#phase !== Phase.Closed) {
      this.#close();
      this.#stop(new AbortError(`${this.kind} "${this.name}" was stopped by its consumer`, { cause: reason }));
    }
    return this.#exited ?? RESOLVED;
  }

  /** The consumer's signal aborted: reject every next(), now and later, and stop the producer. */
  abort(error: AbortError): void {
    if (this.#phase === Phase.Closed) return;
    this.#abortError = error;
    this.#close();
    this.#stop(error);
  }

  /** The consumer handle was garbage-collected while open (the registry already reported it). */
  collected(): void {
    void this.stop(new SluiceError(ErrorCode.Leak, `${this.kind} "${this.name}" was garbage-collected while open`));
  }

  /** True once the consumer side is finished. */
  get closed(): boolean {
    return this.#phase === Phase.Closed;
  }

  /** Values pushed or sent and not yet taken (those of producers waiting in `send()` included). */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Consumers waiting in `next()`/`nextBatch()`: the next push goes straight to the first. */
  get readersWaiting(): number {
    return this.#readers.length;
  }

  snapshot(): BridgeSnapshot {
    const sending = this.#sender === undefined ? 0 : 1 + (this.#moreSenders?.length ?? 0);
    const pendingSend = sending + (this.#readyWaiters?.length ?? 0);
    return {
      phase: this.#phase === Phase.Idle ? "not started" : this.#phase === Phase.Open ? "open" : "ending",
      buffered: this.#buffer.length - sending,
      pendingNext: this.#readers.length,
      pendingSend,
    };
  }

  #take(): IteratorResult<T, undefined> {
    const value = this.#buffer.shift();
    this.#taken += 1;
    this.#afterTake();
    return { value, done: false };
  }

  /** Values left the buffer: release producers now within reach, and close once the ended stream is drained. */
  #afterTake(): void {
    // Stryker disable next-line ConditionalExpression: #releaseWaiting() does nothing when neither waits; the check only saves a call per take.
    if (this.#sender !== undefined || this.#readyWaiters !== undefined) this.#releaseWaiting();
    if (this.#buffer.length === 0 && this.#phase === Phase.Ending) this.#closeIfExhausted();
  }

  /** Exhausted: the producer ended without an error, nothing is buffered and no teardown is still running. */
  #closeIfExhausted(): void {
    if (this.#failure === undefined && this.#exited === undefined) this.#close();
  }

  /** A next() that finds the buffer empty after the producer finished (Ending), or after close. */
  #finalRead(): Promise<IteratorResult<T, undefined>> {
    if (this.#phase === Phase.Closed) {
      return this.#abortError === undefined ? DONE_PROMISE : Promise.reject(this.#abortError);
    }
    return new Promise((resolve, reject) => {
      this.#readers.push({ resolve, reject });
      this.#settleReaders();
    });
  }

  /**
   * Settles the readers waiting on an empty buffer after the producer finished: the first gets the
   * outcome (the error, or done), the rest done. While a teardown or producer exit is still running,
   * they stay queued (so stop() and abort still settle them at once) and the outcome waits for it: a
   * teardown's error is the stream's error. Advances to Closed once settled. Called only while a reader
   * waits: at Ending only settling or closing takes readers off the queue.
   */
  #settleReaders(): void {
    const failure = this.#failure;
    if (failure === undefined && this.#exited !== undefined) {
      this.#watchExit();
      return;
    }
    const first = this.#readers.shift();
    // First the outcome, then close (which settles the others with done): promises settle in resolve order.
    if (failure === undefined) first.resolve(DONE);
    else first.reject(failure.error);
    this.#close();
  }

  /** Re-examines the waiting readers once the current exit settles (one watcher at a time). */
  #watchExit(): void {
    const exited = this.#exited;
    // Stryker disable next-line LogicalOperator: exited is never undefined here (for the types); a second watcher would find the readers settled or re-watch.
    if (exited === undefined || this.#watchingExit) return;
    // Stryker disable next-line BooleanLiteral: one watcher at a time saves callbacks; more would each find the readers settled (Closed) or re-watch.
    this.#watchingExit = true;
    const settled = (error?: { readonly error: unknown }): void => {
      this.#watchingExit = false;
      if (this.#phase === Phase.Closed) return; // stop() or an abort settled them
      if (error !== undefined) {
        this.#failure = error; // delivered through next(), so not again through stop()
        const current = this.#exited;
        if (current === exited) this.#exited = undefined;
        // A newer exit includes this one (an async setup's teardown joins it): it keeps other errors, not this one.
        else if (current !== undefined) {
          this.#exited = handled(
            current.then<void, void>(undefined, (later: unknown) => {
              if (later !== error.error) throw later;
            }),
          );
        }
      }
      this.#settleReaders();
    };
    exited.then(
      () => settled(),
      (error: unknown) => settled({ error }),
    );
  }

  /** A value left the buffer: release senders now within highWaterMark, and ready() waiters if there is room. */
  #releaseWaiting(): void {
    // Hysteresis, like a Writable's 'drain': a producer that had to wait resumes once the buffer is down to
    // half of highWaterMark, and then refills it in one go, instead of being woken for every value taken.
    const limit = this.#taken + this.#resumeAt;
    for (let sender = this.#sender; sender !== undefined && this.#senderSeq < limit; sender = this.#sender) {
      const next = this.#moreSenders !== undefined && this.#moreSenders.length !== 0 ? this.#moreSenders.shift() : undefined;
      this.#sender = next?.resolve;
      this.#senderSeq = next?.seq ?? 0;
      sender(true);
    }
    const buffered = this.#buffer.length;
    // No reader can be waiting here: values were just taken, and readers only wait on an empty buffer.
    if (this.#readyWaiters !== undefined && buffered < this.#highWaterMark && buffered <= this.#readyAt) {
      this.#releaseReady(true);
    }
  }

  #releaseReady(ready: boolean): void {
    const waiters = this.#readyWaiters;
    if (waiters === undefined) return;
    this.#readyWaiters = undefined;
    for (const resolve of waiters) resolve(ready);
  }

  /**
   * The single exit of the consumer side: drained, failed-and-delivered, stopped, aborted, collected.
   * Idempotent. Advances to Closed: drops the buffer, settles every waiting reader (done, or the abort
   * error), releases every waiting producer with `false`, detaches the signal, leaves the registry.
   */
  #close(): void {
    if (this.#phase === Phase.Closed) return;
    this.#phase = Phase.Closed;
    this.#start = undefined;
    untrackBridge(this);
    // Stryker disable next-line ConditionalExpression: without a listener, detaching is a no-op (detachSignal takes an undefined signal).
    if (this.#onAbort !== undefined) {
      detachSignal(this.#signal, this.#onAbort);
      this.#onAbort = undefined;
      this.#signal = undefined;
    }
    this.#buffer.clear(); // also lets go of the slots a drained buffer grew to: a closed bridge may stay referenced
    // Stryker disable next-line ConditionalExpression: draining an empty queue is a no-op; the check only saves a closure.
    if (this.#readers.length !== 0) {
      const abortError = this.#abortError;
      this.#readers.drain(abortError === undefined ? (r) => r.resolve(DONE) : (r) => r.reject(abortError));
    }
    const sender = this.#sender;
    if (sender !== undefined) {
      this.#sender = undefined;
      sender(false);
      if (this.#moreSenders !== undefined && this.#moreSenders.length !== 0) this.#moreSenders.drain((s) => s.resolve(false));
    }
    this.#releaseReady(false);
  }

  /** Stops a producer that has not finished by itself: aborts its signal, then runs its teardown. */
  #stop(reason: AbortError): void {
    if (this.#producerEnded || this.#stopReason !== undefined) {
      void this.#runTeardown();
      return;
    }
    this.#stopReason = reason;
    this.#controller?.abort(reason);
    void this.#runTeardown();
  }

  /**
   * Runs the teardown once. Its outcome joins #exited, for stop()/return() and the final next(). Returns
   * the teardown's own promise (never #exited: an async setup waiting on its own exit would be a cycle).
   */
  #runTeardown(): Promise<unknown> | undefined {
    const teardown = this.#teardown;
    if (teardown === undefined) return undefined;
    this.#teardown = undefined;
    let work: Promise<unknown>;
    try {
      const result = teardown();
      if (!isThenable(result)) return undefined;
      work = Promise.resolve(result);
    } catch (error) {
      work = Promise.reject(error);
    }
    void this.#awaitExit(handled(work));
    return work;
  }
}

function abortErrorFrom(signal: AbortSignal): AbortError {
  return new AbortError("The operation was aborted", { cause: signal.reason });
}
