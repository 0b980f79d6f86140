import { InterceptingCall, credentials, status as Status } from "@grpc/grpc-js";
import type {
  CallProperties,
  ChannelCredentials,
  Client,
  ClientOptions,
  Interceptor,
  InterceptorProvider,
  MethodDefinition,
  ServerInterceptor,
  ServiceDefinition,
} from "@grpc/grpc-js";
import { InvalidArgumentError } from "../../core/errors.js";
import { assertFunctionList } from "../../core/options.js";
import { directHandlerOf } from "../adapters/direct-handler.js";
import { handleBidiStreamingCall } from "./server-calls/handle-bidi-streaming-call.js";
import type { BidiStreamingHandler } from "./server-calls/handle-bidi-streaming-call.js";
import { handleClientStreamingCall } from "./server-calls/handle-client-streaming-call.js";
import type { ClientStreamingHandler } from "./server-calls/handle-client-streaming-call.js";
import { handleServerStreamingCall } from "./server-calls/handle-server-streaming-call.js";
import type { ServerStreamingHandler } from "./server-calls/handle-server-streaming-call.js";
import { handleUnaryCall } from "./server-calls/handle-unary-call.js";
import type { UnaryHandler } from "./server-calls/handle-unary-call.js";
import { InProcessCall, callHandle } from "./in-process-call.js";
import type { CallRoute, InProcessCallOptions } from "./in-process-call.js";
import { InProcessChannel } from "./in-process-channel.js";
import { createMessageCodec, defaultMessageLimits, messageModes } from "./message-modes.js";
import type { MessageLimits, MessageMode, MethodSerializers } from "./message-modes.js";
import type { ServerCallPort } from "./server-calls/server-call-port.js";
import type { ServiceImplementation } from "./service-implementation.js";

/**
 * Server-side options (a subset of grpc-js's `ServerOptions`) that still mean something in-process:
 * the `server` option of {@link InProcessClientOptions}.
 * @example
 * ```ts
 * const limits: InProcessServerOptions = { "grpc.max_receive_message_length": 64 * 1024 };
 * const client = createInProcessClient(Greeter, handlers, { messages: "serialize", server: limits }); // sizes need "serialize"
 * ```
 */
interface InProcessServerOptions {
  /** Largest request the handler side accepts, in bytes (`'serialize'` mode only); -1 = unlimited. @default 4194304 */
  readonly "grpc.max_receive_message_length"?: number;
  /** Largest response the handler side may send, in bytes (`'serialize'` mode only); -1 = unlimited. @default -1 */
  readonly "grpc.max_send_message_length"?: number;
  /** Server interceptors, as in grpc-js's `ServerOptions.interceptors`; they run on every in-process call. @default [] */
  readonly interceptors?: readonly ServerInterceptor[];
  /**
   * The service definition the server side uses, as you would give it to `server.addService`, when it is not
   * the client's own: the handlers are then run by *its* method shapes and (in `'serialize'` mode) its
   * serializers, so a client and a server that disagree behave as they would over the network (a second request
   * to a unary handler is UNIMPLEMENTED "Received a second request message…"; a serializer that throws is
   * INTERNAL). Methods are matched by path; a client method the server does not have answers UNIMPLEMENTED
   * naming the path, as a server without it does.
   * @default the client's own definition (`ClientConstructor.service`)
   */
  readonly service?: ServiceDefinition;
}

/**
 * Options of {@link createInProcessClient}: every grpc-js `ClientOptions` (interceptors,
 * interceptor providers, `callInvocationTransformer`, channel options) plus the message mode.
 * `channelOverride` and `channelFactoryOverride` are replaced by the in-process channel.
 * @example
 * ```ts
 * const client = createInProcessClient(Greeter, handlers, {
 *   messages: "serialize", // both sides see exactly what the wire would give them
 *   "grpc.max_receive_message_length": 1 << 20, // enforced in "serialize" mode only
 *   server: { "grpc.max_receive_message_length": 1 << 20 },
 * });
 * ```
 */
