import { RegistryEntry, trackResource, untrackResource } from "../../core/track.js";
import type { ResourceSnapshot, TrackedResource } from "../../core/track.js";

/** What the tracker reads from its call when asked (rarely: `openBridges()`, a leak report). */
interface LeakReport {
  readonly snapshot: ResourceSnapshot;
  readonly state: string;
  readonly advice: string;
}

/** The call as the tracker sees it. */
interface TrackableCall {
  leakReport(): LeakReport;
  /** Cancels the call for the leak assertions (as the caller's `call.cancel()` would). */
  cancelForLeakCheck(): void;
}

/** grpc-js's caller-side call objects are EventEmitters with `cancel()`. */
interface CallHandle {
  listenerCount(event: string): number;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  cancel(): void;
}

const ignore = (): void => {};

/** A strong reference now, a weak one once weakened. */
type Held<T extends object> = { readonly strong: T } | WeakRef<T>;
const deref = <T extends object>(held: Held<T>): T | undefined => ("strong" in held ? held.strong : held.deref());

/**
 * The leak registry's entry for one in-process call (the leak rules of docs/semantics.md): listed by `openBridges()` as
 * `grpc-call "/pkg.Service/Method"` from `start()` until its status reached the caller.
 *
 * Once the registry watches the caller's call object (a turn after `start()`, if the call is still
 * open), the tracker holds the call and the caller's call object only weakly: the call's listener
 * leads to the caller's call object, and the registry must not keep that alive, or the GC backstop
 * could never fire. Before that the registry holds the caller's call object strongly anyway, so the
 * tracker does too, and the many calls that end within a turn never allocate a `WeakRef`. When the
 * backstop fires, the whole call is unreachable, handler included, so there is nothing left to stop.
 */
class CallLeakTracker extends RegistryEntry implements TrackedResource {
  readonly name: string;
  readonly kind: string;
  /** The in-process call; weak once watched (see the class comment). */
  #call: Held<TrackableCall>;
  /** The caller's call object, for `stop()` only; weak once watched (see the class comment). */
  #handle: Held<CallHandle>;

  constructor(path: string, call: TrackableCall, handle: object, kind: string) {
    super();
    this.name = path;
    this.kind = kind;
    this.#call = { strong: call };
    this.#handle = { strong: handle as CallHandle };
  }

  onWatched(): void {
    const call = deref(this.#call);
    const handle = deref(this.#handle);
    if (call !== undefined) this.#call = new WeakRef(call);
    if (handle !== undefined) this.#handle = new WeakRef(handle);
  }

  snapshot(): ResourceSnapshot {
    return deref(this.#call)?.leakReport().snapshot ?? { phase: "open", buffered: 0, pendingNext: 0, pendingSend: 0 };
  }

  describeState(): string {
    return deref(this.#call)?.leakReport().state ?? "unreachable: neither the caller nor the handler can finish it any more";
  }

  advice(): string {
    return (
      deref(this.#call)?.leakReport().advice ??
      "Nothing can finish it now: read every call to its end (or call `call.cancel()`), and make handlers end every call."
    );
  }

  collected(): void {
    // The call and its handler were unreachable along with the caller's call object: nothing runs.
  }

  stop(): Promise<void> {
    // A cancelled server or bidi stream emits 'error' (CANCELLED); the leak report already says what
    // went wrong, so an 'error' nobody listens for must not also become an uncaught exception.
    const handle = deref(this.#handle);
    if (handle !== undefined && typeof handle.listenerCount === "function" && handle.listenerCount("error") === 0) {
      handle.once("error", ignore);
    }
    // Through the caller's call object, so that client interceptors see the cancel as they would a user's.
    if (handle !== undefined && typeof handle.cancel === "function") handle.cancel();
    else deref(this.#call)?.cancelForLeakCheck();
    return Promise.resolve();
  }
}

/** Starts tracking a call; `caller` is where stack capture stops (frames above it are omitted). */
function trackCall(path: string, call: TrackableCall, handle: object, caller: (...args: never[]) => unknown, kind = "grpc-call"): CallLeakTracker {
  const tracker = new CallLeakTracker(path, call, handle, kind);
  trackResource(handle, tracker, caller);
  return tracker;
}

/** Stops tracking a finished call. Idempotent. */
function untrackCall(tracker: CallLeakTracker | undefined): void {
  if (tracker !== undefined) untrackResource(tracker);
}

export { trackCall, untrackCall };
export type { CallLeakTracker, LeakReport, TrackableCall };
