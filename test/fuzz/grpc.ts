// `sluice/grpc` for the public-API fuzz test: a small real service (four methods, one of each call shape, JSON
// messages), handlers written with the adapters that misbehave, in-process clients with hostile options, calls
// with hostile requests and per-call options, and the drivers that make those calls and finish them.
//
// Nothing here may hang a run: every handler that "never ends" waits for its signal or for the run's release
// (hostile.ts, `Run.released`), every request stream that never ends ends then too, most calls carry a short
// deadline or an aborting signal, and every client, channel and server a run opens is closed by its cleanups.
// No sockets: the in-process client for most runs, `createPipeChannel` to a `grpc.Server` that never binds a
// port for a few.
import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { fc } from "@fast-check/vitest";
import type { BridgeIterator } from "../../src/core/index.js";
import { GrpcError, asyncClient, bidi, clientStreaming, createInProcessClient, createPipeChannel, serverStreaming, unary } from "../../src/grpc/index.js";
import { type Ctx, awaitResult, consume, isPromise } from "./harness.js";
import { FuzzError, type Maker, type Run, anything, arrayOf, either, iterables, maker, options, plausible, throwingProxy, ticks } from "./hostile.js";

// ------------------------------------------------------------------ the service

/** JSON on the wire; what JSON cannot carry (a BigInt, a proxy whose traps throw) fails as the run's own error. */
function serialize(value: unknown): Buffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new FuzzError("the JSON serializer");
  }
  return Buffer.from(text ?? "null");
}
function deserialize(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString()) as unknown;
  } catch {
    throw new FuzzError("the JSON deserializer");
  }
}

type MethodName = "Unary" | "Stream" | "Collect" | "Chat";
const shapes: Readonly<Record<MethodName, { readonly requestStream: boolean; readonly responseStream: boolean }>> = {
  Unary: { requestStream: false, responseStream: false },
  Stream: { requestStream: false, responseStream: true },
  Collect: { requestStream: true, responseStream: false },
  Chat: { requestStream: true, responseStream: true },
};

