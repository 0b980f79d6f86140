import type { EventEmitter } from "node:events";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { Deadline, StatusObject } from "@grpc/grpc-js";
import { GrpcError } from "../grpc-error.js";
import { maxTimerMs, propagatesCancellation, resolveDeadlines, secondsBetween } from "../in-process/call-deadline.js";
import type { ParentCall } from "../in-process/call-deadline.js";
import { trackCall, untrackCall } from "../in-process/call-leak-tracker.js";
import type { CallLeakTracker, LeakReport, TrackableCall } from "../in-process/call-leak-tracker.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { inProcessPeer } from "../in-process/in-process-call.js";
import { wireMetadata } from "../in-process/wire-metadata.js";

/** The caller's options for one direct call, already validated by `asyncClient`. */
interface DirectCallOptions {
  /** Request metadata as the caller built it (the handler gets a copy). */
  readonly metadata: Metadata | undefined;
  readonly deadline: Deadline | undefined;
  readonly parent: ParentCall | undefined;
  readonly propagate_flags: number | undefined;
  /** Called once with the response headers, when the handler sends them (explicitly or before its first response). */
  readonly onHeader: ((headers: Metadata) => void) | undefined;
  /** Called once with the trailers, when the call's status arrives (not when the caller stopped it). */
  readonly onTrailer: ((trailers: Metadata) => void) | undefined;
}

/** How the caller side of a call learns what happened; implemented once per call shape. */
interface DirectCaller {
  /** The call ended with `status` (OK or not) and the caller did not stop it itself: deliver it. Once. */
  ended(status: StatusObject): void;
  /** A callback of the caller's own (`onHeader`, `onTrailer`) threw: the call is over, and this is its error. */
  failed(error: unknown): void;
}

/** Who ended a call, which decides what each side hears. */
const EndedBy = {
  /** The handler sent its status: the caller gets it; the handler side just learns the call is over. */
  Handler: 0,
  /** The call itself ended it (deadline, parent cancelled, a message the codec refused): both sides hear it. */
  Call: 1,
  /** The caller stopped it (stop, abort, a failed request iterable): only the handler side hears it. */
  Caller: 2,
} as const;
type EndedBy = (typeof EndedBy)[keyof typeof EndedBy];

