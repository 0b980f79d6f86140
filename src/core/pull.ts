import type { BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import { openSource } from "./open-source.js";
import type { SourceOptions } from "./options.js";

/**
 * A producer function for {@link pull}: sends values, and returns (or resolves) to end the stream.
 * `send` resolves `false` once the consumer stopped: return then. `signal` aborts at the same moment.
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
 * @throws {InvalidArgumentError} when `producer` is not a function or an option is invalid.
 * @example
 * const pages = pull<Page>(async (send, signal) => {
 *   for (let url = first; url; ) { const page = await fetchPage(url, { signal }); if (!(await send(page))) return; url = page.next; }
 * });
 * for await (const page of pages) if (done(page)) break; // stops the producer, awaits its exit
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
