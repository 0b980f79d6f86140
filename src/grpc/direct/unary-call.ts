import { status as Status } from "@grpc/grpc-js";
import { statusFromError } from "../adapters/status-from-error.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { PromiseCaller, abortError, dispatchOn } from "./call-support.js";
import type { CreatedBy, DirectRequestOptions } from "./call-support.js";
import { DirectCall } from "./direct-call.js";
import { DirectContext } from "./direct-context.js";
import { DirectPort } from "./direct-port.js";

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Hands a handler's result to `answer` (once it resolves, if it is a thenable), or its failure to `fail`. What
 * the result itself throws (a `then` getter or method, a proxy's traps, a response the codec cannot take) is
 * the handler's failure too, as `await` makes it in the adapters: nothing escapes into the caller's call.
 */
function settleResult(result: unknown, answer: (value: unknown) => void, fail: (error: unknown) => void): void {
  const answerOrFail = (value: unknown): void => {
    try {
      answer(value);
    } catch (error) {
      fail(error);
    }
  };
  try {
    if (isThenable(result)) {
      result.then(answerOrFail, fail);
      return;
    }
  } catch (error) {
    fail(error);
    return;
  }
  answerOrFail(result);
}

/**
 * A unary call on the direct path. A handler written with `unary` is called with the request and a context
 * of its own, and its result is the response; any other handler runs on server call objects over a
 * {@link DirectPort}. Either way the handler starts at once, inside this call, as an `async` function's body
 * does: there is no call object, no tick, and no queue between the caller and the handler.
 * @throws {@link InvalidArgumentError} when a deadline is not a `Deadline`.
 */
function directUnaryCall(route: CallRoute, request: unknown, options: DirectRequestOptions, createdBy: CreatedBy): Promise<unknown> {
  const signal = options.signal;
  const call = new DirectCall(route, options);
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  const caller = new PromiseCaller(call, signal);
  if (call.start(caller)) {
    const direct = route.direct;
    if (direct?.kind === "unary") runUnaryFunction(call, caller, direct.fn, request);
    else {
      const port = new DirectPort(call, { single: request }, "single");
      caller.readFrom(port);
      dispatchOn(call, port);
    }
  }
  call.track(caller.promise, createdBy);
  return caller.promise;
}

/** The `unary` adapter's rules, without its call object: the result is the response, a throw the status. */
function runUnaryFunction(call: DirectCall, caller: PromiseCaller, fn: (request: unknown, ctx: never) => unknown, request: unknown): void {
  const codec = call.route.codec;
  let message = request;
  if (!codec.passes || request == null) {
    const transfer = codec.request(request);
    if (!transfer.ok) {
      call.finish(transfer.status);
      return;
    }
    message = transfer.message;
  }
  const ctx = new DirectContext(call, message);
  const answer = (value: unknown): void => {
    // Once the call was cancelled or ran out of time, whatever the handler returns is dropped.
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
  let result: unknown;
  try {
    result = fn(message, ctx.asCallContext() as never);
  } catch (error) {
    fail(error);
    return;
  }
  settleResult(result, answer, fail);
}

export { directUnaryCall, isThenable, settleResult };
