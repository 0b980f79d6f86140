import { Metadata, status as Status } from "@grpc/grpc-js";
import { errorText } from "../../core/errors.js";
import type { PartialStatusObject } from "./server-calls/call-status.js";
import { cloneMessage } from "./clone-message.js";

/**
 * How messages cross between the in-process caller and the handler.
 *
 * - `'share'`: the very object is handed over (zero copy). Caller and handler then share it: a
 *   mutation on one side is seen by the other, and the handler sees exactly what the caller built
 *   (no proto-loader defaults, unknown fields kept).
 * - `'clone'`: a deep copy per message (`structuredClone` semantics, but Buffers stay Buffers and
 *   prototypes are kept).
 * - `'serialize'`: every message round-trips through the method's serializers, so the handler and
 *   the caller see exactly what the wire would give them, and the max message sizes apply.
 *
 * `null` and `undefined` messages round-trip through the serializers in every mode, as grpc-js sends
 * them as empty messages.
 * @example
 * ```ts
 * // Tests that must see proto-loader defaults and size limits serialize; the fast path shares.
 * const messages: MessageMode = process.env["NODE_ENV"] === "test" ? "serialize" : "share";
 * const client = createInProcessClient(Greeter, handlers, { messages });
 * ```
 */
type MessageMode = "share" | "clone" | "serialize";

/** The four (de)serializers of one method, as found on `ClientConstructor.service[name]`. */
interface MethodSerializers {
  readonly path: string;
  readonly requestSerialize: (value: unknown) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseSerialize: (value: unknown) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => unknown;
}

/** Message size limits, with grpc-js's meaning: `-1` is unlimited. */
interface MessageLimits {
  /** Client: largest request it may send. @default -1 */
  readonly clientMaxSend: number;
  /** Client: largest response it accepts. @default 4 MiB */
  readonly clientMaxReceive: number;
  /** Server: largest response it may send. @default -1 */
  readonly serverMaxSend: number;
  /** Server: largest request it accepts. @default 4 MiB */
  readonly serverMaxReceive: number;
}

/** Either the message as the other side should see it, or the status that ends the call. */
type Transfer = { readonly ok: true; readonly message: unknown } | { readonly ok: false; readonly status: PartialStatusObject };

/** Moves one method's messages across the in-process boundary according to a {@link MessageMode}. */
interface MessageCodec {
  /** Caller → handler. */
  request(message: unknown): Transfer;
  /** Handler → caller. */
  response(message: unknown): Transfer;
  /** True when a message other than `null`/`undefined` crosses as it is (`'share'`): a hot path may skip the call. */
  readonly passes: boolean;
}

const failure = (code: Status, details: string): Transfer => ({ ok: false, status: { code, details, metadata: new Metadata() } });

/** grpc-js's server adds the cause with `GRPC_NODE_DEBUG_SEND_ERROR_DETAILS=true`: "Error serializing response: boom". */
function withDebugDetails(details: string, error: unknown): string {
  return process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"] === "true" ? `${details}: ${errorMessage(error)}` : details;
}

function errorMessage(error: unknown): string {
  return errorText(error); // never throws, whatever a serializer threw
}

/**
 * Builds the codec for one method. `null` and `undefined` messages always round-trip through the
 * serializers, whatever the mode, because grpc-js turns them into an empty message on the wire
 * (a unary handler answering `callback(null, null)` gives the caller `{}` with defaults, not `null`).
 */
function createMessageCodec(mode: MessageMode, method: MethodSerializers, limits: MessageLimits, server: MethodSerializers = method): MessageCodec {
  const request = (message: unknown): Transfer => {
    let bytes: Buffer;
    try {
      bytes = method.requestSerialize(message);
    } catch (error) {
      return failure(Status.INTERNAL, `Request message serialization failure: ${errorMessage(error)}`);
    }
    if (limits.clientMaxSend !== -1 && bytes.length > limits.clientMaxSend) {
      return failure(Status.RESOURCE_EXHAUSTED, `Attempted to send message with a size larger than ${limits.clientMaxSend}`);
    }
    if (limits.serverMaxReceive !== -1 && bytes.length > limits.serverMaxReceive) {
      return failure(Status.RESOURCE_EXHAUSTED, `Received message larger than max (${bytes.length} vs ${limits.serverMaxReceive})`);
    }
    try {
      return { ok: true, message: server.requestDeserialize(bytes) };
    } catch (error) {
      return failure(Status.INTERNAL, withDebugDetails("Error deserializing request", error));
    }
  };
  const response = (message: unknown): Transfer => {
    let bytes: Buffer;
    try {
      bytes = server.responseSerialize(message);
      // grpc-js frames what the serializer returned; anything but bytes fails there (with a TypeError or RangeError).
      if (!Buffer.isBuffer(bytes)) throw new TypeError(`Expected a Buffer from responseSerialize, got ${typeof bytes}`);
    } catch (error) {
      return failure(Status.INTERNAL, withDebugDetails("Error serializing response", error));
    }
    // grpc-js counts the 5-byte frame header here, and only here.
    if (limits.serverMaxSend !== -1 && bytes.length > limits.serverMaxSend) {
      return failure(Status.RESOURCE_EXHAUSTED, `Sent message larger than max (${bytes.length + 5} vs. ${limits.serverMaxSend})`);
    }
    if (limits.clientMaxReceive !== -1 && bytes.length > limits.clientMaxReceive) {
      return failure(Status.RESOURCE_EXHAUSTED, `Received message larger than max (${bytes.length} vs ${limits.clientMaxReceive})`);
    }
    try {
      return { ok: true, message: method.responseDeserialize(bytes) };
    } catch (error) {
      return failure(Status.INTERNAL, `Response message parsing error: ${errorMessage(error)}`);
    }
  };
  switch (mode) {
    case "serialize":
      return { request, response, passes: false };
    case "clone":
      return {
        request: (m) => (m == null ? request(m) : cloned(m, (error) => failure(Status.INTERNAL, `Request message serialization failure: ${errorMessage(error)}`))),
        response: (m) => (m == null ? response(m) : cloned(m, (error) => failure(Status.INTERNAL, withDebugDetails("Error serializing response", error)))),
        passes: false,
      };
    case "share":
      return {
        request: (m) => (m == null ? request(m) : { ok: true, message: m }),
        response: (m) => (m == null ? response(m) : { ok: true, message: m }),
        passes: true,
      };
  }
}

/** A message's copy, or, when it cannot be copied (a getter or a proxy's trap throws), the status a serializer's throw gets. */
function cloned(message: unknown, failed: (error: unknown) => Transfer): Transfer {
  try {
    return { ok: true, message: cloneMessage(message) };
  } catch (error) {
    return failed(error);
  }
}

/** grpc-js defaults for {@link MessageLimits}. */
const defaultMessageLimits: MessageLimits = {
  clientMaxSend: -1,
  clientMaxReceive: 4 * 1024 * 1024,
  serverMaxSend: -1,
  serverMaxReceive: 4 * 1024 * 1024,
};

/** Every {@link MessageMode}, for validation messages. */
const messageModes: readonly MessageMode[] = ["share", "clone", "serialize"];

export { createMessageCodec, defaultMessageLimits, messageModes };
export type { MessageCodec, MessageLimits, MessageMode, MethodSerializers, Transfer };
