import type { handleClientStreamingCall, ServerReadableStream } from "@grpc/grpc-js";
import type { BridgeIterator } from "../../core/index.js";
import { InvalidArgumentError } from "../../core/index.js";
import { openContext } from "./call-context.js";
import { assertShape, canRead } from "./call-shape-check.js";
import { markDirect } from "./direct-handler.js";
import type { DirectHandler } from "./direct-handler.js";
import type { CallContext } from "./call-context.js";
import { requestStream } from "./request-stream.js";
import { statusFromError } from "./status-from-error.js";

/**
 * Writes a client-streaming handler as an `async` function over its requests: `requests` is a sluice
 * iterator (`for await` it; `break` is fine), the returned value is the response, a thrown
 * {@link GrpcError} is the status.
 *
 * `requests` ends when the caller half-closes and throws a `GrpcError` CANCELLED if the caller cancels
 * or the deadline passes. It is a bridge of kind `grpc-requests` named after the method path, with a
 * buffer of 16 requests; a full buffer pauses the call, so HTTP/2 flow control slows the caller down.
 * It is stopped when the handler finishes, however it finishes, so it never leaks.
 *
 * The message types come from the slot the handler goes into, as for {@link unary}.
 *
 * **Gotcha:** the handler may answer before reading every request (grpc-js allows it); the requests
 * it did not read are discarded.
 * @param handler - receives the requests and a {@link CallContext}; returns the response.
 * @returns a grpc-js `handleClientStreamingCall`.
 * @throws {@link sluice!InvalidArgumentError} when `handler` is not a function.
 * @example
 * ```ts
 * server.addService(Greeter.service, {
 *   CountHellos: clientStreaming<HelloRequest, HelloCount>(async (requests) => {
 *     let count = 0;
 *     for await (const { name } of requests) if (name !== "") count += 1;
 *     return { count };
 *   }),
 * });
 * ```
 */
export function clientStreaming<Req, Res>(
  handler: (requests: BridgeIterator<Req>, ctx: CallContext<ServerReadableStream<Req, Res>>) => Res | PromiseLike<Res>,
): handleClientStreamingCall<Req, Res> {
  if (typeof handler !== "function") throw new InvalidArgumentError("handler", "a function", handler);
  const handle: handleClientStreamingCall<Req, Res> = function handle(call, callback) {
    assertShape("clientStreaming", typeof callback === "function" && canRead(call), true, call);
    const { ctx, finish, cancelled } = openContext(call);
    const requests = requestStream<Req>(call, handle);
    const respond = async (): Promise<void> => {
      try {
        const response = await handler(requests, ctx);
        if (!cancelled()) callback(null, response, ctx.trailers);
      } catch (error) {
        if (!cancelled()) callback(statusFromError(error, ctx.trailers));
      } finally {
        finish();
        // Finishes the bridge whatever the handler left it in; a teardown error has nobody to go to.
        await requests.return().catch(() => undefined);
      }
    };
    // Every failure was turned into the status above; nothing is left to reject.
    void respond();
  };
  return markDirect(handle, { kind: "clientStreaming", fn: handler as DirectHandler["fn"] } as DirectHandler);
}
