import type { Teardown } from "./bridge.js";
import type { BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import { openSource } from "./open-source.js";
import type { SourceOptions } from "./options.js";
import { type Sink, makeSink } from "./sink.js";

/**
 * Attaches a callback or event source to `sink` and returns how to detach it (sync or async), for
 * {@link subscribe}. It may push, end or fail synchronously; a throw (or rejection) fails the stream.
 * @example
 * ```ts
 * const everySecond: Setup<number> = (sink) => {
 *   const timer = setInterval(() => sink.push(Date.now()), 1_000);
 *   return () => clearInterval(timer);
 * };
 * const stopAt = Date.now() + 5_000;
 * for await (const now of subscribe(everySecond)) if (now >= stopAt) break;
 * ```
 */
export type Setup<T> = (sink: Sink<T>) => Teardown | void | PromiseLike<Teardown | void>;

/**
 * Turns a callback or event source into an async iterator that you pull with `for await`.
 *
 * `setup` runs on the first `next()` (or at once with `lazy: false`) and returns a teardown that runs
 * exactly once, however the iteration ends: as soon as the producer calls `end()`/`fail()`, or when the
 * consumer stops. The producer may push, end or fail synchronously inside `setup`; the teardown still
 * runs. A `setup` that throws fails the stream.
 *
 * **Gotcha:** if you call `next()` by hand, you must call `return()` (or use `await using`);
 * `for await` does it for you. Values pushed before the first `next()` are only seen with `lazy: false`.
 * @param setup - attaches the source; receives a sink whose `push`, `end` and `fail` are pre-bound.
 * @param options - buffer size, overflow policy, `signal`; defaults on {@link SourceOptions}.
 * @throws {@link InvalidArgumentError} when `setup` is not a function or an option is invalid, before anything is attached.
 * @example
 * ```ts
 * const lines = subscribe<string>((sink) => {
 *   rl.on("line", sink.push).on("close", sink.end);
 *   return () => void rl.off("line", sink.push).off("close", sink.end);
 * });
 * for await (const line of lines) if (line === "quit") break; // teardown runs here
 * ```
 */
export function subscribe<T>(setup: Setup<T>, options?: SourceOptions): BridgeIterator<T> {
  return createSubscription("subscribe", setup, options, subscribe);
}

/**
 * `subscribe` under another kind name, for combinators and adapters built on it: leak reports then say
 * `merge "…"` or `grpc-responses "…"`.
 * @param caller - the public function creating it: creation stacks start at its caller.
 * @param onStoppedBeforeStart - see {@link openSource}.
 * @internal
 */
export function createSubscription<T>(
  kind: string,
  setup: Setup<T>,
  options: SourceOptions | undefined,
  caller: (...args: never[]) => unknown,
  defaults: { readonly highWaterMark: number } = { highWaterMark: 16 },
  onStoppedBeforeStart?: () => void,
): BridgeIterator<T> {
  if (typeof setup !== "function") throw new InvalidArgumentError("setup", "a function", setup);
  return openSource<T>(kind, options, defaults.highWaterMark, (core) => core.runSetup(() => setup(makeSink(core))), caller, onStoppedBeforeStart);
}