function method(name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<unknown, unknown> {
  return {
    path: `/fuzz.Fuzz/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
    originalName: name.toLowerCase(),
  };
}

/** The service: one method of each call shape. */
export const fuzzService: grpc.ServiceDefinition = {
  Unary: method("Unary", false, false),
  Stream: method("Stream", false, true),
  Collect: method("Collect", true, false),
  Chat: method("Chat", true, true),
};
/** The same paths with every call shape changed: a server that disagrees with its clients. */
const mismatchedService: grpc.ServiceDefinition = {
  Unary: method("Unary", false, true),
  Stream: method("Stream", false, false),
  Collect: method("Collect", true, true),
  Chat: method("Chat", true, false),
};
/** A server that has only one of the methods. */
const partialService: grpc.ServiceDefinition = { Unary: method("Unary", false, false) };

export const FuzzClient = grpc.makeGenericClientConstructor(fuzzService, "Fuzz");
type Handlers = Record<string, unknown>;

// ------------------------------------------------------------------ handlers that misbehave

/** Resolves when the handler's call is over for it, or when the run is released. */
function callOver(run: Run, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
    void run.released.then(() => resolve());
  });
}

interface Ctxish {
  readonly signal: AbortSignal;
  readonly trailers: grpc.Metadata;
  readonly metadata: grpc.Metadata;
  readonly deadline: unknown;
  readonly peer: string;
  sendMetadata(metadata: grpc.Metadata): void;
  readonly call: { getPath(): string; getDeadline(): unknown; getPeer(): string };
}
type UnaryFn = (request: unknown, ctx: Ctxish) => unknown;
type StreamFn = (request: unknown, ctx: Ctxish) => unknown;
type CollectFn = (requests: BridgeIterator<unknown>, ctx: Ctxish) => unknown;
type ChatFn = (requests: BridgeIterator<unknown>, ctx: Ctxish) => unknown;

const headers = (): grpc.Metadata => {
  const metadata = new grpc.Metadata();
  metadata.set("x-fuzz", "headers");
  return metadata;
};

const unaryFns: ReadonlyArray<Maker<UnaryFn>> = [
  maker("() => ({ ok: true })", () => () => ({ ok: true })),
  maker("(request) => request", () => (request) => request),
  maker("() => undefined", () => () => undefined),
  maker("() => 10n", () => () => 10n),
  maker("() => a proxy whose traps throw", (run) => () => run.make(throwingProxy)),
  maker("() => a thenable whose then() throws", () => () => ({
    then() {
      throw new FuzzError("a handler's thenable");
    },
  })),
  maker("() => { throw FuzzError }", () => () => {
    throw new FuzzError("a unary handler");
  }),
  maker("async () => { throw FuzzError }", () => async () => {
    await ticks(1);
    throw new FuzzError("an async unary handler");
  }),
  maker("() => { throw GrpcError(NOT_FOUND) }", () => () => {
    const trailers = new grpc.Metadata();
    trailers.set("x-why", "missing");
    throw new GrpcError(grpc.status.NOT_FOUND, "missing", trailers);
  }),
  maker("() => { throw a proxy whose traps throw }", (run) => () => {
    throw run.make(throwingProxy);
  }),
  maker('() => { throw "a string" }', () => () => {
    throw "a string"; // a handler that throws a non-error
  }),
  maker("waits for its signal, then throws its reason", (run) => async (_request, ctx) => {
    await callOver(run, ctx.signal);
    throw ctx.signal.aborted ? ctx.signal.reason : new FuzzError("released");
  }),
  maker("waits for its signal, then answers anyway", (run) => async (_request, ctx) => {
    await callOver(run, ctx.signal);
    return { late: true };
  }),
  maker("sends headers and trailers, reads its context, answers", () => (_request, ctx) => {
    ctx.sendMetadata(headers());
    ctx.trailers.set("x-fuzz", "trailers");
    return { path: ctx.call.getPath(), peer: ctx.peer, deadline: String(ctx.deadline), keys: Object.keys(ctx.metadata.getMap()) };
  }),
  maker("sends headers twice, then a trailer with an illegal key", () => (_request, ctx) => {
    ctx.sendMetadata(headers());
    ctx.sendMetadata(headers());
    ctx.trailers.set("Not A Key", "x"); // grpc-js's Metadata refuses it: the handler throws
    return {};
  }),
];

async function* numbers(count: number, signal?: AbortSignal): AsyncGenerator<unknown> {
  for (let i = 0; i < count && signal?.aborted !== true; i += 1) {
    await ticks(1);
    yield { n: i };
  }
}

const streamFns: ReadonlyArray<Maker<StreamFn>> = [
  maker("yields 3 messages", () => () => numbers(3)),
  maker("yields odd values", (run) => () =>
    (async function* () {
      for (const value of [undefined, null, 10n, Symbol("v"), run.make(throwingProxy), { ok: 1 }]) yield value;
    })(),
  ),
  maker("yields 1, then throws FuzzError", () => () =>
    (async function* () {
      yield { n: 1 };
      throw new FuzzError("a streaming handler");
    })(),
  ),
  maker("throws GrpcError(RESOURCE_EXHAUSTED) first", () => () =>
    (async function* () {
      await ticks(1);
      yield* [];
      throw new GrpcError(grpc.status.RESOURCE_EXHAUSTED, "no more");
    })(),
  ),
  maker("yields 1, then throws a proxy whose traps throw", (run) => () =>
    (async function* () {
      yield { n: 1 };
      throw run.make(throwingProxy);
    })(),
  ),
  maker("throws FuzzError (not a generator)", () => () => {
    throw new FuzzError("a handler that is not a generator");
  }),
  maker("returns 42", () => () => 42),
  maker("returns null", () => () => null),
  maker("returns [1, 2] (a sync iterable)", () => () => [{ n: 1 }, { n: 2 }]),
  maker("returns a proxy whose traps throw", (run) => () => run.make(throwingProxy)),
  maker("returns an iterator whose return() throws", (run) => (_request, ctx) => ({
    [Symbol.asyncIterator]: () => ({
      async next() {
        await callOver(run, ctx.signal);
        return { done: true, value: undefined };
      },
      return() {
        throw new FuzzError("a response iterator's return()");
      },
    }),
  })),
  maker("yields until its signal aborts (at most 200)", () => (_request, ctx) => numbers(200, ctx.signal)),
  maker("waits for its signal, yielding nothing", (run) => (_request, ctx) =>
    (async function* () {
      await callOver(run, ctx.signal);
      yield* [];
    })(),
  ),
  maker("a generator whose finally throws", () => () =>
    (async function* () {
      try {
        yield { n: 1 };
        yield { n: 2 };
      } finally {
        throw new FuzzError("a generator's finally");
      }
    })(),
  ),
  maker("sends headers, sets a trailer, yields 1", () => (_request, ctx) =>
    (async function* () {
      ctx.sendMetadata(headers());
      ctx.trailers.set("x-fuzz", "trailers");
      yield { n: 1 };
    })(),
  ),
];

const collectFns: ReadonlyArray<Maker<CollectFn>> = [
  maker("counts its requests", () => async (requests) => {
    let count = 0;
    for await (const _ of requests) count += 1;
    return { count };
  }),
  maker("answers before reading", () => () => ({ early: true })),
  maker("rejects with a proxy whose traps throw", (run) => async () => {
    await ticks(1);
    throw run.make(throwingProxy);
  }),
  maker("reads one, then throws FuzzError", () => async (requests) => {
    await requests.next();
    throw new FuzzError("a client-streaming handler");
  }),
  maker("reads with nextBatch(1.5)", () => async (requests) => {
    const batch = await requests.nextBatch(1.5);
    return { batch: batch.done === true ? 0 : batch.value.length };
  }),
  maker("stops its requests, then answers", () => async (requests) => {
    await requests.return();
    return { stopped: true };
  }),
  maker("waits for its signal, then throws its reason", (run) => async (_requests, ctx) => {
    await callOver(run, ctx.signal);
    throw ctx.signal.aborted ? ctx.signal.reason : new FuzzError("released");
  }),
  maker("answers with its requests bridge", () => (requests) => requests),
  maker("throws GrpcError(ABORTED)", () => () => {
    throw new GrpcError(grpc.status.ABORTED, "aborted by the handler");
  }),
];

const chatFns: ReadonlyArray<Maker<ChatFn>> = [
  maker("echoes its requests", () => (requests) =>
    (async function* () {
      for await (const request of requests) yield request;
    })(),
  ),
  maker("yields 3 without reading", () => () => numbers(3)),
  maker("reads one, then throws FuzzError", () => (requests) =>
    (async function* () {
      yield* [];
      await requests.next();
      throw new FuzzError("a bidi handler");
    })(),
  ),
  maker("returns 42", () => () => 42),
  maker("returns its requests bridge (an echo)", () => (requests) => requests),
  maker("waits for its signal, yielding nothing", (run) => (_requests, ctx) =>
    (async function* () {
      await callOver(run, ctx.signal);
      yield* [];
    })(),
  ),
  maker("yields until its signal aborts (at most 200)", () => (_requests, ctx) => numbers(200, ctx.signal)),
];

export const handlerFns = {
  unary: fc.constantFrom(...unaryFns),
  serverStreaming: fc.constantFrom(...streamFns),
  clientStreaming: fc.constantFrom(...collectFns),
  bidi: fc.constantFrom(...chatFns),
} as const;

/**
 * A raw handler registered for a method of another shape (the mismatched server definition) is the user's own
 * bug: it throws at once, as user code checking its arguments would, instead of failing inside grpc-js.
 */
function rawShape(callback: unknown, call: unknown, needs: { callback?: boolean; write?: boolean }): void {
  const hasCallback = typeof callback === "function";
  const canWrite = typeof (call as { write?: unknown }).write === "function";
  if ((needs.callback !== undefined && needs.callback !== hasCallback) || (needs.write !== undefined && needs.write !== canWrite)) {
    throw new FuzzError("a raw handler registered for another call shape");
  }
}

/** grpc-js style handlers (no adapter), well-behaved and not. */
const rawHandlers: Readonly<Record<MethodName, ReadonlyArray<Maker>>> = {
  Unary: [
    maker("raw (call, callback) => callback(null, {})", () => (call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      rawShape(callback, call, { callback: true });
      callback(null, { raw: true });
    }),
    maker("raw unary handler that throws", () => () => {
      throw new FuzzError("a raw unary handler");
    }),
    maker("raw unary handler that throws a proxy whose traps throw", (run) => () => {
      throw run.make(throwingProxy);
    }),
    maker("raw unary handler that returns a proxy whose traps throw (and answers)", (run) => (call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      rawShape(callback, call, { callback: true });
      callback(null, {});
      return run.make(throwingProxy);
    }),
  ],
  Stream: [
    maker("raw: write 1, end", () => (call: grpc.ServerWritableStream<unknown, unknown>, callback?: unknown) => {
      rawShape(callback, call, { callback: false, write: true });
      call.write({ n: 1 });
      call.end();
    }),
  ],
  Collect: [
    maker("raw: answers at the end of the requests", () => (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      rawShape(callback, call, { callback: true, write: false });
      call.on("data", () => undefined);
      call.on("end", () => callback(null, { raw: true }));
    }),
  ],
  Chat: [
    maker("raw: echoes, ends at the end", () => (call: grpc.ServerDuplexStream<unknown, unknown>, callback?: unknown) => {
      rawShape(callback, call, { callback: false, write: true });
      call.on("data", (message: unknown) => call.write(message));
      call.on("end", () => call.end());
    }),
  ],
};

const adapters = { Unary: unary, Stream: serverStreaming, Collect: clientStreaming, Chat: bidi } as const;
const fnsOf = { Unary: handlerFns.unary, Stream: handlerFns.serverStreaming, Collect: handlerFns.clientStreaming, Chat: handlerFns.bidi } as const;

/** One method's handler: its own shape's adapter mostly, sometimes another shape's, sometimes grpc-js style. */
function handlerFor(name: MethodName): fc.Arbitrary<Maker> {
  const own = (fnsOf[name] as fc.Arbitrary<Maker>).map((fn) => maker(`${adapters[name].name}(${fn.label})`, (run) => (adapters[name] as (f: unknown) => unknown)(run.make(fn))));
  const others = (Object.keys(adapters) as MethodName[]).filter((n) => n !== name);
  const wrongShape = fc
    .constantFrom(...others)
    .chain((other) => (fnsOf[other] as fc.Arbitrary<Maker>).map((fn) => maker(`${adapters[other].name}(${fn.label}) (the wrong shape)`, (run) => (adapters[other] as (f: unknown) => unknown)(run.make(fn)))));
  return fc.oneof({ weight: 8, arbitrary: own }, { weight: 1, arbitrary: wrongShape }, { weight: 1, arbitrary: fc.constantFrom(...rawHandlers[name]) });
}

/** An implementation: a handler (or none: UNIMPLEMENTED) per method, sometimes keyed by its original name. */
export const implementations: fc.Arbitrary<Maker> = fc
  .record({
    Unary: fc.option(handlerFor("Unary"), { nil: undefined, freq: 6 }),
    Stream: fc.option(handlerFor("Stream"), { nil: undefined, freq: 6 }),
    Collect: fc.option(handlerFor("Collect"), { nil: undefined, freq: 6 }),
    Chat: fc.option(handlerFor("Chat"), { nil: undefined, freq: 6 }),
    byOriginalName: fc.boolean(),
  })
  .map(({ byOriginalName, ...picked }) => {
    const entries = Object.entries(picked).filter((e): e is [string, Maker] => e[1] !== undefined);
    const key = (name: string): string => (byOriginalName ? name.toLowerCase() : name);
    const label = `{ ${entries.map(([name, m]) => `${key(name)}: ${m.label}`).join(", ")} }`;
    return maker(label, (run) => Object.fromEntries(entries.map(([name, m]) => [key(name), run.make(m)])) as Handlers);
  });

const hostileImplementations = fc.constantFrom(
  maker("{ Unary: 5 }", () => ({ Unary: 5 })),
  maker("{ Nope: () => {} } (a misspelt handler)", () => ({ Nope: () => undefined })),
  maker("{ throwing getter: Unary }", () =>
    Object.defineProperty({}, "Unary", {
      enumerable: true,
      get() {
        throw new FuzzError("getter Unary");
      },
    }),
  ),
);

// ------------------------------------------------------------------ client, server and call options

const messageModes = fc.constantFrom("share", "clone", "serialize").map((m) => maker(`"${m}"`, () => m));
const sizeLimits = fc.constantFrom(-1, 20, 1 << 20).map((n) => maker(String(n), () => n));

const serverInterceptors = fc.constantFrom(
  maker("a pass-through server interceptor", () => ((_method, call) => new grpc.ServerInterceptingCall(call)) as grpc.ServerInterceptor),
  maker("a server interceptor that throws", () => () => {
    throw new FuzzError("a server interceptor");
  }),
);
const clientInterceptors = fc.constantFrom(
  maker("a pass-through client interceptor", () => ((callOptions, nextCall) => new grpc.InterceptingCall(nextCall(callOptions))) as grpc.Interceptor),
  maker("a client interceptor that throws", () => () => {
    throw new FuzzError("a client interceptor");
  }),
);
const interceptorProviders = fc.constantFrom(
  maker("a provider of a pass-through interceptor", () => () => ((callOptions: grpc.InterceptorOptions, nextCall: grpc.NextCall) => new grpc.InterceptingCall(nextCall(callOptions))) as grpc.Interceptor),
);
const callTransformers = fc.constantFrom(
  maker("an identity callInvocationTransformer", () => (properties: unknown) => properties),
  maker("a callInvocationTransformer that throws", () => () => {
    throw new FuzzError("a callInvocationTransformer");
  }),
);
const serverServices = fc.constantFrom(
  maker("the mismatched service (every shape changed)", () => mismatchedService),
  maker("a service with Unary only", () => partialService),
  maker("the client's own service", () => fuzzService),
);

/** An options object from plausible values only, each key present or not: what gets past validation into the calls. */
function plain(shape: Record<string, fc.Arbitrary<Maker>>): fc.Arbitrary<Maker> {
  return fc.record(shape, { requiredKeys: [] }).map((picked) => {
    const entries = Object.entries(picked) as Array<[string, Maker]>;
    return maker(`{ ${entries.map(([k, m]) => `${k}: ${m.label}`).join(", ")} }`, (run) => Object.fromEntries(entries.map(([k, m]) => [k, run.make(m)])));
  });
}

/** Mostly options that get past validation (so that calls go deep), the rest hostile (each key, or the whole object). */
function mostlyPlausible(good: fc.Arbitrary<Maker>, hostile: fc.Arbitrary<Maker>): fc.Arbitrary<Maker> {
  return fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: hostile });
}

const plausibleInProcessOptions = plain({
  messages: messageModes,
  direct: plausible.boolean,
  server: plain({ interceptors: arrayOf(serverInterceptors, 2), service: serverServices, "grpc.max_receive_message_length": sizeLimits, "grpc.max_send_message_length": sizeLimits }),
  interceptors: arrayOf(clientInterceptors, 2),
  callInvocationTransformer: callTransformers,
  "grpc.max_receive_message_length": sizeLimits,
  "grpc.max_send_message_length": sizeLimits,
});

/** `createInProcessClient`'s options: its own, the server's, and grpc-js client options. */
export const hostileInProcessOptions = options({
  messages: either(messageModes),
  direct: either(plausible.boolean),
  server: options({
    interceptors: either(arrayOf(serverInterceptors, 2)),
    service: either(serverServices),
    "grpc.max_receive_message_length": either(sizeLimits),
    "grpc.max_send_message_length": either(sizeLimits),
  }),
  interceptors: either(arrayOf(clientInterceptors, 2)),
  interceptor_providers: either(arrayOf(interceptorProviders, 1)),
  callInvocationTransformer: either(callTransformers),
  "grpc.max_receive_message_length": either(sizeLimits),
  "grpc.max_send_message_length": either(sizeLimits),
});

export const inProcessOptions = mostlyPlausible(plausibleInProcessOptions, hostileInProcessOptions);

/** Plausible client options only (for clients built as arguments of other exports). */
const plainOptions = fc
  .record({ messages: fc.constantFrom("share", "clone", "serialize"), direct: fc.boolean(), limited: fc.boolean() })
  .map(({ messages, direct, limited }) => ({ messages, direct, ...(limited ? { "grpc.max_receive_message_length": 40 } : {}) }));

const deadlines = fc.constantFrom(
  maker("Date.now() + 1", () => Date.now() + 1),
  maker("Date.now() + 5", () => Date.now() + 5),
  maker("Date.now() + 30", () => Date.now() + 30),
  maker("new Date(Date.now() + 3)", () => new Date(Date.now() + 3)),
  maker("Date.now() - 1 (passed)", () => Date.now() - 1),
  maker("new Date(NaN)", () => new Date(Number.NaN)),
  maker("Infinity", () => Infinity),
  maker("0", () => 0),
);

const metadatas = fc.constantFrom(
  maker("new Metadata()", () => new grpc.Metadata()),
  maker("Metadata { x-fuzz: 1 }", () => {
    const m = new grpc.Metadata();
    m.set("x-fuzz", "1");
    m.add("x-fuzz", "2");
    return m;
  }),
  maker("Metadata { grpc-timeout: 1m }", () => {
    const m = new grpc.Metadata();
    m.set("grpc-timeout", "1m");
    return m;
  }),
  maker("Metadata { grpc-timeout: bogus }", () => {
    const m = new grpc.Metadata();
    m.set("grpc-timeout", "bogus");
    return m;
  }),
  maker("Metadata { x-bin: <bytes> }", () => {
    const m = new grpc.Metadata();
    m.set("x-bin", Buffer.from([1, 2, 3]));
    return m;
  }),
);

/** Parent calls, as `CallOptions.parent` takes them: look-alikes of a server call. */
const parents = fc.constantFrom(
  maker("parent: deadline in 5 ms", () => Object.assign(new EventEmitter(), { getDeadline: () => Date.now() + 5, cancelled: false })),
  maker("parent: cancelled after 3 ticks", (run) => {
    const parent = Object.assign(new EventEmitter(), { getDeadline: () => Infinity, cancelled: false });
    run.background.push(
      ticks(3).then(() => {
        parent.cancelled = true;
        parent.emit("cancelled", "cancelled");
      }),
    );
    return parent;
  }),
  maker("parent whose getDeadline() throws", () =>
    Object.assign(new EventEmitter(), {
      getDeadline() {
        throw new FuzzError("parent.getDeadline");
      },
      cancelled: false,
    }),
  ),
  maker("parent { getDeadline: () => 5 } (no events)", () => ({ getDeadline: () => 5 })),
);

const propagateFlags = fc
  .constantFrom(grpc.propagate.DEFAULTS, 0, grpc.propagate.DEADLINE, grpc.propagate.CANCELLATION)
  .map((flags) => maker(`propagate ${flags}`, () => flags));

const callCredentials = fc.constantFrom(
  maker("call credentials from a metadata generator", () => grpc.credentials.createFromMetadataGenerator((_options, callback) => callback(null, new grpc.Metadata()))),
);

const plausibleGrpcCallOptions = plain({
  deadline: deadlines,
  parent: parents,
  propagate_flags: propagateFlags,
  interceptors: arrayOf(clientInterceptors, 1),
  credentials: callCredentials,
});

/** grpc-js's own `CallOptions`, as `callOptions` of an `asyncClient` method. */
const grpcCallOptions = options({
  deadline: either(deadlines),
  parent: either(parents),
  propagate_flags: either(propagateFlags),
  interceptors: either(arrayOf(clientInterceptors, 1)),
  credentials: either(callCredentials),
});

/** The per-call options of an `asyncClient` method. */
export const callOptions = mostlyPlausible(
  plain({
    signal: fc.oneof(plausible.signal, plausible.absent),
    metadata: metadatas,
    deadline: deadlines,
    callOptions: plausibleGrpcCallOptions,
    onHeader: plausible.callback,
    onTrailer: plausible.callback,
  }),
  options({
    signal: either(plausible.signal, plausible.absent),
    metadata: either(metadatas),
    deadline: either(deadlines),
    callOptions: either(grpcCallOptions),
    onHeader: either(plausible.callback),
    onTrailer: either(plausible.callback),
  }),
);

// ------------------------------------------------------------------ requests

export const messages = fc.constantFrom(
  maker("{ name: 'x' }", () => ({ name: "x" })),
  maker("{}", () => ({})),
  maker("a 100-byte message", () => ({ blob: "x".repeat(100) })),
  maker("undefined", () => undefined),
  maker("null", () => null),
);

async function* requestsUntilReleased(run: Run): AsyncGenerator<unknown> {
  yield { n: 1 };
  await run.released;
}

export const requestStreams = fc.constantFrom(
  maker("[{ n: 1 }, { n: 2 }] (sync)", () => [{ n: 1 }, { n: 2 }]),
  maker("async generator of 3", () => numbers(3)),
  maker("[] (no requests)", () => []),
  maker("requests failing after 1", () =>
    (async function* () {
      yield { n: 1 };
      throw new FuzzError("a request stream");
    })(),
  ),
  maker("requests that never end (until the run is released)", (run) => requestsUntilReleased(run)),
  maker("odd requests [undefined, null, 10n, Symbol]", () => [undefined, null, 10n, Symbol("r")]),
  maker("a 100-byte request", () => [{ blob: "x".repeat(100) }]),
  ...iterables.slice(6),
);

// ------------------------------------------------------------------ clients, servers and calls to drive

/** A plan of one call: which method, what it is given, with which options. */
export const callPlans = fc
  .array(
    fc.record({
      method: fc.constantFrom<MethodName | "unary" | "Missing">("Unary", "Stream", "Collect", "Chat", "Unary", "Stream", "Collect", "Chat", "unary", "Missing"),
      request: mostlyPlausible(messages, anything),
      requests: mostlyPlausible(requestStreams, anything),
      options: fc.oneof({ weight: 4, arbitrary: callOptions }, { weight: 1, arbitrary: fc.constant(maker("(no options)", () => undefined)) }),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((plans) =>
    maker(
      plans.map((p) => `${p.method}(${shapeOf(p.method)?.requestStream === true ? p.requests.label : p.request.label}, ${p.options.label})`).join("; "),
      (run) => plans.map((p) => ({ method: p.method, request: run.make(p.request), requests: run.make(p.requests), options: run.make(p.options) })),
    ),
  );

interface CallPlan {
  readonly method: string;
  readonly request: unknown;
  readonly requests: unknown;
  readonly options: unknown;
}

function shapeOf(name: string): { readonly requestStream: boolean; readonly responseStream: boolean } | undefined {
  return name === "unary" ? shapes.Unary : (shapes as Record<string, { requestStream: boolean; responseStream: boolean } | undefined>)[name];
}

/**
 * Makes the planned calls on an `asyncClient` and drives each result: a promise is awaited (bounded), an
 * iterator read and stopped. Requests a call took are its own from then on: the run does not finish them
 * (the leak check then sees whether the call did).
 */
export async function makeCalls(api: unknown, plans: readonly CallPlan[], ctx: Ctx, where: string): Promise<void> {
  const methods = api as Record<string, ((first: unknown, options: unknown) => unknown) | undefined>;
  for (const plan of plans) {
    const shape = shapeOf(plan.method);
    const fn = methods[plan.method];
    if (shape === undefined || typeof fn !== "function") continue; // the service has no such method: nothing to call
    const first = shape.requestStream ? plan.requests : plan.request;
    const name = `${where}.${plan.method}(…)`;
    let result: unknown;
    let accepted = false;
    try {
      result = fn(first, plan.options);
      accepted = true;
    } catch (error) {
      ctx.check(error, name);
    }
    if (!accepted) continue;
    if (shape.requestStream) handOver(ctx.run, first);
    if (shape.responseStream) await consume(result, ctx, name);
    else {
      awaitResult(result, ctx, name);
      await ctx.briefly(result);
    }
  }
}

/** The call took these requests: if they are a sluice bridge the run made, finishing it is the call's job now. */
function handOver(run: Run, requests: unknown): void {
  const index = run.extras.indexOf(requests as { return(): Promise<unknown> });
  if (index !== -1) run.extras.splice(index, 1);
}

/** An in-process client of the fuzz service, closed when the run ends. */
function inProcessClient(run: Run, implementation: Handlers, clientOptions: object): grpc.Client {
  const client = createInProcessClient(FuzzClient as never, implementation as never, clientOptions as never) as grpc.Client;
  run.cleanups.push(() => client.close());
  return client;
}

/** A `grpc.Server` serving `implementation`, never bound to a port; shut down when the run ends. */
function pipeServer(run: Run, implementation: Handlers): grpc.Server {
  const server = new grpc.Server();
  server.addService(fuzzService, implementation as grpc.UntypedServiceImplementation);
  run.cleanups.push(() => server.forceShutdown());
  return server;
}

/** A client over `createPipeChannel` to a server that never binds a port; everything closed when the run ends. */
function pipeClient(run: Run, implementation: Handlers): grpc.Client {
  const channel = createPipeChannel(pipeServer(run, implementation));
  const client = new FuzzClient("pipe", grpc.credentials.createInsecure(), { channelOverride: channel });
  run.cleanups.push(() => {
    client.close();
    channel.close();
  });
  return client;
}

/** Clients to give `asyncClient`: in-process (most), over the pipe, closed already. */
export const clients: fc.Arbitrary<Maker> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(implementations, plainOptions)
      .map(([impl, opts]) => maker(`createInProcessClient(Fuzz, ${impl.label}, ${JSON.stringify(opts)})`, (run) => inProcessClient(run, run.make(impl) as Handlers, opts))),
  },
  { weight: 1, arbitrary: implementations.map((impl) => maker(`a client over createPipeChannel, ${impl.label}`, (run) => pipeClient(run, run.make(impl) as Handlers))) },
  {
    weight: 1,
    arbitrary: implementations.map((impl) =>
      maker(`a closed in-process client, ${impl.label}`, (run) => {
        const client = inProcessClient(run, run.make(impl) as Handlers, {});
        client.close();
        return client;
      }),
    ),
  },
);

/** Service client classes: the fuzz service's, and ones whose static `service` is wrong. */
export const clientConstructors = fc.oneof(
  { weight: 8, arbitrary: fc.constant(maker("Fuzz (makeGenericClientConstructor)", () => FuzzClient)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      maker("class { static service = {} }", () => Object.assign(class {}, { service: {} })),
      maker("function with service { Unary: { path: 5 } }", () => Object.assign(function NotAClient() {}, { service: { Unary: { path: 5 } } })),
      maker("class with a throwing `service` getter", () =>
        Object.defineProperty(class {}, "service", {
          get() {
            throw new FuzzError("getter service");
          },
        }),
      ),
    ),
  },
);

export const implementationArgs = fc.oneof({ weight: 6, arbitrary: implementations }, { weight: 1, arbitrary: hostileImplementations });

/** Servers for `createPipeChannel`: a real one (never bound to a port), and look-alikes. */
export const servers = fc.oneof(
  { weight: 6, arbitrary: implementations.map((impl) => maker(`grpc.Server serving ${impl.label}`, (run) => pipeServer(run, run.make(impl) as Handlers))) },
  {
    weight: 1,
    arbitrary: fc.constant(
      maker("{ createConnectionInjector() throws }", () => ({
        createConnectionInjector() {
          throw new FuzzError("createConnectionInjector");
        },
      })),
    ),
  },
);

export const pipeOptions = mostlyPlausible(
  plain({ "grpc.max_send_message_length": sizeLimits, "grpc.max_receive_message_length": sizeLimits, "grpc.primary_user_agent": plausible.name, authority: plausible.name }),
  options({
    "grpc.max_send_message_length": either(sizeLimits),
    "grpc.max_receive_message_length": either(sizeLimits),
    "grpc.primary_user_agent": either(plausible.name),
    authority: either(plausible.name),
  }),
);

/** Call objects of grpc-js whose responses `responses()` reads: real ones (bounded by a deadline) and look-alikes. */
export const responseCalls = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(implementations, plainOptions, fc.constantFrom<"Stream" | "Chat">("Stream", "Chat")).map(([impl, opts, name]) =>
      maker(`client.${name}(…) on an in-process client, ${impl.label}`, (run) => {
        const client = inProcessClient(run, run.make(impl) as Handlers, opts) as unknown as Record<string, (...a: unknown[]) => grpc.ClientDuplexStream<unknown, unknown>>;
        const call = name === "Stream" ? client.Stream?.({ n: 1 }, { deadline: Date.now() + 50 }) : client.Chat?.({ deadline: Date.now() + 50 });
        if (call === undefined) throw new Error("the fuzz service has no such method");
        if (name === "Chat") {
          call.write({ n: 1 });
          call.end();
        }
        // The caller's own listener: the call's 'error' is theirs when responses() refused it (a bad option).
        // Were responses() to take the call and not listen, its bridge would never end: a hang, reported.
        call.on("error", () => undefined);
        run.cleanups.push(() => call.cancel());
        return call;
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      maker("{ cancel, pause } (no events)", () => ({ cancel() {}, pause() {} })),
      maker("an emitter call: data 1, data 2, status OK, end", (run) => {
        const call = Object.assign(new EventEmitter(), { cancel() {}, pause() {}, resume() {} });
        run.background.push(
          ticks(2).then(() => {
            call.emit("data", { n: 1 });
            call.emit("data", { n: 2 });
            call.emit("status", { code: grpc.status.OK, details: "OK", metadata: new grpc.Metadata() });
            call.emit("end");
          }),
        );
        return call;
      }),
    ),
  },
);

/** Call objects of grpc-js that `sendAll()` writes to: real ones (bounded by a deadline) and look-alikes. */
export const requestCalls = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(implementations, plainOptions, fc.constantFrom<"Collect" | "Chat">("Collect", "Chat")).map(([impl, opts, name]) =>
      maker(`client.${name}(…) on an in-process client, ${impl.label}`, (run) => {
        const client = inProcessClient(run, run.make(impl) as Handlers, opts) as unknown as Record<string, (...a: unknown[]) => grpc.ClientDuplexStream<unknown, unknown>>;
        let call: grpc.ClientDuplexStream<unknown, unknown> | undefined;
        if (name === "Collect") {
          run.background.push(
            new Promise<void>((resolve) => {
              call = client.Collect?.({ deadline: Date.now() + 50 }, () => resolve());
            }),
          );
        } else {
          call = client.Chat?.({ deadline: Date.now() + 50 });
          call?.on("data", () => undefined);
        }
        if (call === undefined) throw new Error("the fuzz service has no such method");
        call.on("error", () => undefined); // the caller's own listener (see responseCalls)
        const made = call;
        run.cleanups.push(() => made.cancel());
        return made;
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      maker("{ cancel, write → true } (no events)", () => ({ cancel() {}, write: () => true })),
      maker("an emitter call whose write() throws", () =>
        Object.assign(new EventEmitter(), {
          cancel() {},
          end() {},
          write() {
            throw new FuzzError("call.write");
          },
        }),
      ),
    ),
  },
);

/** Status codes for `GrpcError`. */
export const statusCodes = fc.constantFrom(1, 2, 5, 14, 16).map((code) => maker(`${code} ${grpc.status[code]}`, () => code));
export { metadatas };

/**
 * Serves `handler` as `name` in-process (or, now and then, over the pipe to a real server) and calls it as
 * the plans say, through `asyncClient`.
 */
export async function serveAndCall(name: MethodName, handler: unknown, ctx: Ctx, where: string): Promise<void> {
  const [clientOptions, plans] = ctx.extra as [object, CallPlan[]];
  const onPipe = ctx.pick(8) === 0;
  const client = ctx.call(`serving ${where}`, () => (onPipe ? pipeClient(ctx.run, { [name]: handler }) : inProcessClient(ctx.run, { [name]: handler }, clientOptions)));
  if (client === undefined) return;
  await makeCalls(asyncClient(client as grpc.Client), plans.map((plan) => ({ ...plan, method: name })), ctx, where);
}

export const servingOptions = plainOptions.map((opts) => maker(JSON.stringify(opts), () => opts));

export { anything, isPromise };
