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
  requestCallback,
} from "@grpc/grpc-js";
import type { BridgeIterator } from "../../core/index.js";
import { AbortError, InvalidArgumentError } from "../../core/index.js";
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
 * Streaming calls start on the first `next()` and are bridges of kind `grpc-responses` named after
 * the method path; stopping one (break, `return()`, `await using`) cancels the call on the server,
 * remote or in-process. Requests are sent with `sendAll` (backpressure; an iterable that throws cancels
 * the call and its error is what you get).
 *
 * **Gotcha:** typing follows the client's method signatures: a client from `loadPackageDefinition`
 * is untyped (`grpc.Client`), so cast it to your generated client interface (proto-loader-gen-types or
 * hand-written) to get typed messages; otherwise every message is `unknown`.
 * @param client - any grpc-js client with a `service` definition on its constructor.
 * @throws {@link sluice!InvalidArgumentError} when `client` has no service definition.
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
  const methods: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(service) as [string, MethodDefinition<unknown, unknown>][]) {
    const invoke = (client as unknown as Record<string, AnyMethod>)[name]?.bind(client);
    if (invoke === undefined) continue;
    const method = wrap(invoke, definition);
    methods[name] = method;
    if (typeof definition.originalName === "string" && !(definition.originalName in methods)) methods[definition.originalName] = method;
  }
  return methods as Client extends C ? UntypedAsyncClient : AsyncClient<C>;
}

function wrap(invoke: AnyMethod, definition: MethodDefinition<unknown, unknown>): unknown {
  const name = definition.path;
  if (definition.requestStream && definition.responseStream) {
    return function bidiCall(requests: AsyncIterable<unknown> | Iterable<unknown>, options: AsyncCallOptions = {}): BridgeIterator<unknown> {
      let sendError: { error: unknown } | undefined; // the iterable's own failure, reported instead of the CANCELLED it caused
      const sending = new AbortController(); // stops sending once the responses are done with
      const watched = watchFailure(requests, (error) => (sendError = { error }));
      return responseStream(
        {
          start() {
            const call = invoke(metadataOf(options), callOptionsOf(options)) as ClientDuplexStream<unknown, unknown>;
            // Every failure reaches the reader through the response stream (mapError below).
            sendAll(call, watched, { signal: sending.signal }).catch(() => undefined);
            return call;
          },
          mapError: (error) => sendError?.error ?? error,
          detached: () => sending.abort(),
        },
        { name, ...(options.signal === undefined ? {} : { signal: options.signal }) },
        bidiCall,
      );
    };
  }
  if (definition.responseStream) {
    return function serverStreamingCall(request: unknown, options: AsyncCallOptions = {}): BridgeIterator<unknown> {
      return responseStream(
        { start: () => invoke(request, metadataOf(options), callOptionsOf(options)) as ClientReadableStream<unknown> },
        { name, ...(options.signal === undefined ? {} : { signal: options.signal }) },
        serverStreamingCall,
      );
    };
  }
  if (definition.requestStream) {
    return (requests: AsyncIterable<unknown> | Iterable<unknown>, options: AsyncCallOptions = {}): Promise<unknown> =>
      callWithCallback(options, (callback, onSendFailure) => {
        const watched = watchFailure(requests, onSendFailure);
        const call = invoke(metadataOf(options), callOptionsOf(options), callback) as ClientWritableStream<unknown>;
        // Failures reach the caller through the callback (the iterable's error replaces the CANCELLED it causes).
        sendAll(call, watched).catch(() => undefined);
        return call;
      });
  }
  return (request: unknown, options: AsyncCallOptions = {}): Promise<unknown> =>
    callWithCallback(options, (callback) => invoke(request, metadataOf(options), callOptionsOf(options), callback) as ClientUnaryCall);
}

/**
 * Runs a call that answers through a callback (unary, client-streaming). Rejects with the error of the
 * requests being sent if that failed first, an `AbortError` if `options.signal` aborted, or the
 * call's `ServiceError`.
 */
function callWithCallback(
  options: AsyncCallOptions,
  start: (callback: requestCallback<unknown>, onSendFailure: (error: unknown) => void) => { cancel(): void },
): Promise<unknown> {
  const signal = options.signal;
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    let sendFailure: { error: unknown } | undefined; // set when the requests could not all be sent
    const onAbort = (): void => call.cancel();
    const callback: requestCallback<unknown> = (error, value) => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted === true) reject(abortError(signal));
      else if (error !== null) reject(sendFailure?.error ?? error);
      else resolve(value);
    };
    const call = start(callback, (error) => (sendFailure = { error }));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError("The call was aborted", { cause: signal.reason });
}

/**
 * The requests, with their failure reported the moment it happens: before `sendAll` cancels the call
 * because of it, so the caller gets this error rather than the CANCELLED status that follows.
 * @throws {@link sluice!InvalidArgumentError} synchronously when `requests` is not iterable.
 */
function watchFailure<T>(requests: AsyncIterable<T> | Iterable<T>, onFailure: (error: unknown) => void): AsyncIterable<T> {
  const iterable = typeof requests === "object" && requests !== null && (Symbol.asyncIterator in requests || Symbol.iterator in requests);
  if (!iterable) throw new InvalidArgumentError("requests", "an async iterable or an iterable", requests);
  return (async function* () {
    try {
      yield* requests;
    } catch (error) {
      onFailure(error);
      throw error;
    }
  })();
}

function metadataOf(options: AsyncCallOptions): Metadata {
  return options.metadata ?? new Metadata();
}

function callOptionsOf(options: AsyncCallOptions): CallOptions {
  return options.deadline === undefined ? { ...options.callOptions } : { ...options.callOptions, deadline: options.deadline };
}
