import { Metadata } from "@grpc/grpc-js";
import type {
  CallOptions,
  Client,
  ClientDuplexStream,
  ClientReadableStream,
  ClientUnaryCall,
  ClientWritableStream,
  MethodDefinition,
  ServiceDefinition,
  StatusObject,
  requestCallback,
} from "@grpc/grpc-js";
import type { BridgeIterator, SourceOptions } from "../../core/index.js";
import { AbortError, InvalidArgumentError } from "../../core/index.js";
import { assertFunctionList, detachSignal } from "../../core/options.js";
import { directBidiCall } from "../direct/bidi-call.js";
import type { DirectRequestOptions } from "../direct/call-support.js";
import { directClientStreamingCall } from "../direct/client-streaming-call.js";
import { RequestSource } from "../direct/request-source.js";
import { directServerStreamingCall } from "../direct/server-streaming-call.js";
import { directUnaryCall } from "../direct/unary-call.js";
import { deadlineMs } from "../in-process/call-deadline.js";
import type { CallRoute } from "../in-process/in-process-call.js";
import { inProcessServiceOf } from "../in-process/in-process-client.js";
import type { InProcessService } from "../in-process/in-process-client.js";
import type { AsyncCallOptions } from "./async-call-options.js";
import type { AsyncClient, UntypedAsyncClient } from "./async-client-types.js";
import { responseStream } from "./response-stream.js";
import { sendAll } from "./send-all.js";

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * Wraps any grpc-js client (remote, `createInProcessClient`, or over `createPipeChannel`) so that every
 * method of its service has a promise / async-iterable form, under the same name:
 *
 * - unary: `(request, options?) => Promise<Response>`
 * - server-streaming: `(request, options?) => BridgeIterator<Response>`
 * - client-streaming: `(requests, options?) => Promise<Response>` (requests: any async or sync iterable)
 * - bidi: `(requests, options?) => BridgeIterator<Response>`
 *
 * Failures are grpc-js's `ServiceError`s (`code`, `details`, `metadata`). Aborting `options.signal`
 * cancels the call and rejects with an `AbortError` (`cause`: the signal's reason), never with the
 * CANCELLED `ServiceError` the cancel produces underneath: the caller asked for it, as with `fetch`.
 * Streaming calls start on the first `next()`; stopping one (break, `return()`, `await using`) cancels the
 * call on the server, remote or in-process. Requests are read as the call needs them (backpressure); an
 * iterable that throws cancels the call and its error is what you get; it is closed (`return()`) before the
 * call settles, and when the call is stopped before it started. `onHeader` and `onTrailer` show the response
 * headers and trailers.
 *
 * Over a client made by `createInProcessClient`, calls take **the direct path**: the handler is called (or,
 * for a handler written with `serverStreaming`/`bidi`, pulled) by the caller itself, with no grpc-js call
 * objects in between, observing the same statuses, metadata, deadlines, cancellation and message modes.
 * Client interceptors (on the client or the call), a `callInvocationTransformer`, call `credentials` and the
 * client option `direct: false` keep calls on grpc-js's client code instead (docs/grpc.md lists what
 * differs).
 *
 * **Gotcha:** typing follows the client's method signatures. A client of a class from
 * `loadPackageDefinition` (a `grpc.ServiceClientConstructor`) gives an {@link UntypedAsyncClient}: every
 * method, messages `unknown`; cast the client to its generated type (ts-proto, proto-loader-gen-types) or to
 * `UntypedClient<{ SayHello: "unary" }>` to have each method's call shape (docs/grpc.md,
 * "Generate your types").
 * @param client - any grpc-js client with a `service` definition on its constructor.
 * @throws {@link sluice!InvalidArgumentError} when `client` has no service definition. Each method throws
 *   one when its request(s) or options are not what it takes (before the call starts).
 * @example
 * ```ts
 * const api = asyncClient(new Greeter("localhost:50051", grpc.credentials.createInsecure()));
 * const { message } = await api.SayHello({ name: "x" }, { deadline: Date.now() + 1_000 });
 * for await (const reply of api.SayHelloStream({ name: "x" })) if (reply.last === true) break; // cancels the call
 * ```
 */
