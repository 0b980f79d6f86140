import type { DirectHandler } from "../adapters/direct-handler.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { PromiseCaller, abortError, answerWithResult, dispatchOn, handlerRequests, openWithRequests } from "./call-support.js";
import type { CreatedBy, DirectRequestOptions } from "./call-support.js";
import type { DirectCall } from "./direct-call.js";
import { DirectContext } from "./direct-context.js";
import { DirectPort } from "./direct-port.js";
import type { RequestSource } from "./request-source.js";

/**
 * A client-streaming call on the direct path. A handler written with `clientStreaming` is called with the
 * caller's requests as its `requests` bridge; any other handler reads them from its server call object over a
 * {@link DirectPort}. The caller's iterable is closed (its `finally` has run) before the promise settles. If it
 * throws, the call is cancelled and the promise rejects with that error.
 * @throws {@link InvalidArgumentError} when `requests` is not iterable or a deadline is not a `Deadline`.
 */
function directClientStreamingCall(route: CallRoute, requests: unknown, options: DirectRequestOptions, createdBy: CreatedBy): Promise<unknown> {
  const { source, call } = openWithRequests(route, requests, options);
  const signal = options.signal;
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

/** The `clientStreaming` adapter's rules, without its call object: `requests` in, the function's answer out. */
function runClientStreamingFunction(
  call: DirectCall,
  caller: PromiseCaller,
  direct: Extract<DirectHandler, { kind: "clientStreaming" }>,
  source: RequestSource,
  createdBy: CreatedBy,
): void {
  const ctx = new DirectContext(call, undefined);
  const requests = handlerRequests(call, source, caller.requestsFailed, createdBy);
  // The adapter stops `requests` once the handler is done, however it finishes, so it never outlives the call.
  const settled = (): void => void requests.return().catch(ignore);
  answerWithResult(call, caller, ctx, () => direct.fn(requests, ctx.asCallContext()), settled);
}

const ignore = (): void => {};

export { directClientStreamingCall };
