import { constants as http2constants } from "node:http2";
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { Metadata, propagate as Propagate, status as Status } from "@grpc/grpc-js";
import type { CallCredentials, Deadline, InterceptingListener, StatusObject, experimental } from "@grpc/grpc-js";

type CallStream = experimental.CallStream;
type MessageContext = Parameters<CallStream["sendMessageWithContext"]>[0];
/** What propagation needs of a parent server call. */
interface ParentCall {
  getDeadline(): Deadline;
  on(event: "cancelled", listener: () => void): unknown;
}

/**
 * Decoded messages held before the HTTP/2 stream is paused. Pausing at every message (as grpc-js's
 * subchannel call does) costs a pause/resume per message; a few dozen small messages are cheap to
 * hold, and the HTTP/2 window still bounds what the server can send ahead.
 */
const pauseAt = 32;

/** Where a pipe call is, in order; it only moves forward. */
const Phase = { Idle: 0, Open: 1, Done: 2 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** What a pipe call needs from its channel. @internal */
export interface PipeCallSetup {
  readonly session: () => ClientHttp2Session;
  readonly method: string;
  readonly authority: string;
  readonly userAgent: string;
  readonly deadline: Deadline;
  readonly parent: ParentCall | null;
  readonly propagateFlags: number | null | undefined;
  readonly maxSendMessageLength: number;
  readonly maxReceiveMessageLength: number;
  readonly callNumber: number;
}

/**
 * One gRPC call over an HTTP/2 stream of the pipe's client session: grpc-js's `Call` interface (what
 * a `Channel` returns from `createCall`), so grpc-js's own client code runs above it (interceptors,
 * serialization, call objects, event order). It follows grpc-js's subchannel call: one message per
 * `startRead()` (the HTTP/2 stream is paused in between, so flow control reaches the server), write
 * callbacks when HTTP/2 took the frame, an OK status only after every message was read, a non-OK
 * status at once, deadlines and parent propagation as grpc-js's resolving call does them. @internal
 */
export class PipeCall implements CallStream {
  readonly #setup: PipeCallSetup; // fixed for the call's life
  #phase: Phase = Phase.Idle;
  #listener: InterceptingListener | undefined; // set by start(); told everything, once each
  #stream: ClientHttp2Stream | undefined; // the HTTP/2 stream, from start() until it closes
  readonly #received: Buffer[] = []; // decoded messages not yet read; short, since the stream pauses at one
  #readPending = false; // startRead() was called and no message was delivered since
  #headersSeen = false; // the response headers were delivered; Node emits them a tick after the data that follows them
  #readsClosed = false; // the server ended its side (END_STREAM)
  #finalStatus: StatusObject | undefined; // the status, from trailers or a cancel, before it is output
  #pending: Buffer = Buffer.alloc(0); // bytes of an incomplete frame
  #deadlineTimer: NodeJS.Timeout | undefined; // cleared when the status is output
  readonly #startedAt = Date.now(); // for "Deadline exceeded after …s"

  constructor(setup: PipeCallSetup) {
    this.#setup = setup;
  }

  start(metadata: Metadata, listener: InterceptingListener): void {
    if (this.#phase !== Phase.Idle) return;
    this.#phase = Phase.Open;
    this.#listener = listener;
    const setup = this.#setup;
    let deadline = setup.deadline;
    const flags = setup.propagateFlags ?? Propagate.DEFAULTS;
    if (setup.parent !== null) {
      if ((flags & Propagate.CANCELLATION) !== 0) setup.parent.on("cancelled", () => this.cancelWithStatus(Status.CANCELLED, "Cancelled by parent call"));
      if ((flags & Propagate.DEADLINE) !== 0) deadline = Math.min(toMs(deadline), toMs(setup.parent.getDeadline()));
    }
    const deadlineMs = toMs(deadline);
    if (deadlineMs !== Infinity) {
      // A deadline already past fires on the next turn: the status never arrives inside start().
      const wait = Math.max(0, deadlineMs - Date.now());
      this.#deadlineTimer = setTimeout(() => {
        this.cancelWithStatus(Status.DEADLINE_EXCEEDED, `Deadline exceeded after ${((Date.now() - this.#startedAt) / 1000).toFixed(3)}s`);
      }, Math.min(wait, 2 ** 31 - 1));
    }
    const headers: OutgoingHttpHeaders = {
      ...metadata.toHttp2Headers(),
      [http2constants.HTTP2_HEADER_AUTHORITY]: setup.authority,
      [http2constants.HTTP2_HEADER_USER_AGENT]: setup.userAgent,
      [http2constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
      [http2constants.HTTP2_HEADER_METHOD]: "POST",
      [http2constants.HTTP2_HEADER_PATH]: setup.method,
      [http2constants.HTTP2_HEADER_TE]: "trailers",
      // No compression on the pipe: ask the server for identity-encoded responses only.
      "grpc-accept-encoding": "identity",
    };
    if (deadlineMs !== Infinity) headers["grpc-timeout"] = timeoutString(deadlineMs);
    let stream: ClientHttp2Stream;
    try {
      stream = setup.session().request(headers);
    } catch (error) {
      this.#end({ code: Status.UNAVAILABLE, details: (error as Error).message, metadata: new Metadata() });
      return;
    }
    this.#stream = stream;
    stream.on("response", (responseHeaders: IncomingHttpHeaders, flags: number) => {
      if ((flags & http2constants.NGHTTP2_FLAG_END_STREAM) !== 0) {
        this.#onTrailers(responseHeaders);
        return;
      }
      this.#headersSeen = true;
      const received = Metadata.fromHttp2Headers(responseHeaders);
      // grpc-js's compression filter consumes these two before the caller sees the headers.
      received.remove("grpc-encoding");
      received.remove("grpc-accept-encoding");
      this.#listener?.onReceiveMetadata(received);
      this.#flush();
    });
    stream.on("trailers", (trailers: IncomingHttpHeaders) => this.#onTrailers(trailers));
    stream.on("data", (chunk: Buffer) => this.#onData(chunk));
    stream.on("end", () => {
      this.#readsClosed = true;
      this.#flush();
    });
    stream.on("error", () => {
      // Reported through 'close' and its RST_STREAM code.
    });
    stream.on("close", () => {
      const code = stream.rstCode;
      // After the 'error' that may accompany it, like grpc-js.
      process.nextTick(() => {
        if (this.#finalStatus !== undefined) return;
        this.#end(statusFromRstCode(code));
      });
    });
  }

  sendMessageWithContext(context: MessageContext, message: Buffer): void {
    const stream = this.#stream;
    const limit = this.#setup.maxSendMessageLength;
    if (limit !== -1 && message.length > limit) {
      // Not inside the caller's write: grpc-js's filters report it asynchronously too, after the
      // client method has returned and its listeners are attached.
      process.nextTick(() => {
        this.cancelWithStatus(Status.RESOURCE_EXHAUSTED, `Attempted to send message with a size larger than ${limit}`);
        context.callback?.();
      });
      return;
    }
    if (stream === undefined || this.#finalStatus !== undefined || stream.destroyed) {
      context.callback?.();
      return;
    }
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame.writeUInt8(0, 0);
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    stream.write(frame, () => context.callback?.());
  }

  startRead(): void {
    this.#readPending = true;
    this.#flush();
  }

  halfClose(): void {
    const stream = this.#stream;
    if (stream !== undefined && !stream.destroyed) stream.end();
  }

  /** Ends the call now with this status, even over a status that waits for its messages to be read (as grpc-js does). */
  cancelWithStatus(code: Status, details: string): void {
    if (this.#phase >= Phase.Done) return;
    this.#finalStatus = { code, details, metadata: new Metadata() };
    this.#flush();
  }

  getPeer(): string {
    return "pipe";
  }

  getCallNumber(): number {
    return this.#setup.callNumber;
  }

  setCredentials(_credentials: CallCredentials): void {
    // Nothing leaves the process: call credentials have nowhere to go (as for the in-process client).
  }

  getAuthContext(): null {
    return null;
  }

  #onData(chunk: Buffer): void {
    // Trailers can arrive while data still sits in the paused stream: only an output status drops data.
    if (this.#phase >= Phase.Done) return;
    let bytes = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (bytes.length >= 5) {
      const length = bytes.readUInt32BE(1);
      const limit = this.#setup.maxReceiveMessageLength;
      if (limit !== -1 && length > limit) {
        this.cancelWithStatus(Status.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${limit})`);
        return;
      }
      if (bytes.length < 5 + length) break;
      if (bytes.readUInt8(0) !== 0) {
        this.cancelWithStatus(Status.INTERNAL, "Expected an uncompressed message on the pipe, got a compressed one");
        return;
      }
      this.#received.push(bytes.subarray(5, 5 + length));
      bytes = bytes.subarray(5 + length);
    }
    this.#pending = bytes;
    if (this.#received.length >= pauseAt) this.#stream?.pause();
    this.#flush();
  }

  #onTrailers(headers: IncomingHttpHeaders): void {
    if (this.#finalStatus !== undefined) return;
    const metadata = Metadata.fromHttp2Headers(headers);
    const code = metadata.get("grpc-status")[0];
    metadata.remove("grpc-status");
    const message = metadata.get("grpc-message")[0];
    metadata.remove("grpc-message");
    let details = "";
    if (typeof message === "string") {
      try {
        details = decodeURI(message);
      } catch {
        details = message;
      }
    }
    this.#finalStatus =
      typeof code === "string" ? { code: Number(code), details, metadata } : { code: Status.UNKNOWN, details: "No status information received", metadata };
    this.#readsClosed ||= (this.#stream?.readableEnded ?? true) || this.#finalStatus.code !== Status.OK;
    this.#flush();
  }

  /** Delivers what a pending read may take, then the status when its turn has come. */
  #flush(): void {
    if (this.#phase >= Phase.Done) return;
    const status = this.#finalStatus;
    if (status !== undefined && status.code !== Status.OK) return this.#output(status);
    if (!this.#headersSeen && status === undefined) return;
    if (this.#readPending && this.#received.length > 0) {
      this.#readPending = false;
      // A short queue (the stream pauses while a message waits), so shift() stays cheap here.
      const message = this.#received.shift() as Buffer;
      this.#listener?.onReceiveMessage(message);
      if (this.#received.length < pauseAt) this.#stream?.resume();
    }
    if (status !== undefined && this.#readsClosed && this.#received.length === 0) this.#output(status);
  }

  /** Ends the call with `status` unless it already has one, and flushes. */
  #end(status: StatusObject): void {
    if (this.#finalStatus !== undefined || this.#phase >= Phase.Done) return;
    this.#finalStatus = status;
    this.#flush();
  }

  /** The single exit: outputs the status once, clears the timer, closes the HTTP/2 stream. Advances to Done. */
  #output(status: StatusObject): void {
    if (this.#phase >= Phase.Done) return;
    this.#phase = Phase.Done;
    clearTimeout(this.#deadlineTimer);
    this.#received.length = 0;
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream !== undefined && !stream.closed) stream.close(status.code === Status.OK ? http2constants.NGHTTP2_NO_ERROR : http2constants.NGHTTP2_CANCEL);
    // A tick later, as grpc-js's own calls report it (resolving-call.ts outputStatus): a status decided inside the
    // caller's method call (a request the serializer refused, a connection that failed) must not arrive before the
    // caller could listen for it.
    const listener = this.#listener;
    process.nextTick(() => listener?.onReceiveStatus(status));
  }
}

function toMs(deadline: Deadline): number {
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/** grpc-js's `grpc-timeout` header format: the smallest unit whose amount stays below 1e8. */
function timeoutString(deadlineMs: number): string {
  const timeoutMs = Math.max(deadlineMs - Date.now(), 0);
  for (const [unit, factor] of [["m", 1], ["S", 1000], ["M", 60_000], ["H", 3_600_000]] as const) {
    const amount = timeoutMs / factor;
    if (amount < 1e8) return `${Math.ceil(amount)}${unit}`;
  }
  return "99999999H";
}

/** grpc-js's status for an HTTP/2 stream that closed without trailers. */
function statusFromRstCode(code: number): StatusObject {
  const metadata = new Metadata();
  switch (code) {
    case http2constants.NGHTTP2_REFUSED_STREAM:
      return { code: Status.UNAVAILABLE, details: "Stream refused by server", metadata };
    case http2constants.NGHTTP2_CANCEL:
      return { code: Status.CANCELLED, details: "Call cancelled", metadata };
    case http2constants.NGHTTP2_ENHANCE_YOUR_CALM:
      return { code: Status.RESOURCE_EXHAUSTED, details: "Bandwidth exhausted or memory limit exceeded", metadata };
    case http2constants.NGHTTP2_NO_ERROR:
      return { code: Status.INTERNAL, details: `Received RST_STREAM with code ${code} (Call ended without gRPC status)`, metadata };
    default:
      return { code: Status.INTERNAL, details: `Received RST_STREAM with code ${code}`, metadata };
  }
}
