import { BridgeCore } from "./bridge.js";
import { BridgeHandle, type BridgeIterator } from "./bridge-iterator.js";
import { type BridgeOptions, resolveOptions } from "./options.js";
import { trackBridge } from "./registry.js";
import type { Sink } from "./sink.js";

/**
 * A free-standing bridge: push into it from anywhere, pull from it with `for await`.
 *
 * One object with both ends: the producer methods of {@link Sink} (pre-bound) and the consumer methods of
 * {@link BridgeIterator}. Hand each party only its side's type.
 * @example
 * ```ts
 * const jobs: Channel<Row> = channel({ name: "jobs" });
 * const producer: Sink<Row> = jobs; // push, send, ready, end, fail, signal
 * const consumer: BridgeIterator<Row> = jobs; // next, nextBatch, return, stop, for await
 * ```
 */
export interface Channel<T> extends BridgeIterator<T>, Sink<T> {}

class ChannelHandle<T> extends BridgeHandle<T> implements Channel<T> {
  readonly push: (value: T) => boolean;
  readonly send: (value: T) => Promise<boolean>;
  readonly ready: () => Promise<boolean>;
  readonly end: () => void;
  readonly fail: (error: unknown) => void;
  readonly #core: BridgeCore<T>; // the same bridge the consumer methods use

  constructor(core: BridgeCore<T>) {
    super(core);
    this.#core = core;
    // Bound, so that `emitter.on("data", ch.push)` works.
    this.push = (value) => core.push(value);
    this.send = (value) => core.send(value);
    this.ready = () => core.ready();
    this.end = () => core.end();
    this.fail = (error) => core.fail(error);
  }

  get signal(): AbortSignal {
    return this.#core.signal;
  }
}

/**
 * Creates a free-standing push→pull bridge: the producer calls `push`/`send`/`end`/`fail` on it, the
 * consumer iterates it.
 *
 * **Gotcha:** `push` never waits: under the default `overflow: "wait"` it buffers every value and
 * returns `false` past highWaterMark, so a producer that ignores the `false` grows the buffer. Use
 * `await send(v)` (or `ready()`) to honour backpressure.
 * @param options - buffer size, overflow policy, `signal`, `name`; see {@link BridgeOptions}.
 * @throws {@link InvalidArgumentError} when an option is invalid.
 * @example
 * ```ts
 * const ch = channel<string>({ highWaterMark: 0 });
 * void (async () => {
 *   for (const s of ["a", "b"]) if (!(await ch.send(s))) return; // false: the consumer stopped
 *   ch.end();
 * })();
 * for await (const s of ch) console.log(s);
 * ```
 */
export function channel<T>(options?: BridgeOptions): Channel<T> {
  const core = new BridgeCore<T>(resolveOptions(options, { name: "channel", highWaterMark: 16 }), "channel");
  core.setStart(undefined);
  const handle = new ChannelHandle(core);
  if (!core.closed) trackBridge(handle, core, channel);
  return handle;
}
