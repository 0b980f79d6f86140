import type { BridgeIterator } from "./bridge-iterator.js";
import { AbortError, InvalidArgumentError } from "./errors.js";
import type { SourceOptions } from "./options.js";
import { RingBuffer } from "./ring-buffer.js";
import { assertAsyncIterable, assertCount, assertOptions, closeAll, forward, openIterator, waitsForRoom } from "./source.js";
import { createCombinator } from "./combinator.js";

/**
 * Options of {@link mapConcurrent}.
 * @example
 * ```ts
 * const statuses = mapConcurrent(urls, async (url, signal) => (await fetch(url, { signal })).status, {
 *   concurrency: 4,
 *   ordered: false, // completion order: a slow URL does not hold back the others
 *   highWaterMark: 8,
 * });
 * ```
 */
export interface MapConcurrentOptions extends SourceOptions {
  /**
   * The most `fn` calls in flight at once. In ordered mode, results that wait for an earlier one count
   * too, so at most `concurrency` results are held besides the output buffer.
   * @default 1 (like Node's `Readable#map`)
   */
  readonly concurrency?: number;
  /**
   * `true`: results come out in input order. `false`: in completion order (a slow call does not hold
   * back the others).
   * @default true
   */
  readonly ordered?: boolean;
}

/** A call's progress. Ordered: it only ever moves forward. */
const CallState = { Running: 0, Fulfilled: 1, Rejected: 2 } as const;
type CallState = (typeof CallState)[keyof typeof CallState];

interface Call<R> {
  state: CallState;
  result: R | undefined; // the fulfilled value
  error: unknown; // the rejection
}

/**
 * A bounded worker pool over a stream: calls `fn` on each value with at most `concurrency` calls in
 * flight, and yields the results (in input order by default).
 *
 * Values are read from `source` only while a slot is free, one `next()` at a time, and results are
 * handed on with backpressure: a slow consumer stops the reading. `fn` receives an `AbortSignal` that
 * aborts when the consumer stops or the stream fails. Stopping aborts the calls in flight, stops the
 * source, and resolves once both have finished. A rejected `fn` call (or a source error) fails the
 * stream once: the results before it (in output order) are delivered first, the other calls are
 * aborted and the source is stopped.
 *
 * **Gotcha:** `fn` should honour its `signal`, or stopping waits for the calls in flight to finish
 * on their own.
 * @param source - the async iterable to map.
 * @param fn - `(value, signal) => result | Promise<result>`.
 * @param options - `concurrency` (default 1), `ordered` (default true), and the bridge options:
 * `highWaterMark` (default 16), `overflow`, `signal`, `name` (default "mapConcurrent"), `lazy`.
 * @throws {@link InvalidArgumentError} when an argument or option is invalid.
 * @example
 * ```ts
 * const pages = mapConcurrent(urls, (url, signal) => fetch(url, { signal }).then((r) => r.text()), { concurrency: 8 });
 * for await (const page of pages) console.log(page.length); // in the order of `urls`
 * ```
 */
