import { connect } from "node:http2";
import type { ClientHttp2Session } from "node:http2";
import { ServerCredentials } from "@grpc/grpc-js";
import type { ChannelInterface, ChannelOptions, ConnectionInjector, Server } from "@grpc/grpc-js";
import { InvalidArgumentError } from "../../core/index.js";
import { AlwaysReadyChannel } from "../always-ready-channel.js";
import { createDuplexPair } from "./duplex-pair.js";
import { PipeCall } from "./pipe-call.js";

/**
 * Options of {@link createPipeChannel}: the grpc-js channel options that still mean something on a pipe.
 * @example
 * ```ts
 * const channel = createPipeChannel(server, { "grpc.max_receive_message_length": 1 << 20, authority: "greeter.local" });
 * ```
 */
export interface PipeChannelOptions extends Pick<ChannelOptions, "grpc.max_send_message_length" | "grpc.max_receive_message_length" | "grpc.primary_user_agent"> {
  /** Largest request the client sends, in bytes; -1 = unlimited. @default -1 */
  readonly "grpc.max_send_message_length"?: number;
  /** Largest response the client accepts, in bytes; -1 = unlimited. @default 4194304 */
  readonly "grpc.max_receive_message_length"?: number;
  /** Prepended to the `user-agent` the server sees. @default undefined */
  readonly "grpc.primary_user_agent"?: string;
  /** The `:authority` of every call (what the handler's `getHost()` returns). @default "pipe" */
  readonly authority?: string;
}

/** One injector per server: each `createConnectionInjector` call creates an HTTP/2 server inside grpc-js. */
const injectors = new WeakMap<Server, ConnectionInjector>();

let callNumber = 0; // grpc-js numbers calls per process for its traces; ours count separately

/**
 * A grpc-js `Channel` connected to `server` through an in-memory pipe: real HTTP/2 (framing, HPACK,
 * flow control), real serialization and the server's real call handling, with no socket, no port
 * and no file. Give it to a client as the public `channelOverride` option:
 *
 * ```ts
 * const client = new Greeter("pipe", grpc.credentials.createInsecure(), { channelOverride: createPipeChannel(server) });
 * ```
 *
 * The server side is grpc-js's own: `Server#createConnectionInjector` (grpc-js >= 1.11) receives one
 * end of an in-memory Duplex pair (Node 20 has no `stream.duplexPair()`), so handlers, server
 * interceptors, deadlines and max sizes behave exactly as over TCP. The server needs no `bindAsync`.
 *
 * The client side cannot be grpc-js's own: grpc-js 1.14 always opens a TCP or unix socket before its
 * credentials see it, and offers no public way to hand a channel a ready-made stream. So the channel's
 * calls are sluice's (`PipeCall`): Node's HTTP/2 client session over the other end of the pair, with
 * grpc-js's call rules (one message per read, OK status after the last message, deadlines, parent
 * propagation, max sizes). Everything above the channel is grpc-js's: interceptors, serialization,
 * the call objects and their event order.
 *
 * **Gotcha:** one HTTP/2 connection per channel, opened on the first call and reopened after the
 * server closed it; `close()` (or the client's `close()`) ends it. Call credentials are ignored, and
 * compression is not negotiated.
 * @param server - a grpc-js `Server` with its services added; it need not be bound to any port.
 * @param options - see {@link PipeChannelOptions}.
 * @throws {@link sluice!InvalidArgumentError} when `server` has no `createConnectionInjector` (grpc-js < 1.11), or
 *   an option is not what it takes.
 * @example
 * ```ts
 * const server = new grpc.Server(); // no bindAsync needed
 * server.addService(Greeter.service, handlers);
 * const client = new Greeter("pipe", grpc.credentials.createInsecure(), { channelOverride: createPipeChannel(server) });
 * ```
 */
export function createPipeChannel(server: Server, options: PipeChannelOptions = {}): ChannelInterface {
  if (typeof (server as Partial<Server> | null)?.createConnectionInjector !== "function") {
    throw new InvalidArgumentError("server", "a grpc-js Server (>= 1.11, with createConnectionInjector)", server);
  }
  checkOptions(options);
  return new PipeChannel(server, options);
}

/** Checks the options before any call can trip over them (as the authority header, a size limit). */
function checkOptions(options: unknown): asserts options is PipeChannelOptions {
  if (typeof options !== "object" || options === null) throw new InvalidArgumentError("options", "an object of channel options", options);
  const { authority } = options as PipeChannelOptions;
  const agent = (options as PipeChannelOptions)["grpc.primary_user_agent"];
  if (authority !== undefined && typeof authority !== "string") throw new InvalidArgumentError("authority", "a string", authority);
  if (agent !== undefined && typeof agent !== "string") throw new InvalidArgumentError('options["grpc.primary_user_agent"]', "a string", agent);
  for (const key of ["grpc.max_send_message_length", "grpc.max_receive_message_length"] as const) {
    const value = (options as PipeChannelOptions)[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= -1)) throw new InvalidArgumentError(`options["${key}"]`, "an integer >= -1 (-1: unlimited)", value);
  }
}

/** The channel of {@link createPipeChannel}. */
class PipeChannel extends AlwaysReadyChannel {
  readonly #server: Server; // the server at the other end of every connection
  readonly #options: PipeChannelOptions; // fixed at construction
  #session: ClientHttp2Session | undefined; // the live HTTP/2 connection, opened on the first call, cleared when it closes

  constructor(server: Server, options: PipeChannelOptions) {
    super("pipe");
    this.#server = server;
    this.#options = options;
  }

  override close(): void {
    super.close();
    const session = this.#session;
    this.#session = undefined;
    session?.close();
  }

  override createCall(...[method, deadline, host, parent, propagateFlags]: Parameters<ChannelInterface["createCall"]>): ReturnType<ChannelInterface["createCall"]> {
    if (this.closed) throw new Error("Channel has been shut down");
    // grpc-js's own channel refuses anything else, synchronously, with this error (channel.ts createCall).
    if (typeof deadline !== "number" && !(deadline instanceof Date)) throw new TypeError("Channel#createCall: deadline must be a number or Date");
    const options = this.#options;
    const userAgent = [options["grpc.primary_user_agent"], "grpc-node-js sluice-pipe"].filter((part) => part !== undefined).join(" ");
    return new PipeCall({
      session: () => this.#connect(),
      method,
      authority: host === "" || host === null || host === undefined ? (options.authority ?? "pipe") : host,
      userAgent,
      deadline,
      parent,
      propagateFlags,
      maxSendMessageLength: options["grpc.max_send_message_length"] ?? -1,
      maxReceiveMessageLength: options["grpc.max_receive_message_length"] ?? 4 * 1024 * 1024,
      callNumber: (callNumber += 1),
    });
  }

  /** The live session, or a new connection through a fresh duplex pair. */
  #connect(): ClientHttp2Session {
    const live = this.#session;
    if (live !== undefined && !live.closed && !live.destroyed) return live;
    let injector = injectors.get(this.#server);
    if (injector === undefined) {
      injector = this.#server.createConnectionInjector(ServerCredentials.createInsecure());
      injectors.set(this.#server, injector);
    }
    const [clientEnd, serverEnd] = createDuplexPair({ client: "pipe", server: "pipe" });
    injector.injectConnection(serverEnd);
    const session = connect("http://pipe", { createConnection: () => clientEnd });
    session.on("error", () => {
      // Every call on it sees its stream close and reports a status; nothing else listens.
    });
    session.once("close", () => {
      if (this.#session === session) this.#session = undefined;
      clientEnd.destroy();
    });
    session.unref();
    this.#session = session;
    return session;
  }
}
