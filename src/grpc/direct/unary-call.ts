import type { CallRoute } from "../in-process/in-process-call.js";
import { PromiseCaller, abortError, answerWithResult, dispatchOn } from "./call-support.js";
import type { CreatedBy, DirectRequestOptions } from "./call-support.js";
import { DirectCall } from "./direct-call.js";
import { DirectContext } from "./direct-context.js";
import { DirectPort } from "./direct-port.js";

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

/** The `unary` adapter's rules, without its call object: the request through the codec, then the function's answer. */
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
  answerWithResult(call, caller, ctx, () => fn(message, ctx.asCallContext() as never));
}

export { directUnaryCall };