type InProcessClientOptions = ClientOptions & {
  /**
   * How messages cross between caller and handler; see {@link MessageMode}. **Gotcha:** with
   * `'share'` the handler receives the caller's very objects (and the caller the handler's), so
   * neither side may mutate a message after handing it over.
   * @default "share"
   */
  readonly messages?: MessageMode;
  /** Limits applied on the handler side, as `grpc.Server` options would. @default {} */
  readonly server?: InProcessServerOptions;
  /**
   * Whether {@link asyncClient} over this client may take the direct path: call the handlers itself, with no
   * grpc-js call objects in between (docs/grpc.md, "The direct path"). `false` keeps every call on grpc-js's
   * client code, as a call made without `asyncClient` is.
   * @default true
   */
  readonly direct?: boolean;
};

/** What `asyncClient` needs to call an in-process client's handlers directly. @internal */
interface InProcessService {
  /** Every method of the service, by path. */
  readonly routes: ReadonlyMap<string, CallRoute>;
  /** Why no call of this client may take the direct path (client interceptors, a call transformer, `direct: false`), if one may not. */
  readonly directRefused: string | undefined;
  /** True once the client was closed: calls then fail as grpc-js's do ("Channel has been shut down"). */
  readonly closed: () => boolean;
}

/** The in-process clients made so far (weakly): what `asyncClient` looks up. */
const services = new WeakMap<object, InProcessService>();

/** The service behind a client made by {@link createInProcessClient}, or `undefined` for any other client. @internal */
function inProcessServiceOf(client: object): InProcessService | undefined {
  return services.get(client);
}

/**
 * A grpc-js service client class: from generated code (ts-proto's `GreeterClient`, proto-loader-gen-types'
 * `ProtoGrpcType`), `loadPackageDefinition` or `makeClientConstructor`. `C` is the type of its instances,
 * and so of what {@link createInProcessClient} returns; `S` is the type of its service definition, from
 * which the implementation's handlers are typed.
 * @example
 * ```ts
 * import * as protoLoader from "@grpc/proto-loader";
 * // loadPackageDefinition's classes are untyped: the generated ProtoGrpcType says which class this is.
 * const proto = grpc.loadPackageDefinition(protoLoader.loadSync("greeter.proto")) as unknown as ProtoGrpcType;
 * const Greeter: ServiceClientConstructor<GreeterClient, GreeterDefinition> = proto.example.Greeter;
 * ```
 */
type ServiceClientConstructor<C extends Client, S extends ServiceDefinition = ServiceDefinition> = (new (
  address: string,
  credentials: ChannelCredentials,
  options?: ClientOptions,
) => C) & {
  /** The service definition (method paths, stream flags, serializers), as `server.addService` takes it. */
  readonly service: S;
};

/** Target string of every in-process client (what `client.getChannel().getTarget()` reports). */
const inProcessTarget = "in-process";

type AnyHandler = UnaryHandler | ServerStreamingHandler | ClientStreamingHandler | BidiStreamingHandler;

