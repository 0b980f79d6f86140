import type { BridgeIterator } from "../../core/index.js";
import type { CallContext, ServerSurfaceCall } from "./call-context.js";

/**
 * The user's own function behind a handler made by {@link unary}, {@link serverStreaming},
 * {@link clientStreaming} or {@link bidi}, by call shape. The direct path (an `asyncClient` over an
 * in-process client) calls it itself, with a context of its own, instead of running the grpc-js handler the
 * adapter returned. @internal
 */
export type DirectHandler =
  | { readonly kind: "unary"; readonly fn: (request: unknown, ctx: CallContext<never>) => unknown }
  | { readonly kind: "serverStreaming"; readonly fn: (request: unknown, ctx: CallContext<never>) => AsyncIterable<unknown> }
  | { readonly kind: "clientStreaming"; readonly fn: (requests: BridgeIterator<unknown>, ctx: CallContext<never>) => unknown }
  | { readonly kind: "bidi"; readonly fn: (requests: BridgeIterator<unknown>, ctx: CallContext<never>) => AsyncIterable<unknown> };

/** Where an adapter-made handler keeps its {@link DirectHandler}. */
const directHandlerKey: unique symbol = Symbol("sluice.grpc.directHandler");

/** Marks `handle` (the grpc-js handler an adapter returns) with the user's function, for the direct path. @internal */
export function markDirect<H extends object>(handle: H, direct: DirectHandler): H {
  Object.defineProperty(handle, directHandlerKey, { value: direct, enumerable: false });
  return handle;
}

/** The user's function behind an adapter-made handler, or `undefined` for any other handler. @internal */
export function directHandlerOf(handler: unknown): DirectHandler | undefined {
  return typeof handler === "function" ? (handler as { [directHandlerKey]?: DirectHandler })[directHandlerKey] : undefined;
}

/** The context type every shape's function accepts, for the casts in the adapters. @internal */
export type AnyContext = CallContext<ServerSurfaceCall>;
