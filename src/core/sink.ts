import type { BridgeCore } from "./bridge.js";

/**
 * The producer side of a bridge. Every method is pre-bound: pass `sink.push` straight to an event
 * emitter.
 */
export interface Sink<T> {
  /**
   * Offers a value without waiting, like Node's `Writable#write`. Under `overflow: "wait"` the value is
   * always buffered, and `false` means "at or over highWaterMark: wait for `ready()`". Under a drop
   * policy, `false` means the value was dropped. After the consumer stopped, the value is dropped and
   * `false` returned.
   * @throws {SluiceError} `ERR_SLUICE_PUSH_AFTER_END` after your own `end()` or `fail()`.
   */
  readonly push: (value: T) => boolean;
  /**
   * Offers a value and waits for room: resolves `true` once the value is within highWaterMark (at
   * `highWaterMark: 0`, once a consumer has taken it), `false` once the consumer stopped — so
   * `if (!(await send(v))) return` is the whole producer loop. Under a drop policy it resolves at once,
   * `true` even when the policy dropped a value (use `push` to learn about drops); under
   * `overflow: "error"`, `false` when this value overflowed and failed the stream.
   * Rejects with `ERR_SLUICE_PUSH_AFTER_END` after your own `end()` or `fail()`.
   */
  readonly send: (value: T) => Promise<boolean>;
  /** Resolves `true` when a `push` would be within highWaterMark, `false` once the stream is finished. */
  readonly ready: () => Promise<boolean>;
  /** Ends the stream: the consumer gets the buffered values, then `done`. Idempotent. */
  readonly end: () => void;
  /** Fails the stream: the consumer gets the buffered values, then `next()` rejects with `error` once. */
  readonly fail: (error: unknown) => void;
  /** Aborted when the consumer stops (reason: an `AbortError` whose `cause` is the stop reason). */
  readonly signal: AbortSignal;
}

/** Pre-bound producer functions over a bridge. They hold the bridge, never the consumer handle. @internal */
export function makeSink<T>(core: BridgeCore<T>): Sink<T> {
  return {
    push: (value) => core.push(value),
    send: (value) => core.send(value),
    ready: () => core.ready(),
    end: () => core.end(),
    fail: (error) => core.fail(error),
    get signal() {
      return core.signal;
    },
  };
}
