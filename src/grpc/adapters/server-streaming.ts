import type { handleServerStreamingCall, ServerWritableStream } from "@grpc/grpc-js";
import { InvalidArgumentError } from "../../core/index.js";
import { openContext } from "./call-context.js";
import { assertShape, canWrite } from "./call-shape-check.js";
import { markDirect } from "./direct-handler.js";
import type { DirectHandler } from "./direct-handler.js";
import type { CallContext } from "./call-context.js";
import { statusFromError } from "./status-from-error.js";
import { writeResponses } from "./write-responses.js";

/**
 * Writes a server-streaming handler as an `async function*`: every `yield` is a response, the return
 * ends the call with OK and `ctx.trailers`, a thrown {@link GrpcError} ends it with that status (after
 * the responses already yielded), any other throw with UNKNOWN.
 *
 * Backpressure: the next value is pulled only once the call accepted the previous one, so no more than
 * the call's highWaterMark (16) responses are ever pending, however fast the generator is. When the
 * caller cancels (or the deadline passes), `ctx.signal` aborts and the generator is stopped with
 * `return()`: its `finally` blocks run.
 *
 * The message types come from the slot the handler goes into, as for {@link unary}.
 *
 * **Gotcha:** a generator suspended in an `await` is stopped only once that `await` settles; pass
 * `ctx.signal` to what it awaits.
 * @param handler - an async generator function (or any function returning an async iterable).
 * @returns a grpc-js `handleServerStreamingCall`.
 * @throws {@link sluice!InvalidArgumentError} when `handler` is not a function.
 * @example
 * ```ts
 * import { setTimeout } from "node:timers/promises";
 * server.addService(Greeter.service, {
 *   SayHelloStream: serverStreaming<HelloRequest, HelloReply>(async function* ({ name }, ctx) {
 *     for (const greeting of ["hello", "hi", "hey"]) {
 *       await setTimeout(1_000, undefined, { signal: ctx.signal }); // rejects at once if the caller cancels
 *       yield { message: `${greeting} ${name}` };
 *     }
 *   }),
 * });
 * ```
 */
export function serverStreaming<Req, Res>(
  handler: (request: Req, ctx: CallContext<ServerWritableStream<Req, Res>>) => AsyncIterable<Res>,
): handleServerStreamingCall<Req, Res> {
  if (typeof handler !== "function") throw new InvalidArgumentError("handler", "a function", handler);
  return markDirect<handleServerStreamingCall<Req, Res>>((call, ...rest: unknown[]) => {
    assertShape("serverStreaming", rest[0] === undefined, canWrite(call), call);
    const { ctx, finish, cancelled } = openContext(call);
    const respond = async (): Promise<void> => {
      try {
        await writeResponses(call, handler(call.request, ctx), ctx.signal);
        if (!cancelled()) call.end(ctx.trailers);
      } catch (error) {
        if (!cancelled()) call.emit("error", statusFromError(error, ctx.trailers));
      } finally {
        finish();
      }
    };
    // Every failure was turned into the status above; nothing is left to reject.
    void respond();
  }, { kind: "serverStreaming", fn: handler as DirectHandler["fn"] } as DirectHandler);
}