const Phase = { Idle: 0, Open: 1, Ended: 2 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** How a call ended for its handler. */
const HandlerEnd = { Ended: 0, Cancelled: 1, Expired: 2 } as const;
type HandlerEnd = (typeof HandlerEnd)[keyof typeof HandlerEnd];

/** The reason the handler's signal aborts with: what the adapters' `ctx.signal` says. */
function handlerReason(end: HandlerEnd): GrpcError {
  switch (end) {
    case HandlerEnd.Ended:
      return new GrpcError(Status.CANCELLED, "The call has ended");
    case HandlerEnd.Cancelled:
      return new GrpcError(Status.CANCELLED, "Cancelled by the caller");
    case HandlerEnd.Expired:
      return new GrpcError(Status.DEADLINE_EXCEEDED, "Deadline exceeded");
  }
}

/** How early a deadline timer may fire and still count as the deadline (timers may run a little early). */
const deadlineSlackMs = 10;

/** Status details a caller's own cancel gets, as grpc-js writes them. */
const cancelledOnClient = "Cancelled on client";

/**
 * One call on the direct path: the lifecycle both sides share, whatever the call shape and however the
 * handler is written. It owns the deadlines (the caller's timer, a `grpc-timeout` the caller set, the parent's),
 * the parent's cancellation, the response headers and trailers the caller asked to see, and the single
 * decision of the final status. It tells the caller side through a {@link DirectCaller}, and the handler side
 * through its signal and the end listeners the handler's surface registers.
 *
 * It never references what the caller holds (the promise or the iterator handle), so that the leak registry's
 * GC backstop can see those collected.
 */
class DirectCall implements TrackableCall {
  /** The method: path, shape and codec. */
  readonly route: CallRoute;
  /** The handler's copy; made on first use (most handlers never look). */
  #metadata: Metadata | undefined;
  /** The handler's deadline, in ms since the epoch; `Infinity` for none. */
  readonly deadline: number;
  /** The caller's own deadline (possibly from its parent); its timer ends the call with "Deadline exceeded after …". */
  readonly #clientDeadline: number;
  /** An unreadable `grpc-timeout` the caller set: the call fails at once with INTERNAL and this text. */
  readonly #invalidTimeout: string | undefined;
  /** The parent call whose cancellation this call follows; cleared on detach. */
  #parent: ParentCall | undefined;
  readonly #onHeader: ((headers: Metadata) => void) | undefined;
  readonly #onTrailer: ((trailers: Metadata) => void) | undefined;
  #phase: Phase = Phase.Idle;
  /** The caller side; set by `start()`. */
  #caller: DirectCaller | undefined;
  /** The deadline timer (the caller's, or the handler's from `grpc-timeout`); cleared when the call ends. */
  #timer: NodeJS.Timeout | undefined;
  /** When the timer started: grpc-js's details say how long the call ran. */
  #timerStart = 0;
  /** The response headers went out (explicitly, or before the first response). */
  #headersSent = false;
  /** The final status, once decided. */
  #status: StatusObject | undefined;
  /** The handler's signal; created on first use (most handlers never look at it). */
  #controller: AbortController | undefined;
  /** Why the call ended for the handler, once it has: its signal's reason is made from this when first needed (an Error's stack costs microseconds). */
  #handlerEnd: HandlerEnd | undefined;
  /** The call was cancelled for the handler (by the caller, a deadline, a parent), not ended by the handler itself. */
  #cancelled = false;
  /** What the handler's surface wants to hear when the call ends; run once, in order. */
  #endListeners: Array<(cancelled: boolean) => void> | undefined;
  /** The call's entry in the leak registry, for calls the caller holds as a promise; until it ends. */
  #tracker: CallLeakTracker | undefined;

  /** @throws {@link InvalidArgumentError} when a deadline is not a `Deadline`. */
  constructor(route: CallRoute, options: DirectCallOptions) {
    this.route = route;
    const requested = options.metadata;
    const deadlines = resolveDeadlines(options, requested);
    // Copied now (the caller may change its object after the call started), unless there is nothing to copy.
    if (requested !== undefined) this.#metadata = wireMetadata(requested, "request");
    this.deadline = deadlines.server;
    this.#clientDeadline = deadlines.client;
    this.#invalidTimeout = deadlines.invalidTimeout;
    this.#parent = propagatesCancellation(options) ? (options.parent as ParentCall) : undefined;
    this.#onHeader = options.onHeader;
    this.#onTrailer = options.onTrailer;
  }

  /** The request metadata as the handler sees it: a copy, with grpc-js's transport keys removed. */
  get metadata(): Metadata {
    return (this.#metadata ??= new Metadata());
  }

  /** The caller can still be told something: the call started and has not ended. */
  get open(): boolean {
    return this.#phase === Phase.Open;
  }

  /** True once the call ended, however. */
  get ended(): boolean {
    return this.#phase === Phase.Ended;
  }

  /** True once the handler side was cancelled (by the caller, a deadline or a parent). */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The final status, once decided. */
  get status(): StatusObject | undefined {
    return this.#status;
  }

  /** True when something other than the caller's own stop can end the call while the handler runs. */
  get mayEndAnyTime(): boolean {
    return this.#clientDeadline !== Infinity || this.deadline !== Infinity || this.#parent !== undefined;
  }

  /**
   * Starts the call: arms the deadline timer and listens to the parent. Returns false when the call ended at
   * once (a deadline already past, an unreadable `grpc-timeout`): the handler must not run then; the caller
   * has been told.
   */
  start(caller: DirectCaller): boolean {
    if (this.#phase !== Phase.Idle) return this.#phase === Phase.Open;
    this.#phase = Phase.Open;
    this.#caller = caller;
    if (this.#invalidTimeout !== undefined) {
      this.end({ code: Status.INTERNAL, details: this.#invalidTimeout, metadata: new Metadata() }, EndedBy.Call);
      return false;
    }
    const now = Date.now();
    const clientTimer = this.#clientDeadline !== Infinity;
    const at = clientTimer ? this.#clientDeadline : this.deadline;
    if (at !== Infinity) {
      this.#timerStart = now;
      const fire = (): void => {
        this.#timer = undefined;
        // The caller's timer reports how long the call ran; the server's (grpc-timeout) just says so, as grpc-js's do.
        const details = clientTimer ? `Deadline exceeded after ${secondsBetween(this.#timerStart, Date.now())}` : "Deadline exceeded";
        this.end({ code: Status.DEADLINE_EXCEEDED, details, metadata: new Metadata() }, EndedBy.Call);
      };
      if (at <= now) {
        fire();
        return false;
      }
      if (at - now <= maxTimerMs) this.#timer = setTimeout(fire, at - now);
    }
    const parent = this.#parent;
    if (parent !== undefined) (parent as EventEmitter).on("cancelled", this.#onParentCancelled);
    return true;
  }

  /** Lists the call in the leak registry until it ends, watching `handle` (the caller's promise) weakly. */
  track(handle: object, createdBy: (...args: never[]) => unknown): void {
    if (this.#phase !== Phase.Ended) this.#tracker = trackCall(this.route.path, this, handle, createdBy);
  }

  readonly #onParentCancelled = (): void => {
    this.end({ code: Status.CANCELLED, details: "Cancelled by parent call", metadata: new Metadata() }, EndedBy.Call);
  };

  /** The handler's response headers (only the first call counts; none after the end). */
  sendHeaders(headers: Metadata | undefined): void {
    if (this.#headersSent || this.#phase !== Phase.Open) return;
    this.#headersSent = true;
    const onHeader = this.#onHeader;
    if (onHeader === undefined) return;
    const copy = headers === undefined ? new Metadata() : wireMetadata(headers, "response");
    try {
      onHeader(copy);
    } catch (error) {
      this.#callbackFailed(error);
    }
  }

  /** Headers go out before the first response, as grpc-js sends them. */
  beforeFirstResponse(): void {
    if (!this.#headersSent) this.sendHeaders(undefined);
  }

  /** The handler ended the call with `status`. */
  finish(status: { readonly code: Status; readonly details: string; readonly metadata?: Metadata | null | undefined }): boolean {
    const metadata = status.metadata == null ? new Metadata() : wireMetadata(status.metadata, "response");
    return this.end({ code: status.code, details: status.details, metadata }, EndedBy.Handler);
  }

  /** The caller stopped the call (stop, abort, a request iterable that failed). Nothing is delivered back. */
  cancelByCaller(): boolean {
    return this.end({ code: Status.CANCELLED, details: cancelledOnClient, metadata: new Metadata() }, EndedBy.Caller);
  }

  /**
   * The single way a call ends; the first decision wins. Clears the timer, leaves the parent, tells the handler
   * side (its signal aborts; its surface hears `'cancelled'`), then, unless the caller stopped the call itself,
   * gives the caller the trailers and the status. Returns false if the call had already ended.
   */
  end(status: StatusObject, by: EndedBy): boolean {
    if (this.#phase === Phase.Ended) return false;
    const started = this.#phase === Phase.Open;
    this.#phase = Phase.Ended;
    this.#status = status;
    untrackCall(this.#tracker);
    this.#tracker = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const parent = this.#parent;
    this.#parent = undefined;
    if (parent !== undefined && started) (parent as EventEmitter).removeListener("cancelled", this.#onParentCancelled);
    this.#endHandlerSide(by !== EndedBy.Handler);
    const caller = this.#caller;
    if (by === EndedBy.Caller || caller === undefined) return true;
    const onTrailer = this.#onTrailer;
    if (onTrailer !== undefined) {
      try {
        onTrailer(status.metadata);
      } catch (error) {
        caller.failed(error);
        return true;
      }
    }
    caller.ended(status);
    return true;
  }

  /** `onHeader` threw: the call is over for both sides, and the caller gets that error. */
  #callbackFailed(error: unknown): void {
    const caller = this.#caller;
    if (this.end({ code: Status.CANCELLED, details: cancelledOnClient, metadata: new Metadata() }, EndedBy.Caller)) caller?.failed(error);
  }

  // ── Handler side. ──────────────────────────────────────────────────────────────────────────

  /** Aborted when the call is over for the handler: cancelled, past its deadline, or ended. */
  get handlerSignal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#handlerEnd !== undefined) this.#controller.abort(handlerReason(this.#handlerEnd));
    }
    return this.#controller.signal;
  }

  /** Runs `listener` once when the call ends (at once if it has), with whether the handler was cancelled. */
  onEnd(listener: (cancelled: boolean) => void): void {
    if (this.#phase === Phase.Ended) {
      listener(this.#cancelled);
      return;
    }
    (this.#endListeners ??= []).push(listener);
  }

  #endHandlerSide(cancelled: boolean): void {
    this.#cancelled = cancelled;
    const deadline = this.deadline;
    // As the adapters say it: DEADLINE_EXCEEDED when the deadline has passed, CANCELLED otherwise.
    this.#handlerEnd = !cancelled ? HandlerEnd.Ended : deadline !== Infinity && deadline <= Date.now() + deadlineSlackMs ? HandlerEnd.Expired : HandlerEnd.Cancelled;
    this.#controller?.abort(handlerReason(this.#handlerEnd));
    const listeners = this.#endListeners;
    this.#endListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener(cancelled);
  }

  // ── Leak registry. ─────────────────────────────────────────────────────────────────────────

  leakReport(): LeakReport {
    const route = this.route;
    const kind = route.requestStream ? (route.responseStream ? "bidi-streaming" : "client-streaming") : route.responseStream ? "server-streaming" : "unary";
    const parts = [`${kind} call on the direct path`];
    parts.push(this.#phase === Phase.Idle ? "not started" : this.#phase === Phase.Open ? "the handler has not ended the call (no status yet)" : "ended");
    parts.push(this.#clientDeadline === Infinity ? "no deadline" : `deadline in ${Math.max(0, this.#clientDeadline - Date.now())} ms`);
    return {
      snapshot: { phase: this.#phase === Phase.Idle ? "not started" : "open", buffered: 0, pendingNext: this.#phase === Phase.Open ? 1 : 0, pendingSend: 0 },
      state: parts.join("; "),
      advice:
        "The handler never ended the call: make it answer on every path (return, throw a GrpcError, `callback(…)`, `call.end()`), give the call a `deadline`, or pass a `signal` and abort it.",
    };
  }

  cancelForLeakCheck(): void {
    this.end({ code: Status.CANCELLED, details: "Cancelled by sluice's leak check: the call was left open", metadata: new Metadata() }, EndedBy.Call);
  }
}

export { DirectCall, EndedBy, cancelledOnClient, inProcessPeer };
export type { DirectCallOptions, DirectCaller };
