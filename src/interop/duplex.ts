/**
 * A duplex in the shape of it-stream-types' `Duplex` (`{ source, sink }`), for it-pipe and libp2p-style
 * code, built from two sluice channels and `drive`: the end of a stream that your code holds.
 */
import type { BridgeIterator } from "../core/bridge-iterator.js";
import { type Channel, channel } from "../core/channel.js";
import { drive } from "../core/drive.js";
import { AbortError, InvalidArgumentError } from "../core/errors.js";
import type { Sink } from "../core/sink.js";

/**
 * Options of {@link duplex}.
 * @example
 * ```ts
 * await using peer = duplex<Uint8Array>({ highWaterMark: 4, signal: AbortSignal.timeout(10_000), name: "peer-7" });
 * ```
 */
export interface DuplexOptions {
  /**
   * How many values each direction buffers before pushing back: what you `send()` into `source` and
   * nobody read yet, and what `sink()` pulled from its input and you did not read from `incoming` yet.
   * `0` hands each value over only when the other side asks for it.
   * @default 16
   */
  readonly highWaterMark?: number;
  /**
   * Aborting it closes the duplex: pending and later reads of `source` and `incoming` reject with an
   * `AbortError` (`cause`: the signal's reason), `sink()` stops pulling its input and rejects with one.
   * @default undefined (only `close()` or both directions finishing end the duplex)
   */
  readonly signal?: AbortSignal;
  /**
   * A name for leak reports: the two directions are listed as `<name>.source` and `<name>.sink`.
   * @default "duplex"
   */
  readonly name?: string;
}

/**
 * Your end of a stream, and the it-stream-types face of it. A pipe reads `source` and writes with
 * `sink()`; you write what `source` yields through `outgoing` and read what `sink()` received from
 * `incoming`. Either direction is finished once its writer ended it and its reader read it to the end,
 * or its reader stopped; `close()` stops both at once.
 * @example
 * ```ts
 * import type { Duplex, Source } from "it-stream-types";
 * await using endpoint = duplex<Uint8Array>();
 * const stream: Duplex<AsyncIterable<Uint8Array>, Source<Uint8Array>, Promise<void>> = endpoint;
 * ```
 */