export function asyncClient<C extends Client>(client: C): Client extends C ? UntypedAsyncClient : AsyncClient<C> {
  const service = (client as { constructor?: { service?: ServiceDefinition } } | null)?.constructor?.service;
  if (typeof service !== "object" || service === null) {
    throw new InvalidArgumentError("client", "a grpc-js client whose constructor has a `service` definition", client);
  }
  const inProcess = inProcessServiceOf(client);
  const methods: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(service) as [string, MethodDefinition<unknown, unknown>][]) {
    const invoke = (client as unknown as Record<string, AnyMethod>)[name]?.bind(client);
    if (invoke === undefined) continue;
    const route = inProcess?.routes.get(definition.path);
    const method = wrap(invoke, definition, inProcess === undefined || route === undefined ? undefined : { service: inProcess, route });
    methods[name] = method;
    if (typeof definition.originalName === "string" && !(definition.originalName in methods)) methods[definition.originalName] = method;
  }
  return methods as Client extends C ? UntypedAsyncClient : AsyncClient<C>;
}

/** An in-process client's method, which may take the direct path. */
interface DirectTarget {
  readonly service: InProcessService;
  readonly route: CallRoute;
}

/** A method's options, checked, with the deadline folded into the grpc-js call options. */
interface CheckedOptions {
  readonly signal: AbortSignal | undefined;
  readonly highWaterMark: number | undefined;
  readonly metadata: Metadata | undefined;
  readonly callOptions: CallOptions;
  readonly onHeader: ((headers: Metadata) => void) | undefined;
  readonly onTrailer: ((trailers: Metadata) => void) | undefined;
}

function wrap(invoke: AnyMethod, definition: MethodDefinition<unknown, unknown>, direct: DirectTarget | undefined): unknown {
  if (definition.requestStream && definition.responseStream) {
    return function bidiCall(requests: AsyncIterable<unknown> | Iterable<unknown>, options?: AsyncCallOptions): BridgeIterator<unknown> {
      const checked = checkOptions(options);
      const route = directRoute(direct, checked);
      if (route !== undefined) return directBidiCall(route, requests, directOptions(checked), bidiCall);
      return remoteBidi(invoke, definition, new RequestSource(requests), checked, bidiCall);
    };
  }
  if (definition.responseStream) {
    return function serverStreamingCall(request: unknown, options?: AsyncCallOptions): BridgeIterator<unknown> {
      const checked = checkOptions(options);
      const route = directRoute(direct, checked);
      if (route !== undefined) return directServerStreamingCall(route, request, directOptions(checked), serverStreamingCall);
      return responseStream(
        {
          start: () => invoke(request, metadataOf(checked), checked.callOptions) as ClientReadableStream<unknown>,
          onHeader: checked.onHeader,
          onTrailer: checked.onTrailer,
        },
        bridgeOptions(definition.path, checked),
        serverStreamingCall,
      );
    };
  }
  if (definition.requestStream) {
    return function clientStreamingCall(requests: AsyncIterable<unknown> | Iterable<unknown>, options?: AsyncCallOptions): Promise<unknown> {
      const checked = checkOptions(options);
      const route = directRoute(direct, checked);
      if (route !== undefined) return directClientStreamingCall(route, requests, directOptions(checked), clientStreamingCall);
      const source = new RequestSource(requests);
      return callWithCallback(
        checked,
        (callback, onSendFailure) => {
          const call = invoke(metadataOf(checked), checked.callOptions, callback) as ClientWritableStream<unknown>;
          // Failures reach the caller through the callback (the iterable's error replaces the CANCELLED it causes).
          sendAll(call, readRequests(source, onSendFailure)).catch(() => undefined);
          return call;
        },
        source,
      );
    };
  }
  return function unaryCall(request: unknown, options?: AsyncCallOptions): Promise<unknown> {
    const checked = checkOptions(options);
    const route = directRoute(direct, checked);
    if (route !== undefined) return directUnaryCall(route, request, directOptions(checked), unaryCall);
    return callWithCallback(checked, (callback) => invoke(request, metadataOf(checked), checked.callOptions, callback) as ClientUnaryCall);
  };
}

/** The route to call directly, when nothing in the client's or the call's options needs grpc-js's call objects. */
function directRoute(direct: DirectTarget | undefined, options: CheckedOptions): CallRoute | undefined {
  if (direct === undefined || direct.service.directRefused !== undefined || direct.service.closed()) return undefined;
  const { interceptors, interceptor_providers: providers, credentials } = options.callOptions;
  if ((interceptors?.length ?? 0) > 0 || (providers?.length ?? 0) > 0 || credentials !== undefined) return undefined;
  return direct.route;
}

function directOptions(options: CheckedOptions): DirectRequestOptions {
  const { deadline, parent, propagate_flags } = options.callOptions;
  return {
    metadata: options.metadata,
    deadline,
    parent,
    propagate_flags,
    onHeader: options.onHeader,
    onTrailer: options.onTrailer,
    signal: options.signal,
    highWaterMark: options.highWaterMark,
  };
}

const noOptions: CheckedOptions = Object.freeze({ signal: undefined, highWaterMark: undefined, metadata: undefined, callOptions: {}, onHeader: undefined, onTrailer: undefined });

