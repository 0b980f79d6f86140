import type { BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import type { SourceOptions } from "./options.js";
import { createSubscription } from "./subscribe.js";

/**
 * Anything with Node's `EventEmitter` methods `on` and `removeListener`: an `EventEmitter`, a `Readable`,
 * a socket, a child process, a grpc-js call… Matched by shape: sluice imports nothing from Node.
 * @example
 * ```ts
 * import { EventEmitter } from "node:events";
 * const emitter: EventEmitterLike = new EventEmitter();
 * ```
 */
export interface EventEmitterLike {
  /** Adds `listener` for `event`. */
  on(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
  /** Removes `listener` from `event`. */
  removeListener(event: string | symbol, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Anything with the DOM's `addEventListener` and `removeEventListener`: an `EventTarget`, a `WebSocket`,
 * a `Worker`, an `AbortSignal`, a DOM element… Matched by shape.
 * @example
 * ```ts
 * const target: EventTargetLike = new EventTarget();
 * ```
 */
export interface EventTargetLike {
  /** Adds `listener` for events of `type`. */
  addEventListener(type: string, listener: (event: unknown) => void): unknown;
  /** Removes `listener` from events of `type`. */
  removeEventListener(type: string, listener: (event: unknown) => void): unknown;
}

/**
 * Options of {@link on}: the events that end or fail the stream, and every bridge option.
 * @example
 * ```ts
 * // Lines until the stream ends; an 'error' event fails the loop after the lines already buffered.
 * const options: OnOptions = { endOn: "close", highWaterMark: 1_000, overflow: "drop-oldest", name: "log-lines" };
 * for await (const line of on<string>(rl, "line", options)) console.log(line);
 * ```
 */
export interface OnOptions extends SourceOptions {
  /**
   * Events that end the stream: the buffered values are delivered, then `done` (`"end"` for a
   * `Readable`, `"close"` for a readline interface or a `WebSocket`).
   * @default [] (only the consumer, a `failOn` event or the `signal` ends it)
   */
  readonly endOn?: string | symbol | readonly (string | symbol)[];
  /**
   * Events that fail the stream: the buffered values are delivered, then `next()` rejects with the
   * event's first argument (an `EventTarget`'s event: its `error` property when it has one, as an
   * `ErrorEvent` does, else the event itself). Listening to `"error"` also keeps an `EventEmitter` from
   * throwing it while the bridge is open. `[]` listens to no error event.
   * @default "error" (`[]` when `event` itself is `"error"`)
   */
  readonly failOn?: string | symbol | readonly (string | symbol)[];
  /**
   * Yield every argument of an emitter's event as an array (as Node's `events.on` does), instead of
   * the first argument only.
   * @default false
   */
  readonly multiArgs?: boolean;
  /**
   * Attach the listeners at once (`false`: events emitted before the first `next()` are buffered, as
   * with Node's `events.on`), or on the first `next()` (`true`).
   * @default false
   */
  readonly lazy?: boolean;
  /**
   * A name for leak reports and error messages.
   * @default the event's name
   */
  readonly name?: string;
}

type EventName = string | symbol; // internal shorthand; the public signatures spell it out
type Listener = (...args: unknown[]) => void;

/** How to attach to and detach from a target, by the API it has. */
interface Listening {
  add(event: EventName, listener: Listener): void;
  remove(event: EventName, listener: Listener): void;
  readonly isTarget: boolean; // an EventTarget: listeners get one Event; names must be strings
}

/**
 * An `EventEmitter` or `EventTarget` event as a bridge, in one call: every event's value in order, with
 * stop, backpressure options, cancellation and leak tracking.
 *
 * The listeners are attached at once (see `lazy`) and removed exactly once, however the stream ends: an
 * `endOn` event (then `done` after the buffered values), a `failOn` event (then the buffered values and the
 * error; `"error"` by default), `stop()`/`return()`/`break`, or the `signal`. An emitter cannot be slowed
 * down, so `highWaterMark` and `overflow` decide what happens when the consumer falls behind: under the
 * default `"wait"` the buffer grows (the leak report shows how many values wait); `"drop-oldest"` keeps
 * the latest values, `"error"` fails the stream. For a `Readable` whose data can wait, `fromReadable`
 * of `sluice/node` pauses it instead.
 *
 * **Gotcha:** with `lazy: false` (the default) the listeners are attached before the first `next()`, so
 * an `on()` you never iterate keeps them until you call `return()`, and the leak checks report it.
 * @param target - an `EventEmitter`-like (`on`/`removeListener`) or an `EventTarget`-like
 *   (`addEventListener`/`removeEventListener`) object; emitters are preferred when it has both.
 * @param event - the event to listen to.
 * @param options - `endOn`, `failOn`, `multiArgs` and the bridge options; see {@link OnOptions}.
 * @returns an iterator of the events' values (their first argument, an `EventTarget`'s `Event`).
 * @throws {@link InvalidArgumentError} when `target` has neither API or an argument is invalid, before anything is attached.
 * @example
 * ```ts
 * import { on } from "sluice";
 * // readline's lines until it closes; an 'error' event would fail the loop after the lines already buffered.
 * for await (const line of on<string>(rl, "line", { endOn: "close", signal: AbortSignal.timeout(60_000) })) {
 *   if (line === "quit") break; // the listeners are removed here
 * }
 * ```
 */
export function on<T = unknown>(target: EventEmitterLike | EventTargetLike, event: string | symbol, options?: OnOptions): BridgeIterator<T> {
  const listening = listeningTo(target);
  if (!isEventName(event, listening.isTarget)) throw new InvalidArgumentError("event", listening.isTarget ? "a string" : "a string or a symbol", event);
  if (options !== undefined && (options === null || typeof options !== "object")) throw new InvalidArgumentError("options", "an object", options);
  const endOn = eventNames(options?.endOn, [], "endOn", listening.isTarget);
  const failOn = eventNames(options?.failOn, event === "error" ? [] : ["error"], "failOn", listening.isTarget);
  const multiArgs = options?.multiArgs ?? false;
  if (typeof multiArgs !== "boolean") throw new InvalidArgumentError("multiArgs", "a boolean", multiArgs);
  const sourceOptions: SourceOptions = { ...options, lazy: options?.lazy ?? false, name: options?.name ?? String(event) };
  return createSubscription<T>(
    "on",
    (sink) => {
      const onValue: Listener = multiArgs ? (...args: unknown[]) => void sink.push(args as T) : (value: unknown) => void sink.push(value as T);
      const onEnd: Listener = () => sink.end();
      const onFail: Listener = listening.isTarget ? (e: unknown) => sink.fail(errorOfEvent(e)) : (error: unknown) => sink.fail(error);
      listening.add(event, onValue);
      for (const name of endOn) listening.add(name, onEnd);
      for (const name of failOn) listening.add(name, onFail);
      return () => {
        listening.remove(event, onValue);
        for (const name of endOn) listening.remove(name, onEnd);
        for (const name of failOn) listening.remove(name, onFail);
      };
    },
    sourceOptions,
    on,
  );
}

function listeningTo(target: unknown): Listening {
  if ((typeof target === "object" || typeof target === "function") && target !== null) {
    const emitter = target as Partial<EventEmitterLike>;
    if (typeof emitter.on === "function" && typeof emitter.removeListener === "function") {
      const e = emitter as EventEmitterLike;
      return { add: (name, listener) => void e.on(name, listener), remove: (name, listener) => void e.removeListener(name, listener), isTarget: false };
    }
    const eventTarget = target as Partial<EventTargetLike>;
    if (typeof eventTarget.addEventListener === "function" && typeof eventTarget.removeEventListener === "function") {
      const t = eventTarget as EventTargetLike;
      return {
        add: (name, listener) => void t.addEventListener(name as string, listener),
        remove: (name, listener) => void t.removeEventListener(name as string, listener),
        isTarget: true,
      };
    }
  }
  throw new InvalidArgumentError("target", "an EventEmitter (on/removeListener) or an EventTarget (addEventListener/removeEventListener)", target);
}

function isEventName(value: unknown, isTarget: boolean): value is EventName {
  return typeof value === "string" || (!isTarget && typeof value === "symbol");
}

function eventNames(value: unknown, fallback: readonly EventName[], option: string, isTarget: boolean): readonly EventName[] {
  if (value === undefined) return fallback;
  const names = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const name of names) {
    if (!isEventName(name, isTarget)) throw new InvalidArgumentError(option, isTarget ? "an event name or an array of them (strings)" : "an event name or an array of them", value);
  }
  return names as EventName[];
}

/** The error an `EventTarget`'s error event carries: an `ErrorEvent`'s `error`, else the event itself. */
function errorOfEvent(event: unknown): unknown {
  const error = (event as { error?: unknown } | null)?.error;
  return error === undefined ? event : error;
}
