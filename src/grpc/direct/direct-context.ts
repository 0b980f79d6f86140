import { EventEmitter } from "node:events";
import { Metadata } from "@grpc/grpc-js";
import type { CallContext } from "../adapters/call-context.js";
import { createNoopMetricsRecorder, emptyAuthContext } from "../in-process/server-calls/server-surface.js";
import type { AuthContext, MetricsRecorder } from "../in-process/server-calls/server-surface.js";
import { inProcessPeer } from "./direct-call.js";
import type { DirectCall } from "./direct-call.js";

/**
 * What `ctx.call` is on the direct path: a server call's accessors and events (`getPath()`, `getDeadline()`,
 * `cancelled` and `'cancelled'`, `metadata`, `request` for single-request calls), as an EventEmitter, like
 * grpc-js's `ServerUnaryCall`. It is not a stream: a handler written with the adapters yields and reads
 * `requests` instead. It can be a `parent` for calls the handler makes.
 */
class DirectSurfaceCall extends EventEmitter {
  /** True once the call is over (cancelled, or ended: grpc-js >= 1.10 says so after success too). */
  cancelled = false;
  /** The request of a unary or server-streaming call; `undefined` for the others. */
  readonly request: unknown;
  readonly #call: DirectCall;
  #recorder: MetricsRecorder | undefined;

  constructor(call: DirectCall, request: unknown) {
    super();
    this.#call = call;
    this.request = request;
    call.onEnd(() =>
      process.nextTick(() => {
        this.cancelled = true;
        this.emit("cancelled", "cancelled");
      }),
    );
  }

  get metadata(): Metadata {
    return this.#call.metadata;
  }

  getPeer(): string {
    return inProcessPeer;
  }

  sendMetadata(metadata: Metadata): void {
    this.#call.sendHeaders(metadata);
  }

  getDeadline(): number {
    return this.#call.deadline;
  }

  getPath(): string {
    return this.#call.route.path;
  }

  getHost(): string {
    return inProcessPeer;
  }

  getAuthContext(): AuthContext {
    return emptyAuthContext;
  }

  getMetricsRecorder(): MetricsRecorder {
    return (this.#recorder ??= createNoopMetricsRecorder());
  }
}

/**
 * The `ctx` a handler written with the adapters gets on the direct path: the same fields as the adapters'
 * own context (`metadata`, `deadline`, `signal`, `sendMetadata`, `trailers`, `peer`, `call`), each made only
 * when first read, because most handlers read none of them and a call costs a few hundred nanoseconds.
 */
class DirectContext {
  readonly #call: DirectCall;
  readonly #request: unknown;
  #trailers: Metadata | undefined;
  #surface: DirectSurfaceCall | undefined;
  readonly peer = inProcessPeer;

  constructor(call: DirectCall, request: unknown) {
    this.#call = call;
    this.#request = request;
  }

  get metadata(): Metadata {
    return this.#call.metadata;
  }

  get deadline(): number {
    return this.#call.deadline;
  }

  get signal(): AbortSignal {
    return this.#call.handlerSignal;
  }

  get trailers(): Metadata {
    return (this.#trailers ??= new Metadata());
  }

  sendMetadata(metadata: Metadata): void {
    this.#call.sendHeaders(metadata);
  }

  get call(): DirectSurfaceCall {
    return (this.#surface ??= new DirectSurfaceCall(this.#call, this.#request));
  }

  /** The trailers the handler set, or fresh empty ones: what goes with the status. */
  trailersToSend(): Metadata {
    return this.#trailers ?? new Metadata();
  }

  /** This context as the adapters' type says a handler receives it. */
  asCallContext(): CallContext<never> {
    return this as unknown as CallContext<never>;
  }
}

export { DirectContext, DirectSurfaceCall };