/**
 * Checks a method's options before anything starts, so that a mistake fails at once with a coded error
 * rather than inside grpc-js (where a wrong `metadata` is taken for the callback and the call never settles,
 * and a wrong `signal` breaks only when the call ends).
 * @throws {@link InvalidArgumentError} naming the option.
 */
function checkOptions(options: AsyncCallOptions | undefined): CheckedOptions {
  if (options === undefined) return noOptions;
  if (typeof options !== "object" || options === null) throw new InvalidArgumentError("options", "an object or undefined", options);
  const { signal, highWaterMark, metadata, deadline, callOptions, onHeader, onTrailer } = options;
  if (signal !== undefined && !isAbortSignal(signal)) throw new InvalidArgumentError("options.signal", "an AbortSignal", signal);
  if (highWaterMark !== undefined && !(highWaterMark === Infinity || (Number.isSafeInteger(highWaterMark) && highWaterMark >= 1))) {
    throw new InvalidArgumentError("options.highWaterMark", "an integer >= 1 or Infinity", highWaterMark);
  }
  if (metadata !== undefined && !(metadata instanceof Metadata)) throw new InvalidArgumentError("options.metadata", "a grpc-js Metadata", metadata);
  if (callOptions !== undefined && (typeof callOptions !== "object" || callOptions === null)) {
    throw new InvalidArgumentError("options.callOptions", "an object of grpc-js CallOptions", callOptions);
  }
  if (onHeader !== undefined && typeof onHeader !== "function") throw new InvalidArgumentError("options.onHeader", "a function", onHeader);
  if (onTrailer !== undefined && typeof onTrailer !== "function") throw new InvalidArgumentError("options.onTrailer", "a function", onTrailer);
  const merged: CallOptions = deadline === undefined ? { ...callOptions } : { ...callOptions, deadline };
  if (merged.deadline !== undefined) deadlineMs(merged.deadline, deadline === undefined ? "options.callOptions.deadline" : "options.deadline");
  checkCallOptions(merged);
  return { signal, highWaterMark, metadata, callOptions: merged, onHeader, onTrailer };
}

/** Checks the grpc-js `CallOptions` that grpc-js itself would only trip over inside the call (with a TypeError). */
function checkCallOptions(options: CallOptions): void {
  const { parent, propagate_flags: flags, interceptors, interceptor_providers: providers, credentials, host } = options;
  const call = parent as { getDeadline?: unknown; on?: unknown; removeListener?: unknown } | null | undefined;
  if (call != null && (typeof call !== "object" || typeof call.getDeadline !== "function" || typeof call.on !== "function" || typeof call.removeListener !== "function")) {
    throw new InvalidArgumentError("options.callOptions.parent", "a grpc-js server call (with getDeadline, on and removeListener)", parent);
  }
  if (flags != null && !Number.isSafeInteger(flags)) throw new InvalidArgumentError("options.callOptions.propagate_flags", "an integer (grpc.propagate flags)", flags);
  assertFunctionList(interceptors, "options.callOptions.interceptors");
  assertFunctionList(providers, "options.callOptions.interceptor_providers");
  if (credentials !== undefined && typeof (credentials as { generateMetadata?: unknown } | null)?.generateMetadata !== "function") {
    throw new InvalidArgumentError("options.callOptions.credentials", "grpc-js CallCredentials", credentials);
  }
  if (host !== undefined && typeof host !== "string") throw new InvalidArgumentError("options.callOptions.host", "a string", host);
}

/** An AbortSignal, or an object that behaves like one where sluice uses it (`aborted`, `reason`, listeners). */
function isAbortSignal(value: unknown): value is AbortSignal {
  if (value instanceof AbortSignal) return true;
  const signal = value as Partial<AbortSignal> | null;
  return (
    typeof signal === "object" &&
    signal !== null &&
    typeof signal.aborted === "boolean" &&
    typeof signal.addEventListener === "function" &&
    typeof signal.removeEventListener === "function"
  );
}

function metadataOf(options: CheckedOptions): Metadata {
  return options.metadata ?? new Metadata();
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError("The call was aborted", { cause: signal.reason });
}

/**
 * Runs a call that answers through a callback (unary, client-streaming) on grpc-js's client code. Rejects
 * with the error of the requests being sent if that failed first, an `AbortError` if `options.signal`
 * aborted, the error `onHeader`/`onTrailer` threw, or the call's `ServiceError`. With requests, they are
 * closed before the promise settles.
 */
