import { type WritableLike, type WritableStreamLike, WatchedSink, toDriveSink } from "./drive-targets.js";
import { AbortError, InvalidArgumentError, isInstance } from "./errors.js";
import { assertSignal, detachSignal } from "./options.js";
import { assertAsyncIterable, assertOptions, closeIterator, isThenable, openIterator } from "./source.js";

/**
 * A push-style destination for {@link drive}, for what it does not recognise by itself (it takes a Node
 * `Writable`, a grpc-js writable call and a `WritableStream` as they are): a WebSocket, a sluice `channel`, a
 * database batch writer… adapted in a few lines.
 * @example
 * ```ts
 * // A sluice channel: push, and ready() as the drain (it resolves false once the channel's reader stopped).
 * const ch = channel<Row>();
 * const into: DriveSink<Row> = {
 *   write: ch.push,
 *   waitForDrain: async () => { if (!(await ch.ready())) throw new Error("reader stopped"); },
 *   end: ch.end,
 *   fail: ch.fail,
 * };
 * void drive(rows, into).catch(() => undefined); // the reader of `ch` sees the rows, then the end or the error
 * ```
 */
export interface DriveSink<T> {
  /**
   * Writes one value. Return `false` to ask {@link drive} to wait for `waitForDrain()` before the next
   * write (Node's `Writable#write` convention), or a promise to have it awaited (a rejection is a sink
   * failure). Anything else means "go on". A throw is a sink failure.
   */
  write(value: T): unknown;
  /**
   * Resolves when the sink can take more after `write` returned `false`; rejects if the sink failed
   * meanwhile (e.g. on the stream's `error` or `close`, or it would wait forever). `signal` aborts when
   * `drive` gives up, so that listeners can be removed. Required if `write` can return `false`:
   * without it, that `false` fails the drive with an {@link InvalidArgumentError}.
   */
  waitForDrain?(signal: AbortSignal): PromiseLike<unknown>;
  /** Ends the sink after the last value. A returned promise is awaited (e.g. until `'finish'`). */
  end?(): unknown;
  /**
   * Fails the sink: called with the source's error, or the `AbortError` when `signal` aborted (not after
   * the sink's own failure). Not awaited; a throw or rejection is ignored.
   */
  fail?(error: unknown): unknown;
}

/**
 * Options of {@link drive}.
 * @example
 * ```ts
 * await drive(rows, { write: (row) => console.log(row.name) }, { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface DriveOptions {
  /**
   * Aborting it stops the source (`return()`), fails the sink with an `AbortError` whose `cause` is the
   * signal's reason, and rejects `drive` with that error.
   * @default undefined (the drive runs until the source ends or a side fails)
   */
  readonly signal?: AbortSignal;
}

/**
 * Pull→push: reads `source` and writes every value into `destination`, with backpressure and cancellation.
 *
 * `destination` is a {@link DriveSink}, or one of the platform's own writables, recognised by shape: a
 * Node `Writable` (`false` from `write()` waits for `'drain'`; the end waits for `'finish'`; a failure
 * destroys it with the error), a grpc-js writable call (a client call is half-closed at the end and
 * cancelled on a failure; a server handler's call ends with the OK status, or with the error's status), or
 * a WHATWG `WritableStream` (`writer.ready` is the backpressure; closed at the end, aborted on a failure).
 * Those also fail the drive on their own `'error'`, an early `'close'`, a cancelled call or an errored
 * stream, and the source is stopped at once, not at its next value.
 *
 * One `next()` is in flight at a time, and the next value is pulled only once the sink accepted the
 * previous one (after a drain wait, when `write` returned `false`, or once its promise resolved). When
 * the source ends, `sink.end()` is called and awaited, then `drive` resolves. On a source error,
 * `sink.fail(error)` is called and `drive` rejects with it. On a sink failure (`write` throws or
 * rejects, `waitForDrain` or `end` rejects) the source is stopped with `return()` and `drive` rejects
 * with the sink's error. On abort the source is stopped, the sink is failed with an `AbortError`, and
 * `drive` rejects with it. In every case `drive` settles only after the source's `return()` finished.
 *
 * **Gotcha:** an `async function*` source suspended in an `await` finishes its `return()` only after
 * that `await` settles, so an abort settles `drive` only then. Sluice bridges stop at once.
 * @param source - any async iterable; it is iterated once.
 * @param destination - where values go: a {@link DriveSink}, a {@link WritableLike}, or a {@link WritableStreamLike}.
 * @param options - `signal`; see {@link DriveOptions}.
 * @returns a promise that resolves once the sink ended, and rejects with the first failure.
 * @throws {@link InvalidArgumentError} synchronously when an argument is invalid.
 * @example
 * ```ts
 * // A Node Writable, a grpc-js call or a WritableStream, directly:
 * await drive(rows, file, { signal: AbortSignal.timeout(60_000) });
 * ```
 * @example
 * ```ts
 * import { once } from "node:events";
 * // The same by hand, as a DriveSink: wait for 'drain' (once() rejects on 'error') when write() returns false.
 * await drive(rows, {
 *   write: (row) => file.write(JSON.stringify(row) + "\n"),
 *   waitForDrain: (signal) => once(file, "drain", { signal }),
 *   end: () => new Promise<void>((resolve) => file.end(resolve)),
 *   fail: (error) => file.destroy(error as Error),
 * }, { signal: AbortSignal.timeout(60_000) });
 * ```
 */
