import type { handleBidiStreamingCall, ServerDuplexStream } from "@grpc/grpc-js";
import type { BridgeIterator } from "../../core/index.js";
import { InvalidArgumentError } from "../../core/index.js";
import { openContext } from "./call-context.js";
import { assertShape, canRead, canWrite } from "./call-shape-check.js";
import { markDirect } from "./direct-handler.js";
import type { DirectHandler } from "./direct-handler.js";
import type { CallContext } from "./call-context.js";
import { requestStream } from "./request-stream.js";
import { statusFromError } from "./status-from-error.js";
import { writeResponses } from "./write-responses.js";

/**
 * Writes a bidi handler as an `async function*` over its requests: read `requests` (a sluice iterator)
 * and `yield` responses, in any rhythm (echo one by one, or read everything first). The return ends the
 * call with OK and `ctx.trailers`; a thrown {@link GrpcError} ends it with that status.
 *
 * Both directions have backpressure: `requests` buffers at most 16 requests before the call is paused,
 * and a response is pulled from the generator only once the call accepted the previous one (never more
 * than its highWaterMark pending). When the caller cancels, `ctx.signal` aborts, `requests` throws a
 * `GrpcError` CANCELLED, and the generator is stopped with `return()` (its `finally` blocks run).
 * `requests` is stopped when the handler finishes, so it never leaks.
 *
 * The message types come from the slot the handler goes into, as for {@link unary}.
 *
 * **Gotcha:** returning before the caller half-closed ends the call; requests still in flight are
 * discarded, as with grpc-js.
 * @param handler - an async generator function receiving the requests and a {@link CallContext}.
 * @returns a grpc-js `handleBidiStreamingCall`.
 * @throws {@link sluice!InvalidArgumentError} when `handler` is not a function.
 * @example
 * ```ts
 * server.addService(Greeter.service, {
 *   Chat: bidi<HelloRequest, HelloReply>(async function* (requests) {
 *     for await (const { name } of requests) yield { message: `hello ${name}` }; // one reply per request
 *   }),
 * });
 * ```
 */
export function bidi<Req, Res>(
  handler: (requests: BridgeIterator<Req>, ctx: CallContext<ServerDuplexStream<Req, Res>>) => AsyncIterable<Res>,
): handleBidiStreamingCall<Req, Res> {
  if (typeof handler !== "function") throw new InvalidArgumentError("handler", "a function", handler);
  const handle: handleBidiStreamingCall<Req, Res> = function handle(call, ...rest: unknown[]) {
    assertShape("bidi", rest[0] === undefined && canRead(call), canWrite(call), call);
    const { ctx, finish, cancelled } = openContext(call);
    const requests = requestStream<Req>(call, handle);
    const respond = async (): Promise<void> => {
      try {
        await writeResponses(call, handler(requests, ctx), ctx.signal);
        if (!cancelled()) call.end(ctx.trailers);
      } catch (error) {
        if (!cancelled()) call.emit("error", statusFromError(error, ctx.trailers));
      } finally {
        finish();
        // Finishes the bridge whatever the handler left it in; a teardown error has nobody to go to.
        await requests.return().catch(() => undefined);
      }
    };
    // Every failure was turned into the status above; nothing is left to reject.
    void respond();
  };
  return markDirect(handle, { kind: "bidi", fn: handler as DirectHandler["fn"] } as DirectHandler);
}
