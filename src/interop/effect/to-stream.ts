import type { NonEmptyReadonlyArray } from "effect/Array";
import * as Cause from "effect/Cause";
import * as Channel from "effect/Channel";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type * as Pull from "effect/Pull";
import * as Scope from "effect/Scope";
import * as Stream from "effect/Stream";
import { BridgeHandle } from "../../core/bridge-iterator.js";
import { InvalidArgumentError } from "../../core/errors.js";
import { assertAsyncIterable, assertOptions, openIterator } from "../../core/source.js";

/**
 * Options of {@link toStream}.
 * @example
 * ```ts
 * const rowStream = toStream(changes, { onError: (cause) => new Error("the change feed failed", { cause }), maxChunkSize: 512 });
 * ```
 */
export interface ToStreamOptions<E = unknown> {
  /**
   * Turns what the iterator threw (its `next()` rejection) into the stream's typed failure `E`. A throw
   * inside `onError` is a defect.
   * @default the thrown value itself, typed `unknown`
   */
  readonly onError?: (error: unknown) => E;
  /**
   * The most values in one chunk. A sluice bridge is read with `nextBatch(maxChunkSize)`, so a chunk
   * holds everything buffered when the stream pulls; any other iterator gives one-value chunks.
   * @default 4096 (Effect's `Stream.DefaultChunkSize`)
   */
  readonly maxChunkSize?: number;
}

const identity = <E>(error: unknown): E => error as E;

/**
 * Turns a sluice bridge (or any async iterable) into an Effect `Stream`, so that interrupting the fiber
 * that runs the stream stops the bridge.
 *
 * The iterator is opened each time the stream runs (`[Symbol.asyncIterator]()`; a sluice bridge returns
 * itself, so run such a stream once). When the stream's scope closes before the iterator finished
 * (interruption, a downstream failure, or `Stream.take` having had enough), its finalizer calls
 * `stop(reason)` on a sluice bridge, `return()` on any other iterator, and **waits for it**: the bridge's
 * teardown or producer has finished by the time `Fiber.interrupt` resolves. The stop `reason` is the
 * `Cause` that closed the scope, or `undefined` when the stream simply ended early. A rejected `stop()`
 * / `return()` (a teardown that threw) becomes a defect of the stream.
 *
 * A rejected `next()` fails the stream with `onError(error)` (by default the error itself, typed
 * `unknown`). A sluice bridge is read in chunks (`nextBatch`): one promise per chunk, not per value.
 *
 * **Gotchas:** a sluice bridge settles a pending `next()` at once when stopped, but another iterator
 * suspended in a `next()` may finish its `return()` only once that `next()` settles (an `async function*`
 * waiting in an `await`, a `ReadableStream` reader), and the interruption waits for it. (Effect's own
 * `Stream.fromAsyncIterable` does not wait there: its teardown may still be running after the
 * interruption completed.) A stream that never runs (`Stream.take(0)`, a fiber interrupted before it
 * started) never opens the iterator: stopping the bridge then stays your job.
 * @param iterable - a sluice `BridgeIterator`, or any `AsyncIterable`.
 * @param options - `onError`, `maxChunkSize`; see {@link ToStreamOptions}.
 * @returns a `Stream<A, E>` that needs no services.
 * @throws {InvalidArgumentError} when `iterable` is not an async iterable or an option is invalid.
 * @example
 * ```ts
 * const lines = subscribe<string>((sink) => {
 *   rl.on("line", sink.push);
 *   return () => rl.off("line", sink.push);
 * });
 * const fiber = Effect.runFork(Stream.runForEach(toStream(lines), (line) => Console.log(line)));
 * await Effect.runPromise(Fiber.interrupt(fiber)); // the listener is detached by now
 * ```
 */
