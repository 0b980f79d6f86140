import type { EventEmitter } from "node:events";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { CallOptions, InterceptingListener, NextCall, StatusObject } from "@grpc/grpc-js";
import { maxTimerMs, propagatesCancellation, resolveDeadlines, secondsBetween } from "./call-deadline.js";
import type { DeadlineOptions, ParentCall } from "./call-deadline.js";
import { trackCall, untrackCall } from "./call-leak-tracker.js";
import type { CallLeakTracker, LeakReport, TrackableCall } from "./call-leak-tracker.js";
import type { DirectHandler } from "../adapters/direct-handler.js";
import type { MessageCodec } from "./message-modes.js";
import { createNoopMetricsRecorder, emptyAuthContext } from "./server-calls/server-surface.js";
import { wireMetadata } from "./wire-metadata.js";
import { batchedWrite } from "./server-calls/server-call-port.js";
import type { ServerCallListener, ServerCallPort } from "./server-calls/server-call-port.js";

/** The object grpc-js's `InterceptingCall` wraps: what a client interceptor's `nextCall` returns. */
type InterceptingCallInterface = ReturnType<NextCall>;
type MessageContext = Parameters<InterceptingCallInterface["sendMessageWithContext"]>[0];

/** What the client side knows about the method, resolved once per client. */
interface CallRoute {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly codec: MessageCodec;
  /** Starts the server side (the handler, behind the server interceptors) on the given port; the drop-in runs it one tick after `start()`. */
  readonly dispatch: (port: ServerCallPort) => void;
  /**
   * The user's own function when the handler was written with an adapter and no server interceptor must see
   * the call: the direct path then calls it itself. `undefined` otherwise (the direct path dispatches).
   */
  readonly direct?: DirectHandler | undefined;
}

