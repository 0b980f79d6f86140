import type { BridgeIterator } from "./bridge-iterator.js";
import { ErrorCode, InvalidArgumentError, SluiceError } from "./errors.js";
import type { SourceOptions } from "./options.js";
import { assertAsyncIterable, closeAll, forward, openIterator, waitsForRoom } from "./source.js";
import { createCombinator } from "./combinator.js";

/** The longest delay `setTimeout` honours (2^31 - 1 ms); longer ones fire at once, so they are chained. */
const MAX_DELAY = 2 ** 31 - 1;
/** The largest time a `Date` can hold, in ms either side of the epoch. */
const MAX_DATE = 8.64e15;

/**
 * Passes `source` through until `at`, then fails with a `SluiceError` (`ERR_SLUICE_TIMEOUT`) and stops
 * the source.
 *
 * The result is a bridge that reads `source` one value ahead of its consumer (`highWaterMark: 0` by
 * default), so when the time comes, at most that value (and whatever buffer you configured) is still
 * delivered before the error. The timer starts on the first `next()` (or at once with `lazy: false`);
 * it is cleared on every exit (end, error, stop, abort) and `unref`'d where the platform allows.
 *
 * **Gotcha:** an `unref`'d timer does not keep Node alive: a script whose only pending work is a
 * deadline exits instead of failing. A source that is stuck in an `await` still gets `return()`, but
 * `stop()` can only resolve once it finishes (the timeout error itself is delivered at once).
 * @param source - the stream to limit.
 * @param at - when to give up: a `Date` or milliseconds since the epoch (`Date.now()` style), any
 * number but `NaN` (`Infinity`: never). A time already past fails at the first `next()`.
 * @param options - `highWaterMark` (default 0), `overflow`, `signal`, `name` (default "deadline"), `lazy`.
 * @throws {@link InvalidArgumentError} when `source` is not an async iterable, `at` is not a valid time, or an option is invalid.
 * @example
 * ```ts
 * // Fails with ERR_SLUICE_TIMEOUT (and stops `rows`) if the rows are not all read by then.
 * for await (const row of deadline(rows, new Date("2030-01-01T09:30:00Z"))) console.log(row.name);
 * ```
 */
export function deadline<T>(source: AsyncIterable<T>, at: Date | number, options?: SourceOptions): BridgeIterator<T> {
  assertAsyncIterable(source, "source");
  const time = at instanceof Date ? at.getTime() : at;
  if (typeof time !== "number" || Number.isNaN(time)) {
    throw new InvalidArgumentError("at", "a valid Date or a number of milliseconds since the epoch", at);
  }
  // A Date holds at most ±8.64e15 ms; a later time (1e20, 2 ** 53) is still a valid, if distant, deadline.
  const when = Math.abs(time) <= MAX_DATE ? new Date(time).toISOString() : `${time} ms since the epoch`;
  return expiring("deadline", source, () => time, `by ${when}`, options, deadline);
}

/**
 * The shared body of {@link deadline} and `timeout`: a pass-through bridge failed by a timer.
 * @param dueAt - computed when the bridge starts: the `Date.now()` time at which it expires.
 * @internal
 */
export function expiring<T>(
  kind: string,
  source: AsyncIterable<T>,
  dueAt: () => number,
  why: string,
  options: SourceOptions | undefined,
  caller: (...args: never[]) => unknown,
): BridgeIterator<T> {
  return createCombinator<T>(
    kind,
    (sink) => {
      const iterator = openIterator(source, "source");
      const due = dueAt();
      let finished = false; // ended, failed, expired or stopped: the pump stops
      const waits = waitsForRoom(options); // a drop policy never holds the pump back
      let sourceDone = false; // the source ended or failed: nothing to return()
      let timer: ReturnType<typeof setTimeout> | undefined; // the pending timer; cleared on every exit

      const expire = (): void => {
        timer = undefined;
        const remaining = due - Date.now();
        if (remaining > 0) return arm(remaining); // an early wake-up of a chained long delay
        if (finished) return;
        finished = true;
        sink.fail(
          new SluiceError(
            ErrorCode.Timeout,
            `${subject(options, kind)} expired: the stream did not finish ${why}, so its source was stopped. ` +
              "Expected the stream to finish in time; allow more time, or make the source faster.",
          ),
        ); // runs teardown, which stops the source
      };
      const arm = (remaining: number): void => {
        timer = setTimeout(expire, Math.min(remaining, MAX_DELAY));
        (timer as { unref?: () => void }).unref?.(); // a deadline alone must not keep the process alive
      };

      const pump = async (): Promise<void> => {
        for (;;) {
          let result: IteratorResult<T>;
          try {
            result = await iterator.next();
          } catch (error) {
            sourceDone = true;
            if (finished) return;
            finished = true;
            sink.fail(error);
            return;
          }
          if (finished) return;
          if (result.done === true) {
            sourceDone = true;
            finished = true;
            sink.end();
            return;
          }
          const go = forward(sink, result.value, waits);
          if ((go !== true && !(await go)) || finished) return;
        }
      };

      if (due !== Infinity) {
        if (due - Date.now() <= 0) {
          expire();
          // Already past: the source was opened only to be finished (a bridge passed in must not leak).
          return () => closeAll([iterator]);
        }
        arm(due - Date.now());
      }
      // The pump never rejects by design; should it ever, the stream fails instead of an unhandled rejection.
      void pump().catch((error: unknown) => {
        if (!finished) sink.fail(error);
        finished = true;
      });
      return () => {
        finished = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        // Not the pump: a source whose next() ignores return() would hang stop(); it sends nothing more.
        return closeAll(sourceDone ? [] : [iterator]);
      };
    },
    [source],
    options,
    caller,
    { highWaterMark: 0 },
  );
}

/** What expired, for the message: `The timeout`, or `Timeout "rows"` when the caller named it. */
function subject(options: SourceOptions | undefined, kind: string): string {
  if (typeof options?.name !== "string") return `The ${kind}`;
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1)} "${options.name}"`;
}