export function toStream<A, E = unknown>(iterable: AsyncIterable<A>, options?: ToStreamOptions<E>): Stream.Stream<A, E> {
  assertAsyncIterable(iterable, "iterable");
  assertOptions(options);
  const onError = options?.onError ?? identity<E>;
  if (typeof onError !== "function") throw new InvalidArgumentError("onError", "a function", onError);
  const maxChunkSize = options?.maxChunkSize ?? Stream.DefaultChunkSize;
  if (!(maxChunkSize === Infinity || (Number.isSafeInteger(maxChunkSize) && maxChunkSize >= 1))) {
    throw new InvalidArgumentError("maxChunkSize", "an integer >= 1 or Infinity", maxChunkSize);
  }
  return Stream.fromChannel(
    Channel.fromTransform((_upstream, scope) =>
      Effect.suspend(() => {
        let iterator: AsyncIterator<A>;
        try {
          iterator = openIterator(iterable, "iterable");
        } catch (error) {
          return Effect.fail(onError(error));
        }
        const reader = new IteratorReader(iterator, onError, maxChunkSize);
        return Effect.as(
          Scope.addFinalizerExit(scope, (exit) => reader.close(exit)),
          reader.pull,
        );
      }),
    ),
  );
}

/** One run of a {@link toStream} stream: pulls chunks from the iterator, and stops it when the scope closes first. */
class IteratorReader<A, E> {
  readonly #iterator: AsyncIterator<A>; // opened by this run; stopped (once) unless it finished by itself
  readonly #bridge: BridgeHandle<A> | undefined; // the same iterator when it is a sluice bridge: nextBatch() and stop(reason)
  readonly #onError: (error: unknown) => E; // maps a next() rejection to the typed failure
  readonly #max: number; // the most values per chunk
  #finished = false; // the iterator said done or threw, or close() ran: nothing left to stop

  constructor(iterator: AsyncIterator<A>, onError: (error: unknown) => E, max: number) {
    this.#iterator = iterator;
    this.#bridge = iterator instanceof BridgeHandle ? (iterator as BridgeHandle<A>) : undefined;
    this.#onError = onError;
    this.#max = max;
  }

  /**
   * One chunk, `Cause.Done` at the end, or the mapped failure. An interrupted pull is abandoned: its
   * promise stays handled, and `close()` settles it (a sluice bridge's `stop()` does so at once).
   */
  readonly pull: Pull.Pull<NonEmptyReadonlyArray<A>, E> = Effect.callback<NonEmptyReadonlyArray<A>, E | Cause.Done>(
    (resume) => {
      let step: Promise<IteratorResult<A[] | A, unknown>>;
      try {
        const bridge = this.#bridge;
        step = bridge !== undefined ? bridge.nextBatch(this.#max) : Promise.resolve(this.#iterator.next());
      } catch (error) {
        resume(this.#failed(error));
        return;
      }
      step.then(
        (result) => {
          if (result.done === true) {
            this.#finished = true;
            resume(Cause.done());
          } else {
            resume(Effect.succeed(this.#bridge !== undefined ? (result.value as unknown as NonEmptyReadonlyArray<A>) : [result.value as A]));
          }
        },
        (error: unknown) => resume(this.#failed(error)),
      );
    },
  );

  /** The scope's finalizer: stops an iterator that has not finished, and waits for it. */
  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    if (this.#finished) return Effect.void;
    this.#finished = true;
    return Effect.callback<void>((resume) => {
      let stopped: Promise<unknown>;
      try {
        const bridge = this.#bridge;
        // A sluice bridge learns why (the Cause is lossless; Effect users can inspect it). return() takes no reason.
        stopped =
          bridge !== undefined ? bridge.stop(Exit.isSuccess(exit) ? undefined : exit.cause) : Promise.resolve(this.#iterator.return?.());
      } catch (error) {
        stopped = Promise.reject(error);
      }
      stopped.then(
        () => resume(Effect.void),
        (error: unknown) => resume(Effect.die(error)), // a teardown that threw: surfaces in the fiber's exit
      );
    });
  }

  /** A next() that threw or rejected: the stream's typed failure. The iterator is finished (nothing to stop). */
  #failed(error: unknown): Effect.Effect<never, E> {
    this.#finished = true;
    // Mapped inside the fiber: a throwing onError becomes a defect, never an unhandled rejection.
    return Effect.suspend(() => Effect.fail(this.#onError(error)));
  }
}