function callWithCallback(
  options: CheckedOptions,
  start: (callback: requestCallback<unknown>, onSendFailure: (error: unknown) => void) => ClientUnaryCall | ClientWritableStream<unknown>,
  source?: RequestSource,
): Promise<unknown> {
  const signal = options.signal;
  if (signal?.aborted === true) {
    const aborted = abortError(signal);
    return source === undefined ? Promise.reject(aborted) : source.close().then(() => Promise.reject(aborted));
  }
  const { onHeader, onTrailer } = options;
  return new Promise((resolve, reject) => {
    let sendFailure: { readonly error: unknown } | undefined; // set when the requests could not all be sent
    let outcome: { readonly error: unknown } | { readonly value: unknown } | undefined; // from the callback
    let settled = false;
    const settle = (): void => {
      if (settled || outcome === undefined) return;
      settled = true;
      detachSignal(signal, onAbort); // a signal whose removeEventListener throws must not keep the call from settling
      const decided = outcome;
      const deliver = (): void => ("error" in decided ? reject(decided.error) : resolve(decided.value));
      if (source === undefined) deliver();
      else void source.close().then(deliver);
    };
    const onAbort = (): void => {
      if (settled) return;
      outcome = { error: abortError(signal as AbortSignal) };
      call.cancel();
      settle();
    };
    const callback: requestCallback<unknown> = (error, value) => {
      outcome ??= error === null ? { value } : { error: sendFailure?.error ?? error };
      // With onTrailer, wait for 'status' (grpc-js emits it right after the callback): the trailers come first.
      if (onTrailer === undefined) settle();
    };
    let call: ClientUnaryCall | ClientWritableStream<unknown>;
    try {
      call = start(callback, (error) => (sendFailure ??= { error }));
    } catch (error) {
      // grpc-js refused to start it (a closed client, an interceptor or transformer that threw): the requests
      // are closed all the same before the promise rejects.
      outcome = { error };
      settle();
      return;
    }
    const fail = (error: unknown): void => {
      if (settled) return;
      outcome = { error };
      settle();
      call.cancel();
    };
    if (onHeader !== undefined) call.once("metadata", (headers: Metadata) => runCallback(onHeader, headers, fail));
    if (onTrailer !== undefined) {
      call.once("status", (status: StatusObject) => {
        if (settled) return;
        // Requests that threw cancelled the call on the caller's own side: no status came from the server.
        if (sendFailure === undefined) runCallback(onTrailer, status.metadata, fail);
        settle();
      });
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs a caller's callback; a throw goes to `fail` instead of into grpc-js's event emitter. */
function runCallback(callback: (metadata: Metadata) => void, metadata: Metadata, fail: (error: unknown) => void): void {
  try {
    callback(metadata);
  } catch (error) {
    fail(error);
  }
}

/** A bidi call on grpc-js's client code: responses as a bridge, requests sent with `sendAll` once it starts. */
function remoteBidi(
  invoke: AnyMethod,
  definition: MethodDefinition<unknown, unknown>,
  source: RequestSource,
  options: CheckedOptions,
  createdBy: (...args: never[]) => unknown,
): BridgeIterator<unknown> {
  let sendError: { error: unknown } | undefined; // the iterable's own failure, reported instead of the CANCELLED it caused
  const onTrailer = options.onTrailer;
  return responseStream(
    {
      start() {
        const call = invoke(metadataOf(options), options.callOptions) as ClientDuplexStream<unknown, unknown>;
        // Every failure reaches the reader through the response stream (mapError below).
        sendAll(
          call,
          readRequests(source, (error) => (sendError ??= { error })),
        ).catch(() => undefined);
        return call;
      },
      mapError: (error) => sendError?.error ?? error,
      onHeader: options.onHeader,
      // Requests that threw cancelled the call on the caller's own side: no status came from the server.
      onTrailer: onTrailer === undefined ? undefined : (trailers) => void (sendError === undefined && onTrailer(trailers)),
      // The requests are closed before the last result is delivered, and when the stream stops before it started.
      release: () => source.close(),
    },
    bridgeOptions(definition.path, options),
    createdBy,
  );
}

/** The options of a streaming call's `grpc-responses` bridge. */
function bridgeOptions(name: string, options: CheckedOptions): SourceOptions {
  return {
    name,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
  };
}

/**
 * The caller's requests as `sendAll` reads them, with their failure reported the moment it happens: before
 * `sendAll` cancels the call because of it, so the caller gets this error rather than the CANCELLED status
 * that follows. Stopping it (the call ended) closes the caller's iterable without waiting on a pending read.
 */
function readRequests(source: RequestSource, onFailure: (error: unknown) => void): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        source.next().catch((error: unknown) => {
          onFailure(error);
          throw error;
        }),
      return: () => source.close().then(() => ({ done: true, value: undefined })),
    }),
  };
}
