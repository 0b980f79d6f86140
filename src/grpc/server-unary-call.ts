import { EventEmitter } from "node:events";
import type { Deadline, Metadata, ServerUnaryCall } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import type { ServerCallPort } from "./server-call-port.js";
import type { AuthContext, MetricsRecorder } from "./server-surface.js";

/**
 * What a unary handler receives in-process: grpc-js's `ServerUnaryCall` (an EventEmitter).
 * `emit('error', {code, details, metadata})` ends the call with that status, as in grpc-js.
 */
class InProcessServerUnaryCall<Req, Res> extends EventEmitter implements ServerUnaryCall<Req, Res> {
  /** The call's transport; outlives the handler only as long as the caller keeps the call. */
  readonly #port: ServerCallPort;
  /** The full method path, `/package.Service/Method`. */
  readonly #path: string;
  /** Set (with a `'cancelled'` event) when the call is over, including after success (grpc-js >= 1.10). */
  cancelled = false;
  /** A copy of the request metadata. */
  readonly metadata: Metadata;
  request: Req;

  constructor(path: string, port: ServerCallPort, metadata: Metadata, request: Req) {
    super();
    this.#path = path;
    this.#port = port;
    this.metadata = metadata;
    this.request = request;
    // grpc-js hands unary handlers a Writable that turns an emitted 'error' into the status.
    this.on("error", (error: unknown) => port.sendStatus(statusFromServerError(error)));
  }

  getPeer(): string {
    return this.#port.getPeer();
  }
  sendMetadata(responseMetadata: Metadata): void {
    this.#port.sendMetadata(responseMetadata);
  }
  getDeadline(): Deadline {
    return this.#port.getDeadline();
  }
  getPath(): string {
    return this.#path;
  }
  getHost(): string {
    return this.#port.getHost();
  }
  getAuthContext(): AuthContext {
    return this.#port.getAuthContext();
  }
  getMetricsRecorder(): MetricsRecorder {
    return this.#port.getMetricsRecorder();
  }
}

export { InProcessServerUnaryCall };