/** A channel option's number, or grpc-js's default when it is not set. */
function limit(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

/** grpc-js's handler for a method the implementation lacks (it names the method, not the path). */
function unimplementedHandler(name: string, responseStream: boolean): AnyHandler {
  const status = { code: Status.UNIMPLEMENTED, details: `The server does not implement the method ${name}` };
  if (responseStream) return (call: { emit(event: "error", error: unknown): boolean }) => call.emit("error", status);
  const unary: UnaryHandler = (_call, callback) => callback(status, null);
  return unary;
}

/**
 * Fails on a handler for no method of the service: it would sit unused while the method it was meant
 * for answers UNIMPLEMENTED (a misspelt `sayHelo`). Names and original names both count, as for
 * `grpc.Server#addService`. Only own enumerable properties holding a function are looked at (an
 * accessor is not called): grpc-js reads an implementation by the service's names alone, so inherited
 * members (a class's methods and accessors) and values that cannot be handlers (a class's `db` field)
 * stay the implementation's own business.
 */
function checkHandlerNames(service: ServiceDefinition, implementation: object): void {
  const names = new Set<string>();
  const originalNames = new Set<string>();
  let serviceName = "the service";
  for (const [name, method] of Object.entries(service)) {
    names.add(name);
    if (typeof method.originalName === "string" && method.originalName !== name) originalNames.add(method.originalName);
    serviceName = /^\/(.+)\/[^/]*$/.exec(method.path)?.[1] ?? serviceName;
  }
  for (const key of Object.keys(implementation)) {
    if (names.has(key) || originalNames.has(key)) continue;
    if (typeof Object.getOwnPropertyDescriptor(implementation, key)?.value !== "function") continue;
    const originals = originalNames.size === 0 ? "" : `, or their original names ${[...originalNames].join(", ")}`;
    throw new InvalidArgumentError(
      "implementation",
      `keyed only by the methods of ${serviceName} (${[...names].join(", ")}${originals}; keep helpers that are no handlers in class methods or #private fields)`,
      key,
    );
  }
}

/** A method's call shape, by the adapters' names for them. */
function shapeOf(method: { readonly requestStream: boolean; readonly responseStream: boolean }): "unary" | "serverStreaming" | "clientStreaming" | "bidi" {
  if (method.requestStream) return method.responseStream ? "bidi" : "clientStreaming";
  return method.responseStream ? "serverStreaming" : "unary";
}

/**
 * A method the server does not have (another service, or one its definition lacks): UNIMPLEMENTED naming the
 * path, as grpc-js's server answers a path it has no handler for (before any server interceptor).
 */
function unknownRoute(definition: { readonly path: string; readonly requestStream: boolean; readonly responseStream: boolean }): CallRoute {
  const unimplemented = (port: ServerCallPort): void =>
    port.sendStatus({ code: Status.UNIMPLEMENTED, details: `The server does not implement the method ${definition.path}` });
  return {
    path: definition.path,
    requestStream: definition.requestStream,
    responseStream: definition.responseStream,
    codec: { request: (message) => ({ ok: true, message }), response: (message) => ({ ok: true, message }), passes: true },
    dispatch: unimplemented,
  };
}

/**
 * Checks the handler side's options (grpc-js would fail every call later, not say what is wrong now).
 * @returns the server's own definition of the service, if given.
 * @throws {@link InvalidArgumentError} naming the option.
 */
function checkServerOptions(server: unknown): ServiceDefinition | undefined {
  if (typeof server !== "object" || server === null) throw new InvalidArgumentError("server", "an object of server options", server);
  const { interceptors, service } = server as InProcessServerOptions;
  if (interceptors !== undefined && (!Array.isArray(interceptors) || interceptors.some((interceptor) => typeof interceptor !== "function"))) {
    throw new InvalidArgumentError("server.interceptors", "an array of server interceptor functions", interceptors);
  }
  for (const key of ["grpc.max_receive_message_length", "grpc.max_send_message_length"] as const) {
    const value = (server as InProcessServerOptions)[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= -1)) throw new InvalidArgumentError(`server["${key}"]`, "an integer >= -1 (-1: unlimited)", value);
  }
  if (service === undefined) return undefined;
  const methods = typeof service === "object" && service !== null ? Object.values(service) : [];
  if (methods.length === 0 || methods.some((method) => typeof (method as { path?: unknown } | null)?.path !== "string")) {
    throw new InvalidArgumentError("server.service", "a grpc-js service definition (as given to server.addService)", service);
  }
  return service;
}

/**
 * Checks the grpc-js client options that hold functions (grpc-js would fail each call with a TypeError later,
 * or throw its own configuration error for both lists).
 * @throws {@link InvalidArgumentError} naming the option.
 */
