import type { Deadline, Metadata } from "@grpc/grpc-js";
import type { PartialStatusObject } from "./call-status.js";

/** What the server call objects receive from the call (grpc-js: `InterceptingServerListener`). */
interface ServerCallListener {
  onReceiveMetadata(metadata: Metadata): void;
  onReceiveMessage(message: unknown): void;
  onReceiveHalfClose(): void;
  /** The call is over: cancelled, timed out, or (as in grpc-js >= 1.10) finished normally. */
  onCancel(): void;
}

/**
 * The handler's side of one in-process call: the subset of grpc-js's
 * `ServerInterceptingCallInterface` that the server call objects use. After the call is over every
 * method is a no-op, as in grpc-js.
 */
interface ServerCallPort {
  /** The full method path, `/package.Service/Method`. */
  readonly path: string;
  /** Attaches the listener and delivers the request metadata to it at once. */
  start(listener: ServerCallListener): void;
  /** Asks for exactly one more request message (or the half-close). */
  startRead(): void;
  /** Sends response headers; only the first call counts. */
  sendMetadata(metadata: Metadata): void;
  /** Sends one response; `written` runs when the caller has taken it (never, if the call ends first). */
  sendMessage(message: unknown, written: () => void): void;
  /** Ends the call with this status; only the first call counts. */
  sendStatus(status: PartialStatusObject): void;
  getPeer(): string;
  getDeadline(): Deadline;
  getHost(): string;
}

export type { ServerCallListener, ServerCallPort };