export function drive<T>(source: AsyncIterable<T>, destination: DriveSink<T> | WritableLike<T> | WritableStreamLike<T>, options?: DriveOptions): Promise<void> {
  assertAsyncIterable(source, "source");
  const sink = toDriveSink(destination);
  if (sink === null || typeof sink !== "object") throw new InvalidArgumentError("sink", "an object with a write() method", sink);
  if (typeof sink.write !== "function") throw new InvalidArgumentError("sink.write", "a function", sink.write);
  for (const key of ["waitForDrain", "end", "fail"] as const) {
    if (sink[key] !== undefined && typeof sink[key] !== "function") {
      throw new InvalidArgumentError(`sink.${key}`, "a function or undefined", sink[key]);
    }
  }
  assertOptions(options);
  const signal = options?.signal;
  assertSignal(signal);
  return new Driver(source, sink, signal).run();
}

/** Where a failure came from: decides who else must be told. */
const Origin = { Source: 0, Sink: 1, Abort: 2 } as const;
type Origin = (typeof Origin)[keyof typeof Origin];

class Failure {
  constructor(
    readonly origin: Origin,
    readonly error: unknown,
  ) {}
}

/** One run of {@link drive}. */
class Driver<T> {
  readonly #source: AsyncIterable<T>; // iterated once, by run()
  readonly #sink: DriveSink<T>; // receives values, then end() or fail()
  readonly #signal: AbortSignal | undefined; // the caller's signal, listened to during run()
  readonly #controller = new AbortController(); // handed to waitForDrain; aborted on abort, and when run() exits however it exits
  #iterator: AsyncIterator<T> | undefined; // the source's iterator, once opened
  #stopping: Promise<unknown> | undefined; // the source's return(), once called; awaited before settling
  #stopped: Failure | undefined; // the first of an abort and a watched sink's own failure; set once, the other is then ignored
  #interrupt: ((failure: Failure) => void) | undefined; // rejects the sink wait in progress, on abort or a watched sink's failure

  constructor(source: AsyncIterable<T>, sink: DriveSink<T>, signal: AbortSignal | undefined) {
    this.#source = source;
    this.#sink = sink;
    this.#signal = signal;
  }