function checkClientOptions(options: ClientOptions): void {
  const { interceptors, interceptor_providers: providers, callInvocationTransformer } = options;
  assertFunctionList(interceptors, "interceptors", "an array of interceptor functions");
  assertFunctionList(providers, "interceptor_providers", "an array of interceptor provider functions");
  if ((interceptors?.length ?? 0) > 0 && (providers?.length ?? 0) > 0) {
    throw new InvalidArgumentError("interceptors", "empty when interceptor_providers are given (grpc-js takes one or the other)", interceptors);
  }
  if (callInvocationTransformer !== undefined && typeof callInvocationTransformer !== "function") {
    throw new InvalidArgumentError("callInvocationTransformer", "a function", callInvocationTransformer);
  }
}

/** Starts the handler of one method on a call, behind the server interceptors (first = outermost of the base). */
function dispatcher(
  method: MethodDefinition<unknown, unknown>,
  handler: AnyHandler,
  interceptors: readonly ServerInterceptor[],
): (port: ServerCallPort) => void {
  const { path } = method;
  const start = ((): ((call: ServerCallPort) => void) => {
    if (method.requestStream) {
      return method.responseStream
        ? (call) => handleBidiStreamingCall(call, path, handler as BidiStreamingHandler)
        : (call) => handleClientStreamingCall(call, path, handler as ClientStreamingHandler);
    }
    return method.responseStream
      ? (call) => handleServerStreamingCall(call, path, handler as ServerStreamingHandler)
      : (call) => handleUnaryCall(call, path, handler as UnaryHandler);
  })();
  if (interceptors.length === 0) return start;
  // grpc-js's own chaining (server-interceptors.ts getServerInterceptingCall): each wraps the previous.
  return (port) => start(interceptors.reduce<ServerCallPort>((call, intercept) => intercept(method, call), port));
}

/**
 * Creates a client of a grpc-js service whose calls run `implementation` in this process, without
 * sockets, HTTP/2 or (by default) serialization.
 *
 * The result **is** an instance of `ClientConstructor`: every method, overload, call object and
 * event order is grpc-js's own, because the calls go through grpc-js's client code and only the
 * bottom of the interceptor chain is replaced. Your client interceptors (on the client or per call)
 * run as they would remotely. `implementation` is the object you would pass to
 * `server.addService(ClientConstructor.service, implementation)`; handlers receive objects that
 * behave like grpc-js's server calls (metadata, deadlines, cancellation, backpressure, trailers).
 *
 * Gotchas (all listed in docs/grpc.md): in `'share'` mode caller and handler share message
 * objects; an `async` handler that rejects ends the call with UNKNOWN (grpc-js would hang until the
 * deadline); breaking out of `for await` over a response stream cancels the call (grpc-js over the
 * network does not); `getPeer()` is `"in-process"`; no transport headers (`user-agent`,
 * `content-type`, `date`) appear in metadata.
 * @param ClientConstructor - the service client class, with its static `service` definition.
 * @param implementation - the handlers, keyed by method name (or original name), as for `addService`;
 *   typed from the service for generated clients (see {@link ServiceImplementation}), so a misspelt or
 *   mis-shaped handler does not compile and the adapters need no type arguments. A missing handler
 *   answers UNIMPLEMENTED.
 * @param options - grpc-js client options plus `messages` and the handler-side `server` options
 *   (message size limits, interceptors); see {@link InProcessClientOptions}.
 * @throws `InvalidArgumentError` from `sluice` (a `TypeError`, code `ERR_SLUICE_INVALID_ARGUMENT`) when
 *   `ClientConstructor`, `implementation`, a handler or an option is invalid (`messages`, `direct`, `server`,
 *   client `interceptors`, `interceptor_providers` or `callInvocationTransformer`), and when an own
 *   enumerable property of `implementation` holds a function but names no method of the service (a
 *   misspelt handler; the message lists the methods). Inherited members and properties that are not
 *   functions are not looked at: a class instance with helper methods and fields is fine.
 * @example
 * ```ts
 * // The same handlers you would give server.addService(Greeter.service, handlers):
 * const client = createInProcessClient(Greeter, handlers);
 * client instanceof Greeter; // true
 * client.SayHello({ name: "x" }, (error, reply) => console.log(error ?? reply?.message));
 * ```
 */
