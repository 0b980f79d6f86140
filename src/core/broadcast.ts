import type { BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import { type BridgeOptions, assertSignal, detachSignal } from "./options.js";
import { assertAsyncIterable, assertCount, assertOptions, closeIterator, openIterator } from "./source.js";
import type { Sink } from "./sink.js";
import { createSubscription } from "./subscribe.js";

/**
 * Options of {@link broadcast}.
 * @example
 * ```ts
 * const hub = broadcast(clicks, { consumers: 2, highWaterMark: 64, name: "clicks" }); // reads once both subscribed
 * ```
 */
export interface BroadcastOptions {
  /**
   * How many consumers must have subscribed before the source is read. Consumers that subscribe in the
   * same synchronous run as the one that reaches this count still see the first value.
   * @default 1
   */
  readonly consumers?: number;
  /**
   * Each consumer's buffer: the source runs at most this many values ahead of the slowest consumer
   * (that uses overflow `"wait"`). A consumer's own `highWaterMark` overrides it.
   * @default 16
   */
  readonly highWaterMark?: number;
  /**
   * Aborting it stops every consumer (their `next()` rejects with an `AbortError`) and then the source.
   * @default undefined (the broadcast ends with its source, or when every consumer stopped)
   */
  readonly signal?: AbortSignal;
  /** A name for leak reports: consumers are named `${name}[i]`. @default "broadcast" */
  readonly name?: string;
}

/**
 * A fan-out of one source: every consumer sees every value read after it subscribed.
 * @example
 * ```ts
 * const hub: Broadcast<UiEvent> = broadcast(clicks);
 * const a = hub.subscribe();
 * const b = hub.subscribe({ highWaterMark: 1, overflow: "drop-oldest" }); // never slows `a` down
 * ```
 */
export interface Broadcast<T> {
  /**
   * Adds a consumer: a bridge that receives every value read from the source from now on. Stopping it
   * detaches only this consumer; once every consumer has stopped, the source is stopped. After the
   * source ended (or failed, or the broadcast was stopped) a new consumer ends (or fails) at once.
   * @param options - this consumer's `highWaterMark`, `overflow` (a drop policy never slows the
   * source down), `signal`, `name`.
   */
  subscribe(options?: BridgeOptions): BridgeIterator<T>;
  /**
   * Ends every consumer (each gets its buffered values, then done) and stops the source, also when no
   * consumer ever subscribed. Idempotent. Resolves once the source's `return()` has finished.
   */
  stop(): Promise<void>;
  /** Consumers attached now. */
  readonly consumers: number;
}

/** Broadcast lifecycle. Ordered: it only ever moves to a later phase. */
const Phase = { Waiting: 0, Reading: 1, Closed: 2 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

interface Consumer<T> {
  readonly sink: Sink<T>;
  readonly waits: boolean; // overflow "wait": the source waits for this consumer's room
}

/**
 * Fan-out (tee): several consumers, each a bridge, each seeing every value of one source.
 *
 * The source is read once `consumers` consumers have subscribed (default 1), at the pace of the slowest
 * consumer: each consumer buffers up to its `highWaterMark`, and the next value is read only once every
 * consumer has room. A consumer with a drop `overflow` policy never holds the source back. A consumer
 * that stops detaches only itself; when the last one stops, the source is stopped (`return()`) and that
 * consumer's `stop()` resolves once the source has finished. A source error fails every consumer (after
 * their buffered values); the source's end ends them.
 *
 * **Gotcha:** consumers must read concurrently: one consumer that is not read holds every other one
 * back once its buffer is full (`for await (a) …; for await (b) …` in sequence deadlocks past
 * `highWaterMark` values). Give it a drop policy, or stop it, if you don't read it.
 * @param source - the async iterable to share; iterated once.
 * @param options - start threshold, buffer size, `signal`, `name`; see {@link BroadcastOptions}.
 * @throws {@link InvalidArgumentError} when `source` is not an async iterable or an option is invalid.
 * @example
 * ```ts
 * const hub = broadcast(clicks);
 * const audit = hub.subscribe({ name: "audit" });
 * const ui = hub.subscribe({ name: "ui" }); // same synchronous run: sees the first value too
 * await Promise.all([
 *   drive(audit, { write: (event) => console.log(event.type, event.at) }),
 *   (async () => { for await (const event of ui) render(event); })(),
 * ]);
 * ```
 */
export function broadcast<T>(source: AsyncIterable<T>, options?: BroadcastOptions): Broadcast<T> {
  assertAsyncIterable(source, "source");
  assertOptions(options);
  const { consumers = 1, highWaterMark = 16, signal, name = "broadcast" } = options ?? {};
  assertCount(consumers, "consumers");
  if (!(highWaterMark === Infinity || (Number.isSafeInteger(highWaterMark) && highWaterMark >= 0))) {
    throw new InvalidArgumentError("highWaterMark", "a non-negative integer or Infinity", highWaterMark);
  }
  assertSignal(signal);
  if (typeof name !== "string") throw new InvalidArgumentError("name", "a string", name);
  return new Hub(source, consumers, highWaterMark, signal, name);
}

class Hub<T> implements Broadcast<T> {
  readonly #source: AsyncIterable<T>; // iterated once, from the moment reading starts
  readonly #threshold: number; // subscriptions needed before reading starts
  readonly #highWaterMark: number; // default buffer of each consumer
  readonly #signal: AbortSignal | undefined; // given to every consumer's bridge
  readonly #name: string; // prefix of the consumers' names
  #phase: Phase = Phase.Waiting;
  #subscribed = 0; // subscriptions so far, for the start threshold and the consumers' names
  readonly #attached = new Set<Consumer<T>>(); // consumers still reading, in subscription order
  #iterator: AsyncIterator<T> | undefined; // the source's iterator, once reading started
  #sourceFinished = false; // the source ended, failed or could not be opened: nothing to return()
  #outcome: { readonly error: unknown } | null | undefined; // how the source finished: null = ended; for late subscribers
  #closing: Promise<void> | undefined; // the source's shutdown, once started
  #onAbort: (() => void) | undefined; // the listener on #signal; removed once the source finished or was stopped

  constructor(source: AsyncIterable<T>, threshold: number, highWaterMark: number, signal: AbortSignal | undefined, name: string) {
    this.#source = source;
    this.#threshold = threshold;
    this.#highWaterMark = highWaterMark;
    this.#signal = signal;
    this.#name = name;
    if (signal === undefined) return;
    // Consumers abort through their own bridges; this also stops a source that no consumer ever read.
    // Its rejection reaches the last consumer's stop(), which returns the same promise.
    this.#onAbort = () => void this.#close().catch(() => undefined);
    if (signal.aborted) this.#onAbort();
    else signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  get consumers(): number {
    return this.#attached.size;
  }

  subscribe(options?: BridgeOptions): BridgeIterator<T> {
    assertOptions(options);
    assertSignal(options?.signal);
    const index = this.#subscribed;
    const { signal, release } = combineSignals(this.#signal, options?.signal);
    const resolved: BridgeOptions = {
      highWaterMark: this.#highWaterMark,
      name: `${this.#name}[${index}]`,
      ...options,
      // Stryker disable next-line ConditionalExpression: with no combined signal there was none in options either.
      ...(signal === undefined ? {} : { signal }),
    };
    // Set up at once (lazy: false), so that values read before this consumer's first next() wait for it.
    try {
      return createSubscription<T>(
        "broadcast",
        (sink) => {
          if (this.#phase === Phase.Closed) {
            release();
            const outcome = this.#outcome;
            if (outcome === undefined || outcome === null) sink.end();
            else sink.fail(outcome.error);
            return undefined;
          }
          this.#subscribed += 1;
          const consumer: Consumer<T> = { sink, waits: (resolved.overflow ?? "wait") === "wait" };
          this.#attached.add(consumer);
          if (this.#phase === Phase.Waiting && this.#subscribed >= this.#threshold) this.#start();
          return () => {
            release();
            return this.#detach(consumer);
          };
        },
        { ...resolved, lazy: false },
        this.subscribe,
      );
    } catch (error) {
      release(); // an invalid option: no consumer, so nothing follows the signals
      throw error;
    }
  }

  stop(): Promise<void> {
    const stopping = [...this.#attached].map((consumer) => consumer.sink);
    this.#attached.clear();
    // Each consumer's bridge is stopped from the producer side: failing it would show an error, so end it.
    for (const sink of stopping) sink.end();
    return this.#close();
  }

  /** Read through a getter: the phase changes while the read loop awaits, which narrowing cannot see. */
  get #closed(): boolean {
    return this.#phase === Phase.Closed;
  }

  #start(): void {
    this.#phase = Phase.Reading;
    let iterator: AsyncIterator<T>;
    try {
      iterator = this.#open();
    } catch (error) {
      this.#sourceFinished = true; // #close must not try to open it again
      this.#finish({ error });
      return;
    }
    this.#iterator = iterator;
    void this.#read(iterator).catch((error: unknown) => this.#finish({ error }));
  }

  async #read(iterator: AsyncIterator<T>): Promise<void> {
    // Stryker disable next-line ArrayDeclaration: a stray first element only adds one await before the second read.
    const waiting: Array<Promise<boolean>> = [];
    for (;;) {
      let result: IteratorResult<T>;
      try {
        result = await iterator.next();
      } catch (error) {
        this.#sourceFinished = true;
        this.#finish({ error });
        return;
      }
      // Stryker disable next-line ConditionalExpression: a shortcut: once closed, every consumer still attached was aborted in the same dispatch (push drops the value) and the check below returns.
      if (this.#closed) return; // stopping: a value read meanwhile is dropped
      if (result.done === true) {
        this.#sourceFinished = true;
        this.#finish(null);
        return;
      }
      for (const consumer of this.#attached) {
        if (!consumer.sink.push(result.value) && consumer.waits) waiting.push(consumer.sink.ready());
      }
      // Stryker disable next-line ConditionalExpression: a fast path: awaiting Promise.all([]) only costs a microtask.
      if (waiting.length !== 0) {
        // ready() resolves (never rejects) once there is room, or with false once that consumer stopped.
        await Promise.all(waiting);
        waiting.length = 0;
      }
      if (this.#closed) return;
    }
  }

  /** Opens the source: once, by the read loop, or by #close when reading never started. */
  #open(): AsyncIterator<T> {
    return openIterator(this.#source, "source");
  }

  /** The source finished: every consumer gets its buffered values, then the end or the error. */
  #finish(outcome: { readonly error: unknown } | null): void {
    if (this.#phase === Phase.Closed) return;
    this.#outcome = outcome;
    this.#phase = Phase.Closed;
    this.#forgetSignal();
    const consumers = [...this.#attached];
    this.#attached.clear();
    for (const { sink } of consumers) {
      if (outcome === null) sink.end();
      else sink.fail(outcome.error);
    }
  }

  /** A consumer stopped (or was ended): when it was the last one, the source is stopped. */
  #detach(consumer: Consumer<T>): Promise<void> | undefined {
    if (!this.#attached.delete(consumer) || this.#attached.size !== 0) return undefined;
    return this.#close();
  }

  /** Removes the abort listener: a long-lived signal must not keep a finished broadcast alive. */
  #forgetSignal(): void {
    // Stryker disable next-line ConditionalExpression: removing no listener, or one already removed, does nothing.
    if (this.#onAbort === undefined) return;
    detachSignal(this.#signal, this.#onAbort);
    this.#onAbort = undefined;
  }

  /** Stops reading and the source, once; resolves (or rejects) when the source's return() has finished. */
  #close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#phase = Phase.Closed;
    this.#forgetSignal();
    let iterator = this.#sourceFinished ? undefined : this.#iterator;
    if (iterator === undefined && !this.#sourceFinished) {
      // Never started: a sluice bridge passed as the source must still be finished, or it leaks.
      try {
        iterator = this.#open();
      } catch {
        // The source cannot even be opened: there is nothing to stop.
      }
    }
    // Not the read loop: a source whose next() ignores return() would hang stop(); it pushes nothing more.
    this.#closing = iterator === undefined ? Promise.resolve() : closeIterator(iterator).then(noop);
    return this.#closing;
  }
}

/**
 * Both signals as one (either aborting aborts it), and how to stop following them (once the consumer is
 * finished, so that a long-lived signal does not collect one listener per consumer). Not
 * `AbortSignal.any`: it refuses a signal from another realm or a polyfill, which sluice accepts.
 */
function combineSignals(
  a: AbortSignal | undefined,
  b: AbortSignal | undefined,
): { readonly signal: AbortSignal | undefined; readonly release: () => void } {
  if (a === undefined) return { signal: b, release: noop };
  if (b === undefined) return { signal: a, release: noop };
  // Stryker disable next-line ConditionalExpression: a fast path: following one signal twice through a controller behaves the same.
  if (a === b) return { signal: a, release: noop };
  const controller = new AbortController();
  const follow = (from: AbortSignal) => (): void => {
    release();
    controller.abort(from.reason);
  };
  const onA = follow(a);
  const onB = follow(b);
  const release = (): void => {
    detachSignal(a, onA);
    detachSignal(b, onB);
  };
  if (a.aborted) controller.abort(a.reason);
  else if (b.aborted) controller.abort(b.reason);
  else {
    try {
      a.addEventListener("abort", onA, { once: true });
      b.addEventListener("abort", onB, { once: true });
    } catch (error) {
      release();
      throw error;
    }
  }
  return { signal: controller.signal, release };
}

const noop = (): void => {};
