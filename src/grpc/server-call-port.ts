import type { ServerInterceptingCallInterface } from "@grpc/grpc-js";

/**
 * The handler's side of one call: grpc-js's public `ServerInterceptingCallInterface`, so that server
 * interceptors (`new grpc.ServerInterceptingCall(next, responder)`) can wrap it exactly as they wrap
 * grpc-js's HTTP/2 server call. After the call is over every method is a no-op, as in grpc-js.
 */
type ServerCallPort = ServerInterceptingCallInterface;

/** What the server call objects give to `start()` (grpc-js: `InterceptingServerListener`). */
type ServerCallListener = Parameters<ServerCallPort["start"]>[0];

export type { ServerCallListener, ServerCallPort };
