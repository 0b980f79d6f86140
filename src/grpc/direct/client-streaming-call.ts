import { status as Status } from "@grpc/grpc-js";
import type { DirectHandler } from "../adapters/direct-handler.js";
import { statusFromError } from "../adapters/status-from-error.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { PromiseCaller, abortError, dispatchOn, handlerRequests } from "./call-support.js";
import type { CreatedBy, DirectRequestOptions } from "./call-support.js";
import { DirectCall } from "./direct-call.js";
import { DirectContext } from "./direct-context.js";
import { DirectPort } from "./direct-port.js";
import { RequestSource } from "./request-source.js";
import { settleResult } from "./unary-call.js";

/**
 * A client-streaming call on the direct path. A handler written with `clientStreaming` is called with the
 * caller's requests as its `requests` bridge; any other handler reads them from its server call object over a
 * {@link DirectPort}. The caller's iterable is closed (its `finally` has run) before the promise settles. If it
 * throws, the call is cancelled and the promise rejects with that error.
 * @throws {@link InvalidArgumentError} when `requests` is not iterable or a deadline is not a `Deadline`.
 */
function directClientStreamingCall(route: CallRoute, requests: unknown, options: DirectRequestOptions, createdBy: CreatedBy): Promise<unknown> {
  const source = new RequestSource(requests);
  const signal = options.signal;
  let call: DirectCall;
  try {
    call = new DirectCall(route, options);
  } catch (error) {
    void source.close();
    throw error;
  }
  if (signal?.aborted === true) return source.close().then(() => Promise.reject(abortError(signal)));
  const caller = new PromiseCaller(call, signal, () => source.close());
  if (call.start(caller)) {
    const direct = route.direct;
    if (direct?.kind === "clientStreaming") runClientStreamingFunction(call, caller, direct, source, createdBy);
    else {
      const port = new DirectPort(call, { source, failed: caller.requestsFailed }, "single");
      caller.readFrom(port);
      dispatchOn(call, port);
    }
  }
  call.track(caller.promise, createdBy);
  return caller.promise;
}

/** The `clientStreaming` adapter's rules, without its call object: `requests` in, the result is the response. */
function runClientStreamingFunction(
  call: DirectCall,
  caller: PromiseCaller,
  direct: Extract<DirectHandler, { kind: "clientStreaming" }>,
  source: RequestSource,
  createdBy: CreatedBy,
): void {
  const ctx = new DirectContext(call, undefined);
  const requests = handlerRequests(call, source, caller.requestsFailed, createdBy);
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
  // The adapter stops `requests` once the handler is done, however it finishes, so it never outlives the call.
  const done = (): void => void requests.return().catch(ignore);
  let result: unknown;
  try {
    result = direct.fn(requests, ctx.asCallContext());
  } catch (error) {
    fail(error);
    done();
    return;
  }
  settleResult(
    result,
    (value) => {
      answer(value);
      done();
    },
    (error) => {
      fail(error);
      done();
    },
  );
}

const ignore = (): void => {};

export { directClientStreamingCall };
