import { Metadata, status as Status } from "@grpc/grpc-js";
import type { PartialStatusObject } from "../in-process/server-calls/call-status.js";
import type { ServerCallListener, ServerCallPort } from "../in-process/server-calls/server-call-port.js";
import { createNoopMetricsRecorder, emptyAuthContext } from "../in-process/server-calls/server-surface.js";
import type { Sink } from "../../core/index.js";
import { EndedBy, inProcessPeer } from "./direct-call.js";
import type { DirectCall } from "./direct-call.js";
import type { RequestSource } from "./request-source.js";

/** Where the handler's requests come from: the one request of a unary or server-streaming call, or the caller's iterable. */
type RequestSide = { readonly single: unknown } | { readonly source: RequestSource; readonly failed: (error: unknown) => void };

/** Where its responses go: the caller's bridge (streams), or kept here for a promise (unary, client-streaming). */
type ResponseSide = { readonly sink: Sink<unknown> } | "single";

/**
 * The handler's side of a call on the direct path, for handlers that need server call objects: plain grpc-js
 * handlers (`call.write`, `callback`) and any handler behind server interceptors. It implements grpc-js's
 * `ServerInterceptingCallInterface`, as the drop-in's call does, so the same server call objects, the same
 * dispatch and the same interceptor chain run on it; what differs is the other end: requests are read straight
 * from the caller's iterable, and responses are pushed straight into the caller's bridge (or kept for its
 * promise), with no grpc-js client call object in between.
 *
 * A stream's plain `write(message)` is taken by {@link offerResponse} without going through the Writable: one
 * push into the caller's bridge, which says at once whether there is room (a full bridge means `false`, and
 * `'drain'` once the caller has read half of it).
 */
class DirectPort implements ServerCallPort {
  readonly #call: DirectCall;
  readonly #requests: RequestSide;
  readonly #responses: ResponseSide;
  /** The single request was delivered (then the half-close is next). */
  #requestDelivered = false;
  /** A read of the caller's iterable is in flight. */
  #reading = false;
  /** The listener the server call objects gave to `start()`. */
  #listener: ServerCallListener | undefined;
  /** A unary-shaped call's responses, as grpc-js's client keeps them: the first, and whether a second came. */
  #response: { readonly message: unknown } | undefined;
  #recorder: ReturnType<ServerCallPort["getMetricsRecorder"]> | undefined;
  /** Responses other than `null`/`undefined` cross as they are (`'share'`): the fast lane skips the codec then. */
  readonly #passes: boolean;
  /** The headers went out before the first response; the fast lane asks the call only once. */
  #headersSent = false;
  /** The fast lane, present only for streams (see the class comment). */
  readonly offerResponse: ((message: unknown, onRoom: () => void) => boolean) | undefined;

  constructor(call: DirectCall, requests: RequestSide, responses: ResponseSide) {
    this.#call = call;
    this.#requests = requests;
    this.#responses = responses;
    this.#passes = call.route.codec.passes;
    this.offerResponse = responses === "single" ? undefined : (message, onRoom) => this.#offer(responses.sink, message, onRoom);
  }

  /** The response of a unary-shaped call, once the handler sent it. */
  get response(): { readonly message: unknown } | undefined {
    return this.#response;
  }

  start(listener: ServerCallListener): void {
    const call = this.#call;
    if (call.ended || this.#listener !== undefined) return;
    this.#listener = listener;
    // grpc-js (>= 1.10) tells the handler's call object the call is over on a later tick, even after success.
    call.onEnd(() => process.nextTick(() => listener.onCancel()));
    listener.onReceiveMetadata(call.metadata);
  }

  startRead(): void {
    const call = this.#call;
    const listener = this.#listener;
    if (call.ended || listener === undefined) return;
    const requests = this.#requests;
    if ("single" in requests) {
      if (this.#requestDelivered) {
        listener.onReceiveHalfClose();
        return;
      }
      this.#requestDelivered = true;
      this.#deliver(listener, requests.single);
      return;
    }
    if (this.#reading) return;
    this.#reading = true;
    requests.source.next().then(
      (result) => {
        this.#reading = false;
        if (call.ended) return;
        if (result.done === true) listener.onReceiveHalfClose();
        else this.#deliver(listener, result.value);
      },
      (error: unknown) => {
        this.#reading = false;
        requests.failed(error);
      },
    );
  }

  /** One request through the codec to the handler; a refused one ends the call, as a refused send does in grpc-js. */
  #deliver(listener: ServerCallListener, request: unknown): void {
    const transfer = this.#call.route.codec.request(request);
    if (transfer.ok) listener.onReceiveMessage(transfer.message);
    else this.#call.end({ code: transfer.status.code, details: transfer.status.details, metadata: new Metadata() }, EndedBy.Call);
  }

  sendMetadata(metadata: Metadata): void {
    this.#call.sendHeaders(metadata);
  }

  sendMessage(message: unknown, written: () => void): void {
    const call = this.#call;
    if (call.ended) return;
    const transfer = call.route.codec.response(message);
    if (!transfer.ok) {
      this.sendStatus(transfer.status);
      return;
    }
    call.beforeFirstResponse();
    if (call.ended) return;
    const responses = this.#responses;
    if (responses === "single") {
      // grpc-js's unary client: a second response cancels the call.
      if (this.#response !== undefined) {
        call.end({ code: Status.UNIMPLEMENTED, details: "Too many responses received", metadata: new Metadata() }, EndedBy.Call);
        return;
      }
      this.#response = { message: transfer.message };
      written();
      return;
    }
    if (responses.sink.push(transfer.message)) written();
    // The write completes once the caller has room again; never if it stopped reading (the call is cancelled then).
    else void responses.sink.ready().then((open) => open && written());
  }

  #offer(sink: Sink<unknown>, message: unknown, onRoom: () => void): boolean {
    const call = this.#call;
    if (call.ended) return false;
    let response = message;
    if (!this.#passes || message == null) {
      const transfer = call.route.codec.response(message);
      if (!transfer.ok) {
        this.sendStatus(transfer.status);
        return false;
      }
      response = transfer.message;
    }
    if (!this.#headersSent) {
      this.#headersSent = true;
      call.beforeFirstResponse();
      if (call.ended) return false;
    }
    if (sink.push(response)) return true;
    void sink.ready().then((open) => open && !call.ended && onRoom());
    return false;
  }

  sendStatus(status: PartialStatusObject): void {
    this.#call.finish(status);
  }

  getPeer(): string {
    return inProcessPeer;
  }

  getDeadline(): number {
    return this.#call.deadline;
  }

  getHost(): string {
    return inProcessPeer;
  }

  getAuthContext(): typeof emptyAuthContext {
    return emptyAuthContext;
  }

  getConnectionInfo(): Record<string, never> {
    return {};
  }

  getMetricsRecorder(): ReturnType<ServerCallPort["getMetricsRecorder"]> {
    return (this.#recorder ??= createNoopMetricsRecorder());
  }
}

export { DirectPort };
export type { RequestSide, ResponseSide };
