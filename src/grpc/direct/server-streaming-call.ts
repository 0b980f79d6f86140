import { status as Status } from "@grpc/grpc-js";
import type { BridgeIterator } from "../../core/index.js";
import { createSubscription } from "../../core/subscribe.js";
import type { DirectHandler } from "../adapters/direct-handler.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { serviceErrorFrom } from "../service-error.js";
import { dispatchOn } from "./call-support.js";
import type { CreatedBy, DirectRequestOptions } from "./call-support.js";
import { DirectCall } from "./direct-call.js";
import { DirectContext } from "./direct-context.js";
import { DirectPort } from "./direct-port.js";
import { DirectResponses, HandlerResponses } from "./handler-responses.js";
import type { RequestSource } from "./request-source.js";

/**
 * A server-streaming call on the direct path; it starts on the first `next()`. A handler written with
 * `serverStreaming` is pulled: each `next()` resumes its generator ({@link HandlerResponses}). Any other
 * handler writes into a bridge of kind `grpc-responses` (16 responses buffered; its plain `write()`s go
 * straight in) that the caller reads, through server call objects over a {@link DirectPort}.
 * @throws {@link InvalidArgumentError} when a deadline is not a `Deadline`.
 */
function directServerStreamingCall(route: CallRoute, request: unknown, options: DirectRequestOptions, createdBy: CreatedBy): BridgeIterator<unknown> {
  const call = new DirectCall(route, options);
  const direct = route.direct;
  if (direct?.kind === "serverStreaming") return pulledResponses(call, direct, request, options.signal, createdBy);
  return bridgedResponses(call, (port) => dispatchOn(call, port), { single: request }, options, createdBy);
}

/** The generator of a `serverStreaming` handler, pulled by the caller's `next()`. */
function pulledResponses(
  call: DirectCall,
  direct: Extract<DirectHandler, { kind: "serverStreaming" }>,
  request: unknown,
  signal: AbortSignal | undefined,
  createdBy: CreatedBy,
): BridgeIterator<unknown> {
  const codec = call.route.codec;
  let message = request;
  let refused: { readonly code: Status; readonly details: string } | undefined;
  if (!codec.passes || request == null) {
    const transfer = codec.request(request);
    if (transfer.ok) message = transfer.message;
    else refused = transfer.status;
  }
  const ctx = new DirectContext(call, message);
  const core = new HandlerResponses(call, { ctx, run: (context) => direct.fn(message, context.asCallContext()), refused }, signal);
  const handle = new DirectResponses(core);
  core.open(handle, createdBy);
  return handle;
}

/**
 * The responses of a handler that writes them (a plain grpc-js handler, or one behind server interceptors),
 * as a bridge the caller reads. `start` runs the handler on the port; the bridge's teardown cancels the call
 * if it is still running and releases what `release` holds (the requests), and the status ends the bridge:
 * OK after the buffered responses, any other as the call's `ServiceError` after them.
 */
function bridgedResponses(
  call: DirectCall,
  start: (port: DirectPort) => void,
  requests: { readonly single: unknown } | { readonly source: RequestSource },
  { signal, highWaterMark = 16 }: Pick<DirectRequestOptions, "signal" | "highWaterMark">,
  createdBy: CreatedBy,
  release?: () => Promise<void>,
): BridgeIterator<unknown> {
  return createSubscription<unknown>(
    "grpc-responses",
    (sink) => {
      const settle = (deliver: () => void): void => {
        if (release === undefined) deliver();
        else void release().then(deliver);
      };
      const caller = {
        ended: (status: Parameters<typeof serviceErrorFrom>[0]): void =>
          settle(() => (status.code === Status.OK ? sink.end() : sink.fail(serviceErrorFrom(status)))),
        failed: (error: unknown): void => settle(() => sink.fail(error)),
      };
      // The caller's requests threw: the call is cancelled, and the caller gets their own error.
      const side = "single" in requests ? requests : { source: requests.source, failed: (error: unknown) => call.cancelByCaller() && caller.failed(error) };
      if (call.start(caller)) start(new DirectPort(call, side, { sink }));
      return () => {
        call.cancelByCaller();
        return release?.();
      };
    },
    { name: call.route.path, highWaterMark, ...(signal === undefined ? {} : { signal }) },
    createdBy,
    { highWaterMark: 16 },
    release === undefined ? undefined : () => void release(),
  );
}

export { bridgedResponses, directServerStreamingCall };
