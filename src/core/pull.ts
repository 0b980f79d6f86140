import type { BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import { openSource } from "./open-source.js";
import type { SourceOptions } from "./options.js";

/**
 * A producer function for {@link pull}: sends values, and returns (or resolves) to end the stream.
 * `send` resolves `false` once the consumer stopped: return then. `signal` aborts at the same moment.
 * A throw or rejection fails the stream after the values already sent.
 * @example
 * ```ts
 * const countdown: Producer<number> = async (send) => {
 *   for (let i = 3; i > 0; i -= 1) if (!(await send(i))) return;
 * };
 * for await (const n of pull(countdown)) console.log(n); // 3, 2, 1
 * ```
 */
export type Producer<T> = (send: (value: T) => Promise<boolean>, signal: AbortSignal) => void | PromiseLike<void>;

/**
 * Go's `iter.Pull` for JavaScript: runs `producer` on the first `next()`, handing values over as the
 * consumer pulls them. The producer's return ends the stream; its throw or rejection errors it (after
 * the values already sent).
 *
 * **Gotcha:** `stop()` (and so `for await`'s early exit) waits for the producer to return. A producer
 * must stop when `send` resolves `false` or its `signal` aborts, or `stop()` waits for it forever.
 * @param producer - `(send, signal) => Promise<void>`: `await send(v)` for each value.
 * @param options - defaults to a rendezvous (`highWaterMark: 0`: the producer runs one value ahead of
 * the consumer, like an async generator); see {@link SourceOptions}.
 * @throws {@link InvalidArgumentError} when `producer` is not a function or an option is invalid.
 * @example
 * ```ts
 * const pages = pull<Page>(async (send, signal) => {
 *   for (let url: string | undefined = "https://api.example.com/rows"; url !== undefined; ) {
 *     const page = await fetchPage(url, { signal }); // aborted once the consumer stops
 *     if (!(await send(page))) return; // false: the consumer stopped
 *     url = page.next;
 *   }
 * });
 * for await (const page of pages) if (page.rows.length === 0) break; // stops the producer, awaits its exit
 * ```
 */
export function pull<T>(producer: Producer<T>, options?: SourceOptions): BridgeIterator<T> {
  if (typeof producer !== "function") throw new InvalidArgumentError("producer", "a function", producer);
  return openSource<T>(
    "pull",
    options,
    0,
    (core) => {
      const send = (value: T): Promise<boolean> => core.send(value);
      let result: unknown;
      try {
        result = producer(send, core.signal);
      } catch (error) {
        core.fail(error);
        return;
      }
      core.followProducer(result);
    },
    pull,
  );
}