function createInProcessClient<C extends Client, S extends ServiceDefinition>(
  ClientConstructor: ServiceClientConstructor<C, S>,
  implementation: ServiceImplementation<C, S>,
  options: InProcessClientOptions = {},
): C {
  const service = (ClientConstructor as { service?: unknown } | undefined)?.service;
  if (typeof ClientConstructor !== "function" || typeof service !== "object" || service === null) {
    throw new InvalidArgumentError("ClientConstructor", "a grpc-js service client class (with a static `service`)", ClientConstructor);
  }
  if (typeof implementation !== "object" || implementation === null) {
    throw new InvalidArgumentError("implementation", "an object of handlers", implementation);
  }
  if (typeof options !== "object" || options === null) throw new InvalidArgumentError("options", "an object of client options", options);
  const { messages = "share", server = {}, direct = true, ...clientOptions } = options;
  if (!messageModes.includes(messages)) {
    throw new InvalidArgumentError("messages", `one of ${messageModes.map((m) => `"${m}"`).join(", ")}`, messages);
  }
  if (typeof direct !== "boolean") throw new InvalidArgumentError("direct", "a boolean", direct);
  checkClientOptions(clientOptions);
  const serverService = checkServerOptions(server);
  checkHandlerNames(serverService ?? ClientConstructor.service, implementation);
  const limits: MessageLimits = {
    clientMaxSend: limit(clientOptions["grpc.max_send_message_length"], defaultMessageLimits.clientMaxSend),
    clientMaxReceive: limit(clientOptions["grpc.max_receive_message_length"], defaultMessageLimits.clientMaxReceive),
    serverMaxSend: limit(server["grpc.max_send_message_length"], defaultMessageLimits.serverMaxSend),
    serverMaxReceive: limit(server["grpc.max_receive_message_length"], defaultMessageLimits.serverMaxReceive),
  };

  const handlers = implementation as Record<string, unknown>;
  const interceptors = server.interceptors ?? [];
  // The server's methods by path: the client's own, unless the server was given a definition of its own.
  const serverMethods = new Map<string, readonly [string, MethodDefinition<unknown, unknown>]>();
  for (const [name, method] of Object.entries(serverService ?? ClientConstructor.service)) serverMethods.set(method.path, [name, method]);
  const routes = new Map<string, CallRoute>();
  for (const method of Object.values(ClientConstructor.service)) {
    const served = serverMethods.get(method.path);
    if (served === undefined) {
      routes.set(method.path, unknownRoute(method));
      continue;
    }
    const [name, serverMethod] = served;
    let handler = handlers[name];
    if (handler === undefined && typeof serverMethod.originalName === "string") handler = handlers[serverMethod.originalName];
    if (handler !== undefined && typeof handler !== "function") {
      throw new InvalidArgumentError(`implementation.${name}`, "a handler function", handler);
    }
    const bound = handler === undefined ? unimplementedHandler(name, serverMethod.responseStream) : (handler.bind(implementation) as AnyHandler);
    const direct = directHandlerOf(handler);
    routes.set(method.path, {
      path: method.path,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      codec: createMessageCodec(messages, method as MethodSerializers, limits, serverMethod as MethodSerializers),
      dispatch: dispatcher(serverMethod, bound, interceptors),
      // The direct path calls an adapter's function itself only when nothing stands between: no server
      // interceptor (they wrap the server call object) and the same call shape on both sides.
      direct: interceptors.length === 0 && direct !== undefined && shapeOf(method) === direct.kind && shapeOf(serverMethod) === direct.kind ? direct : undefined,
    });
  }

  const channel = new InProcessChannel();
  /** The innermost interceptor: it never calls `nextCall`, so no channel, no serialization. */
  const inProcess: Interceptor = (callOptions) => {
    if (channel.closed) throw new Error("Channel has been shut down");
    const route = routes.get(callOptions.method_definition.path) ?? unknownRoute(callOptions.method_definition);
    return new InterceptingCall(new InProcessCall(route, callOptions));
  };

  const clientInterceptors = clientOptions.interceptors ?? [];
  const clientProviders = clientOptions.interceptor_providers ?? [];
  const userTransformer = clientOptions.callInvocationTransformer;
  const callInvocationTransformer = (original: CallProperties<unknown, unknown>): CallProperties<unknown, unknown> => {
    const properties = userTransformer === undefined ? original : userTransformer(original);
    if (typeof properties !== "object" || properties === null) {
      throw new InvalidArgumentError("callInvocationTransformer(…)", "call properties (the object it was given, or one like it)", properties);
    }
    properties.callOptions = innermost(properties, inProcess, clientInterceptors, clientProviders);
    cancelOnEarlyClose(properties.call);
    return properties;
  };

  const client = new ClientConstructor(inProcessTarget, credentials.createInsecure(), {
    ...clientOptions,
    channelOverride: channel,
    callInvocationTransformer,
  });
  services.set(client, { routes, directRefused: directRefusal(direct, clientInterceptors, clientProviders, userTransformer), closed: () => channel.closed });
  return client;
}