export function mapConcurrent<T, R>(
  source: AsyncIterable<T>,
  fn: (value: T, signal: AbortSignal) => R | PromiseLike<R>,
  options?: MapConcurrentOptions,
): BridgeIterator<R> {
  assertAsyncIterable(source, "source");
  if (typeof fn !== "function") throw new InvalidArgumentError("fn", "a function", fn);
  assertOptions(options);
  const { concurrency = 1, ordered = true } = options ?? {};
  assertCount(concurrency, "concurrency");
  if (typeof ordered !== "boolean") throw new InvalidArgumentError("ordered", "a boolean", ordered);

  return createCombinator<R>(
    "mapConcurrent",
    (sink) => {
      const iterator = openIterator(source, "source");
      const controller = new AbortController(); // the signal of every fn call; aborted once the stream is over
      const output = new RingBuffer<Call<R>>(); // ordered: every call in input order; unordered: settled calls in completion order
      const running = new Set<Promise<void>>(); // fn calls in flight, awaited by teardown
      let held = 0; // calls started whose result has not been accepted by the sink yet (<= concurrency)
      let sourceOutcome: { readonly error: unknown } | null | undefined; // undefined: still reading; null: ended
      let finished = false; // ended, failed or stopped: no more reads, calls or sink operations
      const waits = waitsForRoom(options); // a drop policy never holds the results back
      let wakeReader: (() => void) | undefined; // resolves the reader's wait for a free slot
      let wakeEmitter: (() => void) | undefined; // resolves the emitter's wait for a settled call

      const wake = (): void => {
        const reader = wakeReader;
        const emitter = wakeEmitter;
        wakeReader = undefined;
        wakeEmitter = undefined;
        reader?.();
        emitter?.();
      };

      const fail = (error: unknown): void => {
        if (finished) return;
        // Stryker disable next-line BooleanLiteral: sink.fail() runs the teardown at once, which sets finished before anything else runs.
        finished = true;
        sink.fail(error); // runs teardown: aborts the calls in flight, stops the source
      };

      const start = (value: T): void => {
        const call: Call<R> = { state: CallState.Running, result: undefined, error: undefined };
        if (ordered) output.push(call);
        let pending: PromiseLike<R> | R;
        try {
          pending = fn(value, controller.signal);
        } catch (error) {
          pending = Promise.reject(error);
        }
        const settled = Promise.resolve(pending).then(
          (result) => {
            call.state = CallState.Fulfilled;
            call.result = result;
          },
          (error: unknown) => {
            call.state = CallState.Rejected;
            call.error = error;
          },
        );
        const tracked: Promise<void> = settled.then(() => {
          running.delete(tracked);
          if (!ordered) output.push(call);
          wake();
        });
        running.add(tracked);
      };

      const read = async (): Promise<void> => {
        for (;;) {
          while (held >= concurrency && !finished) await new Promise<void>((resolve) => (wakeReader = resolve));
          if (finished) return;
          let result: IteratorResult<T>;
          try {
            result = await iterator.next();
          } catch (error) {
            sourceOutcome = { error };
            wake();
            return;
          }
          if (finished) return; // stopping: a value read meanwhile is not mapped
          if (result.done === true) {
            sourceOutcome = null;
            wake();
            return;
          }
          held += 1;
          start(result.value);
        }
      };

      const emit = async (): Promise<void> => {
        while (!finished) {
          const call = output.length === 0 ? undefined : output.peek();
          if (call === undefined || call.state === CallState.Running) {
            if (call === undefined && held === 0 && sourceOutcome !== undefined) {
              // Every result is out: finish as the source did.
              if (sourceOutcome === null) {
                // Stryker disable next-line BooleanLiteral: sink.end() runs the teardown at once, which sets finished before anything else runs.
                finished = true;
                sink.end();
              } else fail(sourceOutcome.error);
              return;
            }
            await new Promise<void>((resolve) => (wakeEmitter = resolve));
            continue;
          }
          output.shift();
          if (call.state === CallState.Rejected) return fail(call.error);
          const go = forward(sink, call.result as R, waits);
          // Stryker disable next-line BooleanLiteral: `await true` gives the same true, a microtask later; only the scheduling differs.
          const accepted = go === true || (await go);
          held -= 1;
          const reader = wakeReader;
          wakeReader = undefined;
          reader?.();
          // Stryker disable next-line LogicalOperator: ready() resolves false only once the bridge has closed or ended, which ran the teardown (finished = true) first, so both forms return in the same cases.
          if (!accepted || finished) return; // the consumer stopped, or the stream is over
        }
      };

      // Neither loop rejects by design; should one ever, the stream fails instead of an unhandled rejection.
      void read().catch(fail);
      void emit().catch(fail);
      return () => {
        finished = true;
        const signal = sink.signal;
        controller.abort(signal.aborted ? signal.reason : new AbortError("mapConcurrent finished: the call is no longer needed"));
        wake();
        // The calls in flight, not the loops: a source whose next() ignores return() would hang stop().
        return closeAll(sourceOutcome === undefined ? [iterator] : [], running);
      };
    },
    [source],
    options,
    mapConcurrent,
  );
}
