import { Metadata, status as Status } from "@grpc/grpc-js";
import type { StatusObject } from "@grpc/grpc-js";
import { AbortError } from "../../core/index.js";
import type { BridgeIterator } from "../../core/index.js";
import { detachSignal } from "../../core/options.js";
import { isThenable } from "../../core/source.js";
import { createSubscription } from "../../core/subscribe.js";
import { GrpcError } from "../grpc-error.js";
import { serviceErrorFrom } from "../service-error.js";
import { statusFromError } from "../adapters/status-from-error.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { DirectCall, EndedBy } from "./direct-call.js";
import type { DirectCaller, DirectCallOptions } from "./direct-call.js";
import type { DirectContext } from "./direct-context.js";
import type { DirectPort } from "./direct-port.js";
import { RequestSource } from "./request-source.js";

/** A direct call's options: the call's own, plus the caller's `signal`. */
interface DirectRequestOptions extends DirectCallOptions {
  readonly signal: AbortSignal | undefined;
  /** Streams whose handler writes: how many responses may wait unread in the caller's bridge (default 16). */
  readonly highWaterMark: number | undefined;
}

/** The public function that made a call: leak reports' creation stacks start at its caller. */
type CreatedBy = (...args: never[]) => unknown;

function abortError(signal: AbortSignal): AbortError {
  return new AbortError("The call was aborted", { cause: signal.reason });
}

/** Runs the method's dispatch (interceptors, then the handler) on a port; a throw there ends the call visibly. */
function dispatchOn(call: DirectCall, port: DirectPort): void {
  try {
    call.route.dispatch(port);
  } catch (error) {
    // Handler throws are caught by the server call code; a throw here comes from a server interceptor.
    call.finish({ code: Status.INTERNAL, details: `In-process dispatch failed: ${String(error)}` });
  }
}

/**
 * The caller's side of a call answered with one response (unary, client-streaming): a promise. It resolves
 * with the response on OK, and rejects with the call's `ServiceError`, an `AbortError` when the caller's
 * signal aborted, or the error of the caller's own requests. grpc-js's client rules hold: an OK status
 * without a response is UNIMPLEMENTED "No message received". When there are requests, they are closed before
 * the promise settles.
 */
class PromiseCaller implements DirectCaller {
  readonly #call: DirectCall;
  readonly #signal: AbortSignal | undefined;
  readonly #release: (() => Promise<void>) | undefined;
  #resolve: (value: unknown) => void = ignore;
  #reject: (error: unknown) => void = ignore;
  /** The response the handler's function returned (handlers written with the adapters). */
  #response: { readonly message: unknown } | undefined;
  /** Where the response is kept otherwise: the port the handler's server call object writes to. */
  #port: { readonly response: { readonly message: unknown } | undefined } | undefined;
  readonly promise: Promise<unknown>;