/** Lifecycle of the whole call, as the caller sees it. Ordered: a call only moves forward. */
const Phase = {
  /** Created; `start()` not called yet. */
  Idle: 0,
  /** Started; no final status decided yet. */
  Open: 1,
  /** A final status is decided (server status, cancel or deadline) but not yet delivered. */
  Ending: 2,
  /** The status reached the caller's listener; nothing more happens on the client side. */
  Closed: 3,
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** One request in flight to the handler: a message with its write callback, or the half-close. */
type RequestEntry = { readonly message: unknown; readonly written: (() => void) | undefined } | "half-close";
/** One response in flight to the caller, with the handler-side write callback. */
interface ResponseEntry {
  readonly message: unknown;
  readonly written: () => void;
}

/**
 * Where the client puts the caller's call object (the grpc-js `ClientReadableStream` and so on) in the
 * call options that reach the in-process interceptor: the leak registry watches it (weakly).
 */
const callHandle: unique symbol = Symbol("sluice in-process call handle");
/** Call options as the in-process interceptor receives them. */
type InProcessCallOptions = CallOptions & { readonly [callHandle]?: object };

const callKinds = ["unary", "server-streaming", "client-streaming", "bidi-streaming"] as const;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Peer string reported on both sides of an in-process call (grpc-js reports `ip:port`). */
const inProcessPeer = "in-process";


/**
 * One in-process call: the bottom of the client's interceptor chain on one side, the server call
 * that the handler's call object drives on the other. It plays the part of grpc-js's channel,
 * HTTP/2 stream and server call at once, with the same observable rules:
 *
 * - one message per `startRead()`, both ways; a write's callback fires when the other side has
 *   taken the message (so `write()` backpressure works through the two objectMode buffers), on a
 *   tick of its own when the caller took it inside its `startRead()`;
 * - an OK status reaches the caller only after every message was read; a non-OK status ends the
 *   call without waiting for reads (a handler's error still lets a pending read take the message
 *   sent just before it; a cancel or deadline drops everything undelivered);
 * - the caller's events are always delivered on a later tick than the handler action that caused
 *   them, and the handler never runs inside the caller's stack (as over a socket). A response the
 *   handler queued earlier is handed over inside the caller's `startRead()`, as a Readable's
 *   `_read` may `push()`: with the handler's writes batched (`_writev`), the caller's Readable then
 *   fills up to its highWaterMark in one tick instead of taking one message per two ticks.
 */
class InProcessCall implements InterceptingCallInterface, TrackableCall {
  /** The method: path, codec and how to start its handler; fixed for the call's life. */
  readonly #route: CallRoute;
  /** Where the call is in its life, as the caller sees it; only moves forward. */
  #phase: Phase = Phase.Idle;
  /** The listener the interceptor chain gave to `start()`; set once, kept for delivery. */
  #listener: InterceptingListener | undefined;
  /** Request metadata as the handler sees it (a copy); set by `start()`. */
  #requestMetadata: Metadata | undefined;
  /** The call options its deadlines come from; read by `start()`, which also needs the request metadata. */
  readonly #deadlineOptions: DeadlineOptions;
  /** The caller's absolute deadline in ms (Infinity when none), after parent propagation; set by `start()`. */
  #deadline = Infinity;
  /** The handler's: the caller's, or from a `grpc-timeout` request key when the caller has none; set by `start()`. */
  #serverDeadline = Infinity;
  /** Set while a deadline timer runs; cleared when the call closes. */
  #deadlineTimer: NodeJS.Timeout | undefined;
  /** When the deadline timer started, for grpc-js's "Deadline exceeded after …" details. */
  #deadlineStart = 0;
  /** Removes our `'cancelled'` listener from the parent call; set when propagating cancellation. */
  #detachParent: (() => void) | undefined;
  /** The caller's call object, from the options until `start()` hands it to the leak registry; then cleared. */
  #handle: object | undefined;
  /** This call's entry in the leak registry, from `start()` until the status reached the caller. */
  #tracker: CallLeakTracker | undefined;
  /** The caller half-closed (ended its requests). */
  #halfClosed = false;

  // Caller → handler.
  /** Requests not yet taken by the handler, in order; `#requestHead` indexes the next one. */
  #requests: RequestEntry[] = [];
  #requestHead = 0;
  /** The handler side asked for one more request (`startRead`). */
  #serverReadPending = false;
  /** The handler side's listener; set when the handler is dispatched. */
  #serverListener: ServerCallListener | undefined;
  /** The handler side learnt the call is over (`onCancel` scheduled); set once. */
  #serverFinished = false;

  // Handler → caller.
  /** Response headers the handler sent, waiting for delivery; `undefined` once delivered, or if none were sent. */
  #pendingHeaders: Metadata | undefined;
  /** The handler sent (or implicitly sent) its headers. */
  #headersSent = false;
  /** Responses not yet taken by the caller; `#responseHead` indexes the next one. */
  #responses: ResponseEntry[] = [];
  #responseHead = 0;
  /** The caller asked for one more response (`startRead`). */
  #clientReadPending = false;
  /** The caller received at least one message (grpc-js's unary wrapper reports `null` otherwise). */
  #receivedMessage = false;
  /** The final status, once decided; delivered after the responses when OK. */
  #status: StatusObject | undefined;

  /** A flush toward the caller is scheduled. */
  #clientFlushScheduled = false;
  /** A flush toward the handler is scheduled. */
  #serverFlushScheduled = false;
  /**
   * Write callbacks of responses the caller took inside its own `startRead()`, in order, waiting
   * for their tick (see `startRead`); `#writtenHead` indexes the next one to fire.
   */
  #deferredWritten: Array<() => void> = [];
  #writtenHead = 0;

  /** The handler's view of this call, handed to the server call objects. */
  readonly server: ServerCallPort;

  /** @throws {TypeError} grpc-js's own, when `deadline` is not a number or a `Date` (before anything is registered). */
  constructor(route: CallRoute, options: InProcessCallOptions) {
    const deadline = options.deadline;
    if (deadline !== undefined && typeof deadline !== "number" && !(deadline instanceof Date)) {
      throw new TypeError("Channel#createCall: deadline must be a number or Date");
    }
    this.#route = route;
    this.#handle = options[callHandle];
    this.#deadlineOptions = options;
    if (propagatesCancellation(options)) this.#watchParent(options.parent as ParentCall);
    this.server = this.#makeServerPort();
  }

  // ── Client face: what grpc-js's InterceptingCall calls. ────────────────────────────────────

  start(metadata: Metadata, listener?: Partial<InterceptingListener>): void {
    if (this.#phase !== Phase.Idle) return;
    this.#phase = Phase.Open;
    this.#listener = {
      onReceiveMetadata: (md) => listener?.onReceiveMetadata?.(md),
      onReceiveMessage: (message: unknown) => listener?.onReceiveMessage?.(message),
      onReceiveStatus: (status) => listener?.onReceiveStatus?.(status),
    };
    this.#requestMetadata = wireMetadata(metadata, "request");
    const deadlines = resolveDeadlines(this.#deadlineOptions, metadata);
    this.#deadline = deadlines.client;
    this.#serverDeadline = deadlines.server;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) this.#tracker = trackCall(this.#route.path, this, handle, this.start);
    if (deadlines.invalidTimeout !== undefined) {
      // grpc-js's server answers at once, without running the handler.
      this.#decideStatus({ code: Status.INTERNAL, details: deadlines.invalidTimeout, metadata: new Metadata() });
      return;
    }
    this.#runDeadlineTimer();
    // grpc-js's bottom call for unary responses reads once by itself; the unary surface never does.
    if (!this.#route.responseStream) this.#clientReadPending = true;
    // Dispatch on a later tick: the caller attaches its listeners after the call object is returned.
    process.nextTick(() => {
      if (this.#serverFinished) return;
      try {
        this.#route.dispatch(this.server);
      } catch (error) {
        // Handler throws are caught by runHandler; a throw here comes from a server interceptor
        // (or from sluice). End the call visibly rather than leave it hanging.
        this.#decideStatus({ code: Status.INTERNAL, details: `In-process dispatch failed: ${String(error)}`, metadata: new Metadata() });
      }
    });
  }

  sendMessageWithContext(context: MessageContext, message: unknown): void {
    if (this.#phase !== Phase.Open) return;
    const transfer = this.#route.codec.request(message);
    if (!transfer.ok) {
      const { code, details } = transfer.status;
      this.#decideStatus({ code, details, metadata: new Metadata() }, true);
      return;
    }
    this.#requests.push({ message: transfer.message, written: context.callback === undefined ? undefined : () => context.callback?.() });
    this.#scheduleServerFlush();
  }

  sendMessage(message: unknown): void {
    this.sendMessageWithContext({}, message);
  }

  startRead(): void {
    if (this.#phase >= Phase.Closed) return;
    this.#clientReadPending = true;
    // A message the handler queued on an earlier tick is handed over at once, inside the caller's
    // `_read` (where a Readable expects its `push()`): its write callback, which may run the
    // handler's 'drain' listeners, waits for a tick of its own, so the handler still never runs in
    // the caller's stack. Everything else (headers, a status, nothing queued) goes through the flush.
    if (this.#pendingHeaders === undefined && this.#status === undefined && this.#responseHead < this.#responses.length && this.#listener !== undefined) {
      const entry = this.#takeResponse();
      if (entry.written !== batchedWrite) this.#deferWritten(entry.written);
      this.#listener.onReceiveMessage(entry.message);
      return;
    }
    this.#scheduleClientFlush();
  }

  halfClose(): void {
    if (this.#phase !== Phase.Open) return;
    this.#halfClosed = true;
    this.#requests.push("half-close");
    this.#scheduleServerFlush();
  }

  cancelWithStatus(code: Status, details: string): void {
    this.#decideStatus({ code, details, metadata: new Metadata() }, true);
  }

  getPeer(): string {
    return inProcessPeer;
  }

  getAuthContext(): null {
    return null;
  }

  // ── Leak registry. ──────────────────────────────────────────────────────────────────────────

  /** How the call is stuck, for `openBridges()` and `assertNoLeaks()`. */
  leakReport(): LeakReport {
    const route = this.#route;
    const kind = callKinds[(route.requestStream ? 2 : 0) + (route.responseStream ? 1 : 0)] as string;
    const unread = this.#responses.length - this.#responseHead;
    let unreadRequests = 0;
    for (let i = this.#requestHead; i < this.#requests.length; i++) if (this.#requests[i] !== "half-close") unreadRequests += 1;
    const status = this.#status;
    const parts = [`${kind} call`];
    if (status !== undefined) parts.push(`status ${Status[status.code] ?? status.code} decided but not yet delivered`);
    else if (this.#serverListener === undefined) parts.push("the handler has not started");
    else parts.push("the handler has not ended the call (no status sent)");
    if (unread > 0) parts.push(`${plural(unread, "response")} waiting for the caller to read (the handler's write callbacks wait for them)`);
    if (this.#clientReadPending && unread === 0 && status === undefined) parts.push("the caller is waiting for a response");
    else if (!this.#clientReadPending && (unread > 0 || status !== undefined)) parts.push("the caller is not reading");
    if (route.requestStream && !this.#halfClosed) parts.push("the caller has not ended its requests (no end())");
    if (unreadRequests > 0) parts.push(`${plural(unreadRequests, "request")} the handler has not read`);
    parts.push(this.#deadline === Infinity ? "no deadline" : `deadline in ${Math.max(0, this.#deadline - Date.now())} ms`);
    let advice: string;
    if (status !== undefined || unread > 0) {
      advice = "The caller stopped reading before the end: read the response stream to its end (`for await`, or 'data' until 'end'), or call `call.cancel()` when you no longer need it.";
    } else if (route.requestStream && !this.#halfClosed) {
      advice = "The caller never ended its request stream: call `call.end()` once the requests are written (or `call.cancel()`).";
    } else {
      advice = "The handler never ended the call: make it answer on every path (`callback(…)`, `call.end()` or `call.emit('error', …)`), or give the call a `deadline`.";
    }
    return {
      snapshot: { phase: status === undefined ? "open" : "ending", buffered: unread, pendingNext: this.#clientReadPending ? 1 : 0, pendingSend: unread > 0 ? 1 : 0 },
      state: parts.join("; "),
      advice,
    };
  }

  /** Cancels the call for the leak assertions, as `call.cancel()` would. */
  cancelForLeakCheck(): void {
    this.cancelWithStatus(Status.CANCELLED, "Cancelled by sluice's leak check: the call was left open");
  }

  // ── Server face. ────────────────────────────────────────────────────────────────────────────

  #makeServerPort(): ServerCallPort {
    let recorder: ReturnType<ServerCallPort["getMetricsRecorder"]> | undefined;
    return {
      start: (listener) => {
        if (this.#serverFinished) return;
        this.#serverListener = listener;
        listener.onReceiveMetadata(this.#requestMetadata ?? new Metadata());
      },
      startRead: () => {
        if (this.#serverFinished) return;
        this.#serverReadPending = true;
        this.#scheduleServerFlush();
      },
      sendMetadata: (metadata) => {
        if (this.#serverFinished || this.#headersSent) return;
        this.#headersSent = true;
        this.#pendingHeaders = wireMetadata(metadata, "response");
        this.#scheduleClientFlush();
      },
      sendMessage: (message, written) => {
        if (this.#serverFinished) return;
        const transfer = this.#route.codec.response(message);
        if (!transfer.ok) {
          this.server.sendStatus(transfer.status);
          return;
        }
        if (!this.#headersSent) this.server.sendMetadata(new Metadata());
        this.#responses.push({ message: transfer.message, written });
        this.#scheduleClientFlush();
      },
      sendStatus: (status) => {
        if (this.#serverFinished) return;
        this.#decideStatus({ code: status.code, details: status.details, metadata: status.metadata == null ? new Metadata() : wireMetadata(status.metadata, "response") });
      },
      getPeer: () => inProcessPeer,
      getDeadline: () => this.#serverDeadline,
      getHost: () => inProcessPeer,
      getAuthContext: () => emptyAuthContext,
      getConnectionInfo: () => ({}),
      getMetricsRecorder: () => (recorder ??= createNoopMetricsRecorder()),
    };
  }

  // ── The single way to end a call. ───────────────────────────────────────────────────────────

  /**
   * Decides the final status (first decision wins), tells the handler side the call is over, and
   * schedules delivery to the caller. Advances to Ending.
   */
  #decideStatus(status: StatusObject, fromClient = false): void {
    if (this.#phase >= Phase.Closed) return;
    // An OK status still waiting behind unread messages can be overtaken by a cancel or deadline.
    if (this.#phase === Phase.Ending && !(fromClient && this.#status?.code === Status.OK)) return;
    this.#phase = Phase.Ending;
    this.#status = status;
    if (fromClient) {
      // Like an RST_STREAM: undelivered messages are dropped and their writers never called back.
      this.#responses = [];
      this.#responseHead = 0;
    }
    this.#requests = [];
    this.#requestHead = 0;
    this.#finishServer();
    this.#scheduleClientFlush();
  }

  /** Tells the handler side the call is over (grpc-js: `'cancelled'`, even after success). */
  #finishServer(): void {
    if (this.#serverFinished) return;
    this.#serverFinished = true;
    process.nextTick(() => this.#serverListener?.onCancel());
  }

  /** Final client-side cleanup, once the status was delivered. Advances to Closed. */
  #close(): void {
    this.#phase = Phase.Closed;
    untrackCall(this.#tracker);
    this.#tracker = undefined;
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    const detach = this.#detachParent;
    this.#detachParent = undefined;
    detach?.();
  }

  // ── Delivery. ───────────────────────────────────────────────────────────────────────────────

  #scheduleClientFlush(): void {
    if (this.#clientFlushScheduled || this.#phase < Phase.Open) return;
    this.#clientFlushScheduled = true;
    process.nextTick(() => {
      this.#clientFlushScheduled = false;
      this.#flushToClient();
    });
  }

  #scheduleServerFlush(): void {
    if (this.#serverFlushScheduled) return;
    this.#serverFlushScheduled = true;
    process.nextTick(() => {
      this.#serverFlushScheduled = false;
      this.#flushToServer();
    });
  }

  #flushToClient(): void {
    const listener = this.#listener;
    if (listener === undefined || this.#phase >= Phase.Closed) return;
    const status = this.#status;
    const failing = status !== undefined && status.code !== Status.OK;
    const headers = this.#pendingHeaders;
    if (headers !== undefined) {
      this.#pendingHeaders = undefined;
      listener.onReceiveMetadata(headers);
    }
    while (this.#clientReadPending && this.#responseHead < this.#responses.length) {
      const entry = this.#takeResponse();
      listener.onReceiveMessage(entry.message);
      if (this.#phase >= Phase.Closed) return;
      // A failing status does not wait for reads: what a pending read could take before it
      // arrived (one message) is delivered, the rest dropped (grpc-js: subchannel-call maybeOutputStatus).
      if (failing) break;
      // Callbacks fire in order: after any still waiting from messages taken inside `startRead()`.
      if (entry.written === batchedWrite) continue;
      if (this.#writtenHead < this.#deferredWritten.length) this.#deferWritten(entry.written);
      else entry.written();
    }
    if (status === undefined || (!failing && this.#responseHead < this.#responses.length)) return;
    this.#responses = [];
    this.#responseHead = 0;
    if (!this.#route.responseStream && !this.#receivedMessage) listener.onReceiveMessage(null);
    this.#close();
    listener.onReceiveStatus(status);
  }

  /** Takes the next queued response for the caller, which no longer has a read pending. */
  #takeResponse(): ResponseEntry {
    const entry = this.#responses[this.#responseHead++] as ResponseEntry;
    if (this.#responseHead === this.#responses.length) {
      this.#responses = [];
      this.#responseHead = 0;
    }
    this.#clientReadPending = false;
    this.#receivedMessage = true;
    return entry;
  }

  /** Queues a write callback for the server-side tick that fires them in order. */
  #deferWritten(written: () => void): void {
    this.#deferredWritten.push(written);
    this.#scheduleServerFlush();
  }

  #flushToServer(): void {
    // Write callbacks of responses taken inside the caller's startRead(), in order. They fire even
    // once the call is over: their messages were delivered.
    while (this.#writtenHead < this.#deferredWritten.length) {
      const written = this.#deferredWritten[this.#writtenHead++] as () => void;
      if (this.#writtenHead === this.#deferredWritten.length) {
        this.#deferredWritten = [];
        this.#writtenHead = 0;
      }
      written();
    }
    while (!this.#serverFinished && this.#serverReadPending && this.#requestHead < this.#requests.length) {
      const entry = this.#requests[this.#requestHead++] as RequestEntry;
      if (this.#requestHead === this.#requests.length) {
        this.#requests = [];
        this.#requestHead = 0;
      }
      this.#serverReadPending = false;
      if (entry === "half-close") {
        this.#serverListener?.onReceiveHalfClose();
      } else {
        this.#serverListener?.onReceiveMessage(entry.message);
        entry.written?.();
      }
    }
  }

  // ── Deadlines and propagation. ──────────────────────────────────────────────────────────────

  /**
   * The caller's deadline timer ("Deadline exceeded after …", like an RST_STREAM from the caller); without one, the
   * server's from `grpc-timeout` ("Deadline exceeded", a status the server sends).
   */
  #runDeadlineTimer(): void {
    const clientTimer = this.#deadline !== Infinity;
    const at = clientTimer ? this.#deadline : this.#serverDeadline;
    if (at === Infinity) return;
    this.#deadlineStart = Date.now();
    const fire = (): void => {
      this.#deadlineTimer = undefined;
      if (clientTimer) this.cancelWithStatus(Status.DEADLINE_EXCEEDED, `Deadline exceeded after ${secondsBetween(this.#deadlineStart, Date.now())}`);
      else this.#decideStatus({ code: Status.DEADLINE_EXCEEDED, details: "Deadline exceeded", metadata: new Metadata() });
    };
    const timeout = at - this.#deadlineStart;
    if (timeout <= 0) process.nextTick(fire);
    // Timers above 2^31-1 ms fire at once; grpc-js treats such deadlines as none.
    else if (timeout <= maxTimerMs) this.#deadlineTimer = setTimeout(fire, timeout);
  }

  #watchParent(parent: ParentCall): void {
    const onCancelled = (): void => this.cancelWithStatus(Status.CANCELLED, "Cancelled by parent call");
    // Every server call kind is an EventEmitter; the union of their typings is not callable as one.
    const emitter: EventEmitter = parent;
    emitter.on("cancelled", onCancelled);
    this.#detachParent = () => emitter.off("cancelled", onCancelled);
  }
}

export { InProcessCall, callHandle, inProcessPeer };
export type { CallRoute, InProcessCallOptions, InterceptingCallInterface };
