import type { NonEmptyReadonlyArray } from "effect/Array";
import * as Cause from "effect/Cause";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Stream from "effect/Stream";
import type { BridgeIterator } from "../../core/bridge-iterator.js";
import { AbortError, InvalidArgumentError } from "../../core/errors.js";
import type { SourceOptions } from "../../core/options.js";
import { assertOptions, waitsForRoom } from "../../core/source.js";
import { createSubscription } from "../../core/subscribe.js";

/**
 * Options of {@link fromStream}: the bridge options, and the services a stream with requirements needs.
 * @example
 * ```ts
 * const numbers = fromStream(Stream.range(1, 1_000), { highWaterMark: 64, name: "numbers", signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface FromStreamOptions<R = never> extends SourceOptions {
  /**
   * The services to run the stream with (Effect 4 runs effects with a `Context`, not a `Runtime`).
   * Required, and only accepted, when the stream has requirements (`R` is not `never`).
   * @default an empty context
   */
  readonly context?: Context.Context<R>;
}

/**
 * Turns an Effect `Stream` into a sluice bridge: `for await` over it, with backpressure, leak tracking,
 * and a stop that interrupts the stream's fiber.
 *
 * The stream runs in its own fiber, started on the first `next()` (or at once with `lazy: false`). The
 * fiber hands each chunk to the bridge whole; when that leaves `highWaterMark` or more values buffered,
 * it waits until the consumer has drained the buffer to half of `highWaterMark` before it pulls the next
 * chunk. So the upstream runs at most `highWaterMark` values plus one chunk ahead of the consumer (a
 * chunk the stream had in memory anyway), and `nextBatch()` takes whole chunks. Every way of stopping the bridge (`return()`, `break`, `stop(reason)`,
 * `await using`, an aborted `signal`) interrupts the fiber, and resolves only once the fiber has exited:
 * the stream's finalizers (`Stream.ensuring`, `acquireRelease` releases) have run.
 *
 * Failures reach `next()` after the values emitted before them, as `Effect.runPromise` would reject:
 * a typed failure rejects with the error value itself, a defect with the defect (`Cause.squash`; with
 * several, the first failure wins), an interruption from inside the stream with an `AbortError` whose
 * `cause` is the `Cause`. A finalizer that fails while the bridge stops the fiber rejects `stop()` /
 * `return()` with its defect.
 *
 * **Gotcha:** overlapping `next()` calls settle in call order here; on Effect's own
 * `Stream.toAsyncIterable` they hang (a queue-fed stream) or lose values (a chunked one). To keep the
 * whole `Cause` rather than its squashed error, map it inside Effect first (`Stream.catchCause`).
 * @param stream - the stream to run; run once per bridge.
 * @param options - bridge options (`highWaterMark`, 16 unless given; `overflow`, `signal`, `name`,
 * `lazy`) and `context`; see {@link FromStreamOptions}.
 * @throws {InvalidArgumentError} when `stream` is not an Effect `Stream` or an option is invalid.
 * @example
 * ```ts
 * const numbers = Stream.range(1, 1_000_000).pipe(Stream.ensuring(Console.log("released")));
 * for await (const n of fromStream(numbers, { highWaterMark: 8 })) if (n === 10) break; // "released" is logged by now
 * ```
 */
export function fromStream<A, E>(stream: Stream.Stream<A, E>, options?: FromStreamOptions): BridgeIterator<A>;
/**
 * Turns an Effect `Stream` with requirements into a sluice bridge, running it with `options.context`.
 * @example
 * ```ts
 * const Greeting = Context.Service<{ readonly word: string }>("Greeting");
 * const words = Stream.fromEffect(Effect.gen(function* () { return (yield* Greeting).word; }));
 * for await (const word of fromStream(words, { context: Context.make(Greeting, { word: "hello" }) })) console.log(word);
 * ```
 */
export function fromStream<A, E, R>(
  stream: Stream.Stream<A, E, R>,
  options: FromStreamOptions<R> & { readonly context: Context.Context<R> },
): BridgeIterator<A>;
export function fromStream<A, E, R>(stream: Stream.Stream<A, E, R>, options?: FromStreamOptions): BridgeIterator<A> {
  if (!Stream.isStream(stream)) throw new InvalidArgumentError("stream", "an Effect Stream", stream);
  assertOptions(options);
  const context = options?.context ?? Context.empty();
  if (!Context.isContext(context)) throw new InvalidArgumentError("context", "an Effect Context", context);
  const waits = waitsForRoom(options);
  const run = Effect.runCallbackWith(context);
  const runnable = stream as Stream.Stream<A, E>; // the overloads make `context` provide every service it needs
  return createSubscription<A>(
    "effect-stream",
    (sink) => {
      let exit: Exit.Exit<void, E> | undefined; // the fiber's exit, once it has one
      let stopped: ((exit: Exit.Exit<void, E>) => void) | undefined; // settles the teardown's promise, once the bridge stopped the fiber

      /** Waits for room in the bridge: true to go on, false once the bridge takes nothing more. */
      const room = Effect.callback<boolean>((resume) => {
        void sink.ready().then((ok) => resume(Effect.succeed(ok)));
      });
      /** Hands the chunk to the bridge; when that filled it, waits for room before the stream pulls again. */
      const offer = (chunk: NonEmptyReadonlyArray<A>): Effect.Effect<void> => {
        let more = true;
        for (let i = 0; i < chunk.length; i += 1) more = sink.push(chunk[i] as A);
        if (more || !waits) return Effect.void;
        return Effect.flatMap(room, (ok) => (ok ? Effect.void : Effect.interrupt));
      };

      const interrupt = run(
        Stream.runForEachArray(runnable, offer),
        {
          onExit: (outcome) => {
            exit = outcome;
            if (stopped !== undefined) return stopped(outcome);
            if (Exit.isSuccess(outcome)) sink.end();
            else sink.fail(failureOf(outcome.cause));
          },
        },
      );

      return () => {
        if (exit !== undefined) return undefined; // it ended by itself; its outcome went to the consumer
        return new Promise<void>((resolve, reject) => {
          // The interruption we asked for is a normal exit; anything else (a finalizer's defect) reaches stop()'s caller.
          stopped = (outcome) => {
            if (Exit.isSuccess(outcome) || Cause.hasInterruptsOnly(outcome.cause)) resolve();
            else reject(Cause.squash(outcome.cause) as Error);
          };
          interrupt(); // may run the finalizers synchronously, and call `stopped` before returning
        });
      };
    },
    options,
    fromStream,
  );
}

/** What `next()` rejects with when the stream failed by itself. */
function failureOf(cause: Cause.Cause<unknown>): unknown {
  if (!Cause.hasInterruptsOnly(cause)) return Cause.squash(cause);
  return new AbortError("The Effect stream was interrupted from inside", { cause });
}