export interface DuplexEndpoint<TSource, TSink = TSource> extends AsyncDisposable {
  /**
   * What the pipe reads: the values written to `outgoing`, in order. A sluice iterator: breaking out of
   * it stops it, and then `outgoing.send()` resolves `false` and `outgoing.signal` aborts.
   */
  readonly source: BridgeIterator<TSource>;
  /**
   * What the pipe writes into: pulls `source` into `incoming`, one value at a time, waiting whenever
   * `highWaterMark` values are unread. Resolves once the input is exhausted (`incoming` then ends after its
   * values), or once `incoming`'s reader stopped or the duplex was closed (the input's `return()` was
   * called and has finished). Rejects with the input's error (which `incoming` delivers after the values
   * before it), or an `AbortError` when the `signal` option aborted. Pre-bound: it-pipe calls it as a
   * plain function. Call it once.
   */
  readonly sink: (source: AsyncIterable<TSink> | Iterable<TSink>) => Promise<void>;
  /** Your writer for `source`: `push`, `send`, `ready`, `end`, `fail`, `signal` (see the core's `Sink`). */
  readonly outgoing: Sink<TSource>;
  /** Your reader for what `sink()` received. Stopping it (break, `return()`) stops `sink()` pulling. */
  readonly incoming: BridgeIterator<TSink>;
  /**
   * Closes both directions at once, idempotently: readers of `source` and `incoming` get done, buffered
   * values are dropped, `outgoing.send()` resolves `false`, and `sink()` stops pulling its input. Resolves
   * once the input's `return()` has finished.
   * @param reason - the `cause` of the `AbortError` that aborts `outgoing.signal`.
   */
  close(reason?: unknown): Promise<void>;
  /** Same as `close()`: `await using conn = duplex()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const noop = (): void => {};

class DuplexHandle<TSource, TSink> implements DuplexEndpoint<TSource, TSink> {
  readonly source: BridgeIterator<TSource>;
  readonly outgoing: Sink<TSource>;
  readonly incoming: BridgeIterator<TSink>;
  readonly sink: (source: AsyncIterable<TSink> | Iterable<TSink>) => Promise<void>;
  readonly #outgoing: Channel<TSource>; // written by you, read by the pipe through `source`
  readonly #incoming: Channel<TSink>; // written by sink(), read by you through `incoming`
  readonly #signal: AbortSignal | undefined; // the `signal` option: an abort makes sink() reject
  #draining: Promise<void> | undefined; // sink()'s drive, settled either way; set by the one sink() call

  constructor(options: DuplexOptions | undefined) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new InvalidArgumentError("options", "an object", options);
    }
    const { highWaterMark, signal, name = "duplex" } = options ?? {};
    if (typeof name !== "string") throw new InvalidArgumentError("name", "a string", name);
    const shared = { ...(highWaterMark === undefined ? {} : { highWaterMark }), ...(signal === undefined ? {} : { signal }) };
    this.#outgoing = channel<TSource>({ ...shared, name: `${name}.source` });
    this.#incoming = channel<TSink>({ ...shared, name: `${name}.sink` });
    this.#signal = signal;
    this.source = this.#outgoing;
    this.outgoing = this.#outgoing;
    this.incoming = this.#incoming;
    this.sink = (source) => this.#sink(source);
  }

  #sink(source: AsyncIterable<TSink> | Iterable<TSink>): Promise<void> {
    if (this.#draining !== undefined) {
      return Promise.reject(new InvalidArgumentError("sink", "called once per duplex (a second source was given)", source));
    }
    let input: AsyncIterable<TSink>;
    try {
      input = asAsyncIterable(source);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const incoming = this.#incoming;
    // The incoming channel's producer signal aborts when its reader stops, on close(), and on the `signal`
    // option: each of them stops the drive, which then calls the input's return().
    const stopped = incoming.signal;
    const run = drive(
      input,
      {
        write: incoming.push,
        waitForDrain: async () => {
          if (!(await incoming.ready())) throw new AbortError("The duplex's incoming reader stopped");
        },
        end: incoming.end,
        fail: incoming.fail,
      },
      { signal: stopped },
    );
    this.#draining = run.then(noop, noop); // close() waits for it; its outcome belongs to sink()'s caller
    return run.catch((error: unknown) => {
      if (!stopped.aborted) throw error; // the input failed (incoming delivers the error too)
      const signal = this.#signal;
      if (signal?.aborted === true) throw new AbortError("The duplex was aborted", { cause: signal.reason });
      // The reader of `incoming` stopped, or the duplex was closed: the sink finished early, normally.
    });
  }

  async close(reason?: unknown): Promise<void> {
    await Promise.all([this.#outgoing.stop(reason), this.#incoming.stop(reason), this.#draining]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** An `Iterable` read as an `AsyncIterable` (it-stream-types' `Source` may be either), forwarding `return()`. */
function asAsyncIterable<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterable<T> {
  if (typeof (source as AsyncIterable<T> | null)?.[Symbol.asyncIterator] === "function") return source as AsyncIterable<T>;
  if (typeof (source as Iterable<T> | null)?.[Symbol.iterator] !== "function") {
    throw new InvalidArgumentError("source", "an async iterable or an iterable", source);
  }
  return {
    [Symbol.asyncIterator]: () => {
      const iterator = (source as Iterable<T>)[Symbol.iterator]();
      return {
        next: async () => iterator.next(),
        return: async () => iterator.return?.() ?? { done: true, value: undefined },
      };
    },
  };
}

/**
 * Creates your end of a stream as an it-stream-types `Duplex`: `source` for the pipe to read, fed by
 * `outgoing`; `sink(source)` for the pipe to write, read by you through `incoming`. Both directions are
 * sluice channels, so backpressure holds end to end, a pipe that stops reading stops your writer, you
 * stopping your reader stops the pipe's source, and both appear in the leak registry until finished.
 *
 * **Gotcha:** a duplex holds two bridges: finish both (end `outgoing` and read `source` to the end; read
 * `incoming` to the end or stop it), or `close()` it (`await using` does), or `assertNoLeaks()` reports
 * the direction left open. A duplex used only as a pipe's first element still needs its `incoming`
 * stopped: `close()` it when done.
 * @param options - `highWaterMark` per direction, `signal`, `name`; see {@link DuplexOptions}.
 * @throws {InvalidArgumentError} when an option is invalid.
 * @example
 * ```ts
 * import { pipe } from "it-pipe";
 * // A fake remote peer that answers each request, for testing libp2p-style protocol code.
 * await using remote = duplex<string>();
 * void (async () => {
 *   for await (const request of remote.incoming) if (!(await remote.outgoing.send(request.toUpperCase()))) break;
 *   remote.outgoing.end();
 * })();
 * const answers = await pipe(["ping", "pong"], remote, async (source) => {
 *   const all: string[] = [];
 *   for await (const answer of source) all.push(answer);
 *   return all; // ["PING", "PONG"]
 * });
 * ```
 */
export function duplex<TSource, TSink = TSource>(options?: DuplexOptions): DuplexEndpoint<TSource, TSink> {
  return new DuplexHandle<TSource, TSink>(options);
}