/** Why the client's options keep every `asyncClient` call on grpc-js's client code, if they do. */
function directRefusal(direct: boolean, interceptors: readonly Interceptor[], providers: readonly InterceptorProvider[], transformer: unknown): string | undefined {
  if (!direct) return "the client was created with `direct: false`";
  if (interceptors.length > 0) return "the client has interceptors (they need grpc-js's call objects)";
  if (providers.length > 0) return "the client has interceptor providers (they need grpc-js's call objects)";
  if (transformer !== undefined) return "the client has a callInvocationTransformer (it needs grpc-js's call objects)";
  return undefined;
}

/**
 * Puts the in-process interceptor last in the chain grpc-js will build. grpc-js uses the call's
 * interceptors (or providers) if it has any, else the client's; so the client's are copied into
 * the call options when the call has none, and ours is appended to whichever list is in use.
 * The caller's call object rides along in the options (grpc-js copies them, and so do interceptors
 * that spread them) to the in-process call, which hands it to the leak registry.
 */
function innermost(
  properties: CallProperties<unknown, unknown>,
  inProcess: Interceptor,
  clientInterceptors: readonly Interceptor[],
  clientProviders: readonly InterceptorProvider[],
): InProcessCallOptions {
  const callOptions = properties.callOptions;
  const handle = properties.call;
  const callProviders = callOptions.interceptor_providers ?? [];
  const callInterceptors = callOptions.interceptors ?? [];
  if (callProviders.length > 0 && callInterceptors.length === 0) {
    return { ...callOptions, interceptor_providers: [...callProviders, () => inProcess], [callHandle]: handle };
  }
  if (callInterceptors.length > 0) {
    // With both lists set grpc-js throws its configuration error; appending keeps that behaviour.
    return { ...callOptions, interceptors: [...callInterceptors, inProcess], [callHandle]: handle };
  }
  const fromProviders = clientProviders.map((provide) => provide(properties.methodDefinition)).filter(Boolean);
  // Both client lists set: grpc-js's constructor has already thrown.
  return { ...callOptions, interceptors: [...clientInterceptors, ...fromProviders, inProcess], [callHandle]: handle };
}

/**
 * In-process, destroying a response stream before its status arrived (e.g. `break` in
 * `for await`) cancels the call. grpc-js over the network leaves it running (grpc-node#1238).
 */
function cancelOnEarlyClose(call: CallProperties<unknown, unknown>["call"]): void {
  if (!("readable" in call)) return;
  let ended = false;
  call.once("status", () => {
    ended = true;
  });
  call.once("close", () => {
    if (!ended) call.cancel();
  });
}

export { createInProcessClient, inProcessServiceOf };
export type { InProcessClientOptions, InProcessServerOptions, InProcessService, ServiceClientConstructor };
