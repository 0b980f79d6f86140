import type { BridgeCore } from "./bridge.js";

/**
 * The producer side of a bridge. Every method is pre-bound: pass `sink.push` straight to an event
 * emitter.
 * @example
 * ```ts
 * // Flow control for an event source: pause it when push() says the buffer is full, resume on ready().
 * const chunks = subscribe<Buffer>((sink) => {
 *   const onData = (chunk: Buffer): void => {
 *     if (sink.push(chunk)) return;
 *     socket.pause();
 *     void sink.ready().then((open) => open && socket.resume()); // false: the consumer stopped
 *   };
 *   socket.on("data", onData).once("end", sink.end).once("error", sink.fail);
 *   return () => void socket.off("data", onData).off("end", sink.end).off("error", sink.fail);
 * });
 * ```
 */
export interface Sink<T> {
  /**
   * Offers a value without waiting, like Node's `Writable#write`. Under `overflow: "wait"` the value is
   * always buffered, and `false` means "at or over highWaterMark: wait for `ready()`". Under a drop
   * policy, `false` means the value was dropped. After the consumer stopped, the value is dropped and
   * `false` returned.
   * @throws {@link SluiceError} `ERR_SLUICE_PUSH_AFTER_END` after your own `end()` or `fail()`.
   */
  readonly push: (value: T) => boolean;
  /**
   * Offers a value and waits for room: resolves `true` at once while the value is within highWaterMark;
   * otherwise, once the consumer has drained the buffer to half of it (at `highWaterMark: 0`, once a
   * consumer has taken the value), so a waiting producer refills in a burst; `false` once the consumer stopped — so
   * `if (!(await send(v))) return` is the whole producer loop. Under a drop policy it resolves at once,
   * `true` even when the policy dropped a value (use `push` to learn about drops); under
   * `overflow: "error"`, `false` when this value overflowed and failed the stream.
   * Rejects with `ERR_SLUICE_PUSH_AFTER_END` after your own `end()` or `fail()`.
   */
  readonly send: (value: T) => Promise<boolean>;
  /**
   * Resolves `true` at once while a `push` would be within highWaterMark; otherwise once the buffer has
   * drained to half of it (like a `Writable`'s `'drain'`), or a consumer waits in `next()`. `false` once
   * the stream is finished.
   */
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
