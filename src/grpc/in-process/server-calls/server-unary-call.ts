import { EventEmitter } from "node:events";
import type { Metadata, ServerUnaryCall } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import type { ServerCallPort } from "./server-call-port.js";
import { type CallSurface, callPath, callPort, installCallSurface } from "./server-surface.js";

// The accessors (getPeer, getDeadline, …) are installed on the prototype by installCallSurface; the merged
// interface declares them. It must repeat the class's type parameters, unused here.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
interface InProcessServerUnaryCall<Req, Res> extends CallSurface {}

/**
 * What a unary handler receives in-process: grpc-js's `ServerUnaryCall` (an EventEmitter).
 * `emit('error', {code, details, metadata})` ends the call with that status, as in grpc-js.
 */
class InProcessServerUnaryCall<Req, Res> extends EventEmitter implements ServerUnaryCall<Req, Res> {
  /** The call's transport (read by the accessors installed from server-surface.ts). */
  readonly [callPort]: ServerCallPort;
  /** The full method path, `/package.Service/Method`. */
  readonly [callPath]: string;
  /** Set (with a `'cancelled'` event) when the call is over, including after success (grpc-js >= 1.10). */
  cancelled = false;
  /** A copy of the request metadata. */
  readonly metadata: Metadata;
  request: Req;

  constructor(path: string, port: ServerCallPort, metadata: Metadata, request: Req) {
    super();
    this[callPath] = path;
    this[callPort] = port;
    this.metadata = metadata;
    this.request = request;
    // grpc-js hands unary handlers a Writable that turns an emitted 'error' into the status.
    this.on("error", (error: unknown) => port.sendStatus(statusFromServerError(error)));
  }
}

installCallSurface(InProcessServerUnaryCall);

export { InProcessServerUnaryCall };