  async run(): Promise<void> {
    const signal = this.#signal;
    const onAbort = (): void => {
      if (this.#stopped !== undefined) return; // a watched sink failed first: its error is the one to report
      // Stryker disable next-line OptionalChaining: onAbort runs only as the signal's listener or once signal.aborted was true, so signal is defined
      const error = new AbortError("drive() was aborted", { cause: signal?.reason });
      this.#controller.abort(error); // a drain wait in progress can detach its listeners now
      this.#stop(new Failure(Origin.Abort, error));
    };
    const sink = this.#sink;
    const unwatch = sink instanceof WatchedSink ? sink.watch((error) => this.#sinkFailed(error)) : undefined;
    try {
      this.#iterator = openIterator(this.#source, "source");
      try {
        if (signal?.aborted === true) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      } catch (error) {
        throw new Failure(Origin.Abort, error); // a signal that cannot be listened to: give up as on an abort
      }
      await this.#pump(this.#iterator);
    } catch (caught) {
      // A source that rejects because it was stopped (on abort, or the sink's failure) reports why it was stopped.
      const failure = isInstance(caught, Failure) ? caught : (this.#stopped ?? new Failure(Origin.Source, caught));
      // A source that failed is done, as in `for await`: only a source stopped by the other side gets return().
      if (failure.origin !== Origin.Source) {
        this.#stopSource();
        // The drive's own failure is what the caller needs to see, not a secondary return() error.
        await this.#stopping?.then(undefined, () => undefined);
      }
      if (failure.origin !== Origin.Sink) this.#failSink(failure.error);
      throw failure.error;
    } finally {
      unwatch?.();
      this.#controller.abort(new AbortError("drive() finished")); // a no-op after an abort, which aborted it with its own error
      detachSignal(signal, onAbort);
    }
  }

  async #pump(iterator: AsyncIterator<T>): Promise<void> {
    const sink = this.#sink;
    for (;;) {
      this.#throwIfStopped(); // not one more value pulled once stopped (a sink may fail before the first)
      const result = await iterator.next(); // a rejection is the source's error
      this.#throwIfStopped(); // a value that arrives after the stop is not written
      if (result.done === true) break;
      let written: unknown;
      try {
        written = sink.write(result.value);
      } catch (error) {
        throw new Failure(Origin.Sink, error);
      }
      if (written === false) {
        if (sink.waitForDrain === undefined) {
          throw new Failure(Origin.Sink, new InvalidArgumentError("sink.waitForDrain", "a function, since sink.write() returned false", undefined));
        }
        // Stryker disable next-line OptionalChaining: waitForDrain was just checked to be defined (the `?.` is for the type checker, which forgets that in a closure)
        await this.#untilAbort(() => sink.waitForDrain?.(this.#controller.signal));
      }
      // Stryker disable next-line ConditionalExpression: #untilAbort resolves at once for a non-thenable (after the same stop check as the loop's next one), so this test only saves a promise per value
      if (isThenable(written)) await this.#untilAbort(() => written);
    }
    await this.#untilAbort(() => sink.end?.());
  }

  /** Waits for a sink operation; its rejection is a sink failure, and an abort interrupts the wait. */
  #untilAbort(operation: () => unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const interrupt = (failure: Failure): void => reject(failure);
      this.#throwIfStopped(); // rejects this promise: no wait begins once stopped
      let pending: unknown;
      try {
        pending = operation();
      } catch (error) {
        return reject(new Failure(Origin.Sink, error));
      }
      if (!isThenable(pending)) return resolve();
      this.#interrupt = interrupt;
      try {
        pending.then(
          () => {
            this.#interrupt = undefined;
            resolve();
          },
          (error: unknown) => {
            this.#interrupt = undefined;
            reject(new Failure(Origin.Sink, error)); // a no-op if an abort already settled this wait
          },
        );
      } catch (error) {
        // A thenable whose then() throws is a sink that failed, like one that rejects: the source must be stopped.
        this.#interrupt = undefined;
        reject(new Failure(Origin.Sink, error));
      }
    });
  }

  /** Tells the sink; not awaited, so that a sink that never settles its fail() cannot hang drive(). */
  #failSink(error: unknown): void {
    try {
      // Stryker disable next-line OptionalChaining: without fail(), the call throws a TypeError, which the catch below drops like any throw from fail()
      const result = this.#sink.fail?.(error);
      // The sink failing while being failed adds nothing: the caller gets the original error.
      // Stryker disable next-line ConditionalExpression: calling then() on a non-thenable throws a TypeError, which the catch below drops
      if (isThenable(result)) result.then(undefined, () => undefined);
    } catch {
      // Same: a throwing fail() must not replace the original error.
    }
  }

  /** A watched sink failed between calls: stop the source now (its pending next() too, for a bridge), and stop waiting. */
  #sinkFailed(error: unknown): void {
    if (this.#stopped !== undefined) return; // an abort came first: it is the failure to report
    this.#stop(new Failure(Origin.Sink, error));
  }

  /** The first abort or watched sink failure: remembers it, stops the source and the wait in progress. */
  #stop(failure: Failure): void {
    this.#stopped = failure;
    this.#stopSource();
    this.#interrupt?.(failure);
  }

  /** Throws the abort or the watched sink's failure, if one came. */
  #throwIfStopped(): void {
    if (this.#stopped !== undefined) throw this.#stopped;
  }

  /** Calls the source's return() once, at once (a sluice bridge then settles its pending next()). */
  #stopSource(): void {
    if (this.#stopping !== undefined || this.#iterator === undefined) return;
    this.#stopping = closeIterator(this.#iterator);
  }
}
