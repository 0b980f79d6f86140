import type { BridgeIterator } from "../../core/index.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { dispatchOn, handlerRequests, openWithRequests } from "./call-support.js";
import type { CreatedBy, DirectRequestOptions } from "./call-support.js";
import { DirectContext } from "./direct-context.js";
import { DirectResponses, HandlerResponses } from "./handler-responses.js";
import { bridgedResponses } from "./server-streaming-call.js";

/**
 * A bidi call on the direct path; it starts on the first `next()`. A handler written with `bidi` is pulled
 * ({@link HandlerResponses}) and reads the caller's requests through its `requests` bridge; any other handler
 * runs on a server call object over a {@link DirectPort}, its responses bridged to the caller. The caller's
 * iterable is closed before the last result (done or the error) is delivered, and when the call is stopped
 * before it started. If it throws, the call is cancelled and the caller gets that error.
 * @throws {@link InvalidArgumentError} when `requests` is not iterable or a deadline is not a `Deadline`.
 */
function directBidiCall(route: CallRoute, requests: unknown, options: DirectRequestOptions, createdBy: CreatedBy): BridgeIterator<unknown> {
  const { source, call } = openWithRequests(route, requests, options);
  const direct = route.direct;
  if (direct?.kind !== "bidi") {
    return bridgedResponses(call, (port) => dispatchOn(call, port), { source }, options, createdBy, () => source.close());
  }
  const ctx = new DirectContext(call, undefined);
  let requestsFailed: (error: unknown) => void = () => undefined;
  let requestsBridge: BridgeIterator<unknown> | undefined;
  const core = new HandlerResponses(
    call,
    {
      ctx,
      run: (context) => {
        requestsBridge = handlerRequests(call, source, (error) => requestsFailed(error), createdBy);
        return direct.fn(requestsBridge, context.asCallContext());
      },
      release: () => Promise.all([requestsBridge?.return().catch(() => undefined), source.close()]).then(() => undefined),
    },
    options.signal,
  );
  requestsFailed = (error) => {
    if (call.cancelByCaller()) core.failed(error);
  };
  const handle = new DirectResponses(core);
  core.open(handle, createdBy);
  return handle;
}

export { directBidiCall };
