import { InvalidArgumentError } from "../../core/index.js";

/** What grpc-js hands a handler of each call shape, in words. */
const shapeOf = {
  unary: "unary",
  serverStreaming: "server-streaming",
  clientStreaming: "client-streaming",
  bidi: "bidi-streaming",
} as const;

/**
 * Checks that grpc-js called an adapter's handler with the call of the method shape it serves (`(call, callback)`
 * for unary and client-streaming, a call that can write for server-streaming and bidi, one that can read for
 * client-streaming and bidi). An adapter registered for a method of another shape would otherwise fail inside
 * (a `callback` that is not a function, a `write` that is missing, requests that never come), leaving the call
 * without a status. A throw here is the handler's synchronous throw: grpc-js answers UNKNOWN.
 * @throws {@link InvalidArgumentError} naming the adapter and the shape it serves.
 * @internal
 */
export function assertShape(adapter: keyof typeof shapeOf, arguments_: boolean, call: boolean, actual: unknown): void {
  if (!arguments_ || !call) {
    throw new InvalidArgumentError(
      "call",
      `the server call of a ${shapeOf[adapter]} method (a handler written with ${adapter}() serves ${shapeOf[adapter]} methods only; check the service definition it is registered for)`,
      actual,
    );
  }
}

/** The call can send responses (server-streaming, bidi). @internal */
export function canWrite(call: unknown): boolean {
  return typeof (call as { write?: unknown }).write === "function";
}

/** The call delivers a stream of requests (client-streaming, bidi). @internal */
export function canRead(call: unknown): boolean {
  return typeof (call as { resume?: unknown }).resume === "function" && typeof (call as { pause?: unknown }).pause === "function";
}
