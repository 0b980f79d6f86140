import { Readable } from "node:stream";
import type { Metadata, ServerReadableStream } from "@grpc/grpc-js";
import { statusFromServerError } from "./call-status.js";
import type { ServerCallPort } from "./server-call-port.js";
import { type CallSurface, callPath, callPort, installCallSurface } from "./server-surface.js";

// The accessors (getPeer, getDeadline, …) are installed on the prototype by installCallSurface; the merged
// interface declares them. It must repeat the class's type parameters, unused here.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
interface InProcessServerReadableStream<Req, Res> extends CallSurface {}

/**
 * What a client-streaming handler receives in-process: an objectMode `Readable` of requests, like
 * grpc-js's `ServerReadableStream`. Each `_read` asks the call for exactly one message.
 */
class InProcessServerReadableStream<Req, Res> extends Readable implements ServerReadableStream<Req, Res> {
  /** The call's transport (read by the accessors installed from server-surface.ts). */
  readonly [callPort]: ServerCallPort;
  /** The full method path, `/package.Service/Method`. */
  readonly [callPath]: string;
  /** Set (with a `'cancelled'` event) when the call is over, including after success. */
  cancelled = false;
  /** A copy of the request metadata. */
  readonly metadata: Metadata;

  constructor(path: string, port: ServerCallPort, metadata: Metadata) {
    super({ objectMode: true });
    this[callPath] = path;
    this[callPort] = port;
    this.metadata = metadata;
    // grpc-js hands client-streaming handlers a Duplex that turns an emitted 'error' into the status.
    this.on("error", (error: unknown) => port.sendStatus(statusFromServerError(error)));
  }

  override _read(_size: number): void {
    this[callPort].startRead();
  }
}

installCallSurface(InProcessServerReadableStream);

export { InProcessServerReadableStream };
