import type { handleUnaryCall, ServerUnaryCall } from "@grpc/grpc-js";
import { InvalidArgumentError } from "../../core/index.js";
import { openContext } from "./call-context.js";
import { assertShape } from "./call-shape-check.js";
import { markDirect } from "./direct-handler.js";
import type { DirectHandler } from "./direct-handler.js";
import type { CallContext } from "./call-context.js";
import { statusFromError } from "./status-from-error.js";

/**
 * Writes a unary handler as an `async` function: return the response, throw a {@link GrpcError} for a
 * status. The result is an ordinary grpc-js handler for `server.addService` or `createInProcessClient`.
 *
 * Any other throw (or rejection) ends the call with UNKNOWN "Unknown error" (the message with
 * `GRPC_NODE_DEBUG_SEND_ERROR_DETAILS=true`). Unlike a plain `async` grpc-js handler, a rejection never
 * leaves the call hanging. `ctx.trailers` go with the status either way.
 *
 * The request and response types come from the slot the handler goes into: a generated handlers type
 * (ts-proto's `GreeterServer`, proto-loader-gen-types' `GreeterHandlers`) or `createInProcessClient`'s
 * implementation. grpc-js's `server.addService(service, { … })` takes handlers of `any` messages, so
 * there type the object as the generated handlers type, or give them (`unary<Req, Res>(…)`), as for
 * every adapter.
 *
 * **Gotcha:** once the caller cancelled or the deadline passed, whatever the function returns is
 * dropped; watch `ctx.signal` to stop early.
 * @param handler - receives the request and a {@link CallContext}.
 * @returns a grpc-js `handleUnaryCall`.
 * @throws {@link sluice!InvalidArgumentError} when `handler` is not a function.
 * @example
 * ```ts
 * const client = createInProcessClient(Greeter, {
 *   SayHello: unary(async ({ name }, ctx) => ({ message: `hello ${name} from ${ctx.peer}` })), // typed by the slot
 * });
 * // server.addService takes handlers of any messages: say which.
 * server.addService(Greeter.service, { SayHello: unary<HelloRequest, HelloReply>(async ({ name }) => ({ message: `hello ${name}` })) });
 * ```
 */
export function unary<Req, Res>(handler: (request: Req, ctx: CallContext<ServerUnaryCall<Req, Res>>) => Res | PromiseLike<Res>): handleUnaryCall<Req, Res> {
  if (typeof handler !== "function") throw new InvalidArgumentError("handler", "a function", handler);
  return markDirect<handleUnaryCall<Req, Res>>((call, callback) => {
    assertShape("unary", typeof callback === "function", true, call);
    const { ctx, finish, cancelled } = openContext(call);
    const respond = async (): Promise<void> => {
      try {
        const response = await handler(call.request, ctx);
        if (!cancelled()) callback(null, response, ctx.trailers);
      } catch (error) {
        if (!cancelled()) callback(statusFromError(error, ctx.trailers));
      } finally {
        finish();
      }
    };
    // Every failure was turned into the status above; nothing is left to reject.
    void respond();
  }, { kind: "unary", fn: handler as DirectHandler["fn"] } as DirectHandler);
}