  constructor(call: DirectCall, signal: AbortSignal | undefined, release?: () => Promise<void>) {
    this.#call = call;
    this.#signal = signal;
    this.#release = release;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The response, once the handler sent it (unary-shaped calls keep only the first). */
  get response(): { readonly message: unknown } | undefined {
    return this.#response ?? this.#port?.response;
  }

  /** Keeps the response the handler's function returned. */
  respond(message: unknown): void {
    this.#response = { message };
  }

  /** Reads the response from the port the handler's server call object writes to. */
  readFrom(port: { readonly response: { readonly message: unknown } | undefined }): void {
    this.#port = port;
  }

  readonly #onAbort = (): void => {
    if (this.#call.cancelByCaller()) this.#settle(() => this.#reject(abortError(this.#signal as AbortSignal)));
  };

  ended(status: StatusObject): void {
    if (status.code !== Status.OK) {
      this.#settle(() => this.#reject(serviceErrorFrom(status)));
      return;
    }
    const response = this.response;
    if (response === undefined) {
      this.#settle(() => this.#reject(serviceErrorFrom({ code: Status.UNIMPLEMENTED, details: "No message received", metadata: status.metadata })));
    } else {
      this.#settle(() => this.#resolve(response.message));
    }
  }

  failed(error: unknown): void {
    this.#settle(() => this.#reject(error));
  }

  /** The caller's requests threw: cancel the call; the caller gets the requests' own error. */
  readonly requestsFailed = (error: unknown): void => {
    if (this.#call.cancelByCaller()) this.failed(error);
  };

  #settle(settle: () => void): void {
    detachSignal(this.#signal, this.#onAbort);
    const release = this.#release;
    if (release === undefined) settle();
    else void release().then(settle);
  }
}

const ignore = (): void => {};

/**
 * The handler's `requests` (handlers written with `clientStreaming` or `bidi`): the caller's requests as a
 * bridge of kind `grpc-requests` named after the method, as the adapters give them, buffering up to 16. They
 * end when the caller's iterable ends, and fail with a `GrpcError` CANCELLED when the call is cancelled. The
 * caller's iterable is read only as fast as the handler reads this (and never past its end or a stop).
 */
function handlerRequests(call: DirectCall, source: RequestSource, requestsFailed: (error: unknown) => void, createdBy: CreatedBy): BridgeIterator<unknown> {
  return createSubscription<unknown>(
    "grpc-requests",
    (sink) => {
      let stopped = false;
      const pump = async (): Promise<void> => {
        for (;;) {
          let result: IteratorResult<unknown>;
          try {
            result = await source.next();
          } catch (error) {
            requestsFailed(error);
            return;
          }
          if (stopped || call.ended) return;
          if (result.done === true) {
            sink.end();
            return;
          }
          const transfer = call.route.codec.request(result.value);
          if (!transfer.ok) {
            call.end({ code: transfer.status.code, details: transfer.status.details, metadata: new Metadata() }, EndedBy.Call);
            return;
          }
          if (!sink.push(transfer.message) && !(await sink.ready())) return;
        }
      };
      call.onEnd((cancelled) => {
        if (cancelled) sink.fail(new GrpcError(Status.CANCELLED, "The call was cancelled or ran out of time"));
      });
      // Every failure of the pump was reported above; nothing is left to reject.
      void pump();
      return () => {
        stopped = true;
      };
    },
    { name: call.route.path },
    createdBy,
  );
}

/**
 * Runs the function of a handler written with `unary` or `clientStreaming`, with those adapters' rules and no call
 * object: what it returns (or resolves to) goes through the codec and is the response, sent with OK and
 * `ctx.trailers`; a throw or rejection is the status (a `GrpcError`'s, or UNKNOWN). Once the call ended
 * (cancelled, past its deadline), whatever it returns is dropped. `settled` runs once it has returned or thrown.
 */
function answerWithResult(call: DirectCall, caller: PromiseCaller, ctx: DirectContext, run: () => unknown, settled?: () => void): void {
  const codec = call.route.codec;
  const answer = (value: unknown): void => {
    if (call.ended) return;
    let response = value;
    if (!codec.passes || value == null) {
      const transfer = codec.response(value);
      if (!transfer.ok) {
        call.finish(transfer.status);
        return;
      }
      response = transfer.message;
    }
    call.beforeFirstResponse();
    caller.respond(response);
    call.finish({ code: Status.OK, details: "OK", metadata: ctx.trailersToSend() });
  };
  const fail = (error: unknown): void => {
    if (!call.ended) call.finish(statusFromError(error, ctx.trailersToSend()));
  };
  // What the result itself throws (a `then` getter or method, a proxy's traps) or the codec cannot take is the
  // handler's failure too, as `await` makes it in the adapters: nothing escapes into the caller's call.
  const answerOrFail = (value: unknown): void => {
    try {
      answer(value);
    } catch (error) {
      fail(error);
    }
    settled?.();
  };
  const failed = (error: unknown): void => {
    fail(error);
    settled?.();
  };
  let result: unknown;
  try {
    result = run();
    if (isThenable(result)) {
      result.then(answerOrFail, failed);
      return;
    }
  } catch (error) {
    failed(error);
    return;
  }
  answerOrFail(result);
}

/**
 * The caller's requests and the call, for the shapes with a request stream. The requests are checked first; if the
 * call's options then turn out wrong, the requests are closed before the error is thrown (nothing is left open).
 * @throws {@link InvalidArgumentError} when `requests` is not iterable or a deadline is not a `Deadline`.
 */
function openWithRequests(route: CallRoute, requests: unknown, options: DirectRequestOptions): { readonly source: RequestSource; readonly call: DirectCall } {
  const source = new RequestSource(requests);
  try {
    return { source, call: new DirectCall(route, options) };
  } catch (error) {
    void source.close();
    throw error;
  }
}

export { PromiseCaller, abortError, answerWithResult, dispatchOn, handlerRequests, openWithRequests };
export type { CreatedBy, DirectRequestOptions };
