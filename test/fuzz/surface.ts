// The public API, as the fuzz test (public-api.fuzz.test.ts) sees it: for every export of every subpath, how
// to generate its arguments (hostile and plausible mixed) and how to use and finish what a call returns.
//
// HOW TO ADD AN EXPORT (or a whole subpath, such as `sluice/grpc`):
//   1. Add the subpath to `subpaths` below, with a loader for its barrel (`() => import("…/index.js")`).
//   2. Give every runtime export of that barrel an entry in `surface[subpath]`:
//        - a constant (an `as const` object): `constant`;
//        - a function: `{ args: args(argument arbitraries…), use(result, ctx) { … } }`;
//        - a class: the same with `construct: true` (it is called with `new`).
//      Build each argument with the helpers of hostile.ts: `either(plausible…)` mixes plausible values with
//      anything hostile; `options({ key: arbitrary, … })` makes an options object whose keys are each present
//      or not, plausible or hostile (or the whole object hostile); `arrayOf(element)` an array.
//   3. `use` drives what the call returned and must finish it, so that nothing is left open: `consume(it, ctx,
//      name)` for an iterator, `produce(writer, ctx, name)` for a push side, `awaitResult(promise, ctx, name)`
//      for a promise, `ctx.call(where, () => …)` for any other method (it checks a synchronous throw and
//      tracks a returned promise). List in `owns` the parameters whose sluice bridges the export takes over
//      (its sources): the test then checks that they are finished; it finishes every other bridge itself.
//   The coverage test fails until every export has an entry; each entry becomes one property.
import { fc } from "@fast-check/vitest";
import type { EventEmitter } from "node:events";
import { credentials } from "@grpc/grpc-js";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Fiber from "effect/Fiber";
import * as Stream from "effect/Stream";
import type { Broadcast } from "../../src/core/index.js";
import { asyncClient, unary } from "../../src/grpc/index.js";
import {
  type Ctx,
  awaitResult,
  isPromise,
  consume,
  produce,
} from "./harness.js";
import {
  FuzzClient,
  callPlans,
  clientConstructors,
  clients,
  implementationArgs,
  inProcessOptions,
  handlerFns,
  makeCalls,
  metadatas,
  pipeOptions,
  requestCalls,
  requestStreams,
  responseCalls,
  serveAndCall,
  servers,
  servingOptions,
  statusCodes,
} from "./grpc.js";
import { eventNames, eventTargets, nodeReadables, readNodeReadable, readWebStream, webStreams } from "./platform.js";
import {
  FuzzError,
  type Maker,
  anything,
  args,
  arrayOf,
  either,
  maker,
  options,
  plausible,
  throwingProxy,
  ticks,
} from "./hostile.js";

/**
 * The barrels of the package's subpaths, as the package exports them (see package.json `exports`).
 *
 * Left out on purpose, because importing them is their whole point and a side effect by design:
 * `sluice/testing/vitest-setup` registers vitest `beforeEach`/`afterEach` hooks when imported (it is this suite's
 * own setup file, so every fuzz run already runs under it), and `sluice/testing/node-test` registers `node:test`
 * hooks when imported (imported here, it would make node:test's runner start in this vitest worker). Neither
 * exports anything to call. `sluice/testing/mocha` exports its hooks as an object and registers nothing: it is
 * fuzzed (its hooks called in any order, with any `this` and arguments).
 */
export const subpaths = {
  sluice: () => import("../../src/core/index.js"),
  "sluice/interop": () => import("../../src/interop/index.js"),
  "sluice/interop/effect": () => import("../../src/interop/effect.js"),
  "sluice/testing": () => import("../../src/testing/index.js"),
  "sluice/testing/mocha": () => import("../../src/testing/mocha.js"),
  "sluice/node": () => import("../../src/node/index.js"),
  "sluice/grpc": () => import("../../src/grpc/index.js"),
} as const;
export type Subpath = keyof typeof subpaths;

/** How the fuzz test calls one export and uses its result. */
export interface Entry {
  /** The arguments, one arbitrary per parameter. */
  readonly args: fc.Arbitrary<Maker[]>;
  /** Uses what a successful call returned, and finishes it; every promise it starts goes through `ctx`. */
  use(result: unknown, ctx: Ctx): Promise<void> | void;
  /** Call with `new`. */
  readonly construct?: boolean;
  /** The export is an object to use as it is (mocha's hooks), not a function: `use` gets it, `args` are its driving values. */
  readonly object?: boolean;
  /**
   * The parameters (by index) whose sluice bridges the export takes over and must finish (its sources): the
   * test checks that they are finished. It finishes every other bridge it made itself.
   */
  readonly owns?: readonly number[];
  /**
   * How many of the values of `args` are the export's arguments (default: all); the rest drive the result
   * (a gRPC entry's call plans, say) and reach `use` as `ctx.extra`.
   */
  readonly arity?: number;
  /** The share of the run count this entry takes (default 1): an entry whose runs are slow runs fewer. */
  readonly runShare?: number;
}

/** An export that is a constant, not something to call. */
export const constant = "constant" as const;

// ------------------------------------------------------------------ shared argument shapes

const bridgeOptions = {
  highWaterMark: either(plausible.count),
  overflow: either(plausible.overflow),
  signal: either(plausible.signal, plausible.absent),
  name: either(plausible.name),
};
const sourceOptions = { ...bridgeOptions, lazy: either(plausible.boolean) };
const iterable = either(plausible.iterable);

/** Producers for `pull`: well-behaved, early, failing, or waiting for their signal. */
const producers = fc.constantFrom(
  maker("producer sending 1..3", () => async (send: (v: unknown) => Promise<boolean>) => {
    for (let i = 1; i <= 3; i += 1) if (!(await send(i))) return;
  }),
  maker("producer returning at once", () => () => undefined),
  maker("producer throwing", () => () => {
    throw new FuzzError("a pull producer");
  }),
  maker("producer rejecting after one send", () => async (send: (v: unknown) => Promise<boolean>) => {
    await send(1);
    throw new FuzzError("a pull producer's rejection");
  }),
  maker("producer returning a proxy whose traps throw", (run) => () => run.make(throwingProxy)),
  maker("producer returning a thenable whose then() throws", () => () => ({
    then() {
      throw new FuzzError("a producer's thenable");
    },
  })),
  maker("producer waiting for its signal", () => async (_send: unknown, signal: AbortSignal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  }),
  maker("producer sending odd values until false (at most 50)", () => async (send: (v: unknown) => Promise<boolean>) => {
    const odd = [undefined, null, Number.NaN, 10n, Symbol("v")];
    for (let i = 0; i < 50; i += 1) if (!(await send(odd[i % odd.length]))) return;
  }),
);

interface FuzzSink {
  push(v: unknown): boolean;
  send(v: unknown): Promise<boolean>;
  end(): void;
  fail(e: unknown): void;
}

/** Setups for `subscribe`: synchronous or async, with teardowns that work, throw or reject, or none. */
const setups = fc.constantFrom(
  maker("setup pushing 1, 2, then end()", () => (sink: FuzzSink) => {
    sink.push(1);
    sink.push(2);
    sink.end();
    return () => undefined;
  }),
  maker("setup whose teardown throws", () => (sink: FuzzSink) => {
    sink.push(1);
    return () => {
      throw new FuzzError("a teardown");
    };
  }),
  maker("setup whose async teardown rejects", () => (sink: FuzzSink) => {
    sink.push(1);
    return () => Promise.reject(new FuzzError("an async teardown"));
  }),
  maker("setup failing with fail()", () => (sink: FuzzSink) => {
    sink.fail(new FuzzError("sink.fail in setup"));
  }),
  maker("setup pushing after its own end()", () => (sink: FuzzSink) => {
    sink.end();
    sink.push(1); // a coded error (push after end): thrown out of the setup, which fails the stream
  }),
  maker("async setup resolving to a teardown", () => async (sink: FuzzSink) => {
    await ticks(2);
    sink.push(1);
    return () => undefined;
  }),
  maker("setup returning a proxy whose traps throw", (run) => () => run.make(throwingProxy)),
  maker("setup returning a thenable whose then() throws", () => () => ({
    then() {
      throw new FuzzError("a setup's thenable");
    },
  })),
  maker("setup reading sink.signal and failing on abort", () => (sink: FuzzSink & { signal: AbortSignal }) => {
    sink.signal.addEventListener("abort", () => sink.fail(new FuzzError("failing after the abort")), { once: true });
    sink.push(1);
  }),
  maker("setup sending 1..3 over microtasks, then end()", () => (sink: FuzzSink) => {
    void (async () => {
      for (let i = 1; i <= 3; i += 1) if (!(await sink.send(i))) return;
      sink.end();
    })();
  }),
);

const times = fc.constantFrom(
  maker("Date.now() + 5", () => Date.now() + 5),
  maker("new Date(Date.now() + 2)", () => new Date(Date.now() + 2)),
  maker("an hour from now", () => Date.now() + 3_600_000),
  maker("a past time", () => Date.now() - 1),
  maker("Infinity", () => Infinity),
);

const streams = fc.constantFrom(
  maker("Stream.fromIterable([1, 2, 3])", () => Stream.fromIterable([1, 2, 3])),
  maker("Stream.fail(FuzzError)", () => Stream.fail(new FuzzError("an Effect failure"))),
  maker("Stream.die(FuzzError)", () => Stream.die(new FuzzError("an Effect defect"))),
  maker("Stream.never", () => Stream.never),
  maker("Stream.range(1, 1_000_000)", () => Stream.range(1, 1_000_000)),
  maker("Stream.fromEffect(Effect.interrupt)", () => Stream.fromEffect(Effect.interrupt)),
  maker("a stream whose finalizer dies", () => Stream.make(1, 2).pipe(Stream.ensuring(Effect.die(new FuzzError("a finalizer"))))),
);

const contexts = fc.constantFrom(maker("Context.empty()", () => Context.empty()));

const baselines = fc.constantFrom(
  maker("{ lastId: 0 }", () => ({ lastId: 0 })),
  maker("{ lastId: -1 }", () => ({ lastId: -1 })),
  maker('{ lastId: "x" }', () => ({ lastId: "x" })),
);

const bridgeInfos = fc.constantFrom(
  maker("a BridgeInfo", () => ({ id: 1, name: "n", kind: "channel", state: "idle", ageMs: 0, stack: undefined, phase: "open", buffered: 0, pendingNext: 0, pendingSend: 0 })),
  maker("a BridgeInfo with a stack", () => ({ id: 2, name: "m", kind: "pull", state: "open", ageMs: 3, stack: "at x\nat y", phase: "open", buffered: 1, pendingNext: 0, pendingSend: 0 })),
);

const errorCodes = fc.constantFrom("ERR_SLUICE_PUSH_AFTER_END", "ERR_SLUICE_OVERFLOW", "ERR_SLUICE_TIMEOUT", "ERR_SLUICE_LEAK").map((c) => maker(`"${c}"`, () => c));

/** Reads what an error-like result exposes, as a caller would. */
function readError(result: unknown, ctx: Ctx, name: string): void {
  ctx.call(`${name}.message`, () => String((result as Error).message));
  ctx.call(`${name}.code`, () => (result as { code?: unknown }).code);
  ctx.call(`String(${name})`, () => String(result));
}

// ------------------------------------------------------------------ the table

export const surface: { readonly [S in Subpath]: Record<string, Entry | typeof constant> } = {
  sluice: {
    channel: {
      args: args(options(bridgeOptions)),
      async use(ch, ctx) {
        produce(ch, ctx, "channel");
        await consume(ch, ctx, "channel");
      },
    },
    pull: {
      args: args(either(producers), options(sourceOptions)),
      use: (it, ctx) => consume(it, ctx, "pull"),
    },
    subscribe: {
      args: args(either(setups), options(sourceOptions)),
      use: (it, ctx) => consume(it, ctx, "subscribe"),
    },
    on: {
      args: args(
        either(eventTargets),
        either(eventNames),
        options({ ...sourceOptions, endOn: either(eventNames), failOn: either(eventNames), multiArgs: either(plausible.boolean) }),
      ),
      use: (it, ctx) => consume(it, ctx, "on"),
    },
    fromReadableStream: {
      args: args(either(webStreams), options(sourceOptions)),
      use: (it, ctx) => consume(it, ctx, "fromReadableStream"),
    },
    toReadableStream: {
      owns: [0],
      args: args(iterable, options({ highWaterMark: either(plausible.count), type: either(fc.constant(maker('"bytes"', () => "bytes"))) })),
      use: (stream, ctx) => readWebStream(stream, ctx, "toReadableStream"),
    },
    drive: {
      owns: [0],
      args: args(iterable, either(plausible.sink), options({ signal: either(plausible.signal) })),
      async use(promise, ctx) {
        awaitResult(promise, ctx, "drive");
        // A source that never ends keeps drive() going (as it should): stop it, as its owner would.
        await ctx.briefly(promise);
        for (const input of ctx.run.inputs) ctx.call("the source's return()", () => input.return());
      },
    },
    merge: {
      owns: [0],
      args: args(either(arrayOf(iterable)), options(sourceOptions)),
      use: (it, ctx) => consume(it, ctx, "merge"),
    },
    broadcast: {
      owns: [0],
      args: args(
        iterable,
        options({ consumers: either(plausible.positive), highWaterMark: either(plausible.count), signal: either(plausible.signal), name: either(plausible.name) }),
      ),
      async use(result, ctx) {
        const hub = result as Broadcast<unknown>;
        const consumers = ctx.pick(3);
        const readers: unknown[] = [];
        for (let i = 0; i < consumers; i += 1) {
          const subscribed = ctx.call("broadcast.subscribe(x)", () => hub.subscribe(ctx.value() as never));
          if (subscribed !== undefined) readers.push(subscribed);
        }
        ctx.call("broadcast.consumers", () => hub.consumers);
        for (const reader of readers) await consume(reader, ctx, "broadcast consumer");
        ctx.call("broadcast.stop()", () => hub.stop());
        if (ctx.pick(2) === 0) {
          // A consumer that comes after the end: it ends (or fails) at once.
          const late = ctx.call("broadcast.subscribe() after stop()", () => hub.subscribe());
          if (late !== undefined) await consume(late, ctx, "late broadcast consumer");
        }
      },
    },
    mapConcurrent: {
      owns: [0],
      args: args(
        iterable,
        either(plausible.callback),
        options({ ...sourceOptions, concurrency: either(plausible.positive), ordered: either(plausible.boolean) }),
      ),
      use: (it, ctx) => consume(it, ctx, "mapConcurrent"),
    },
    batches: {
      owns: [0],
      args: args(iterable, options({ max: either(plausible.positive) })),
      use: (it, ctx) => consume(it, ctx, "batches"),
    },
    deadline: {
      owns: [0],
      args: args(iterable, either(times), options(sourceOptions)),
      use: (it, ctx) => consume(it, ctx, "deadline"),
    },
    timeout: {
      owns: [0],
      args: args(iterable, either(plausible.ms), options(sourceOptions)),
      use: (it, ctx) => consume(it, ctx, "timeout"),
    },
    AbortError: {
      construct: true,
      args: args(either(plausible.name, plausible.absent), options({ cause: anything })),
      use: (error, ctx) => readError(error, ctx, "AbortError"),
    },
    SluiceError: {
      construct: true,
      args: args(either(errorCodes), either(plausible.name), options({ cause: anything })),
      use: (error, ctx) => readError(error, ctx, "SluiceError"),
    },
    InvalidArgumentError: {
      construct: true,
      args: args(either(plausible.name), either(plausible.name), anything),
      use: (error, ctx) => readError(error, ctx, "InvalidArgumentError"),
    },
    isAbortError: {
      args: args(anything),
      use(result, ctx) {
        if (typeof result !== "boolean") ctx.violations.push(`isAbortError returned ${typeof result}`);
      },
    },
    ErrorCode: constant,
    Overflow: constant,
    configureLeakTracking: configureLeakTrackingEntry(),
    openBridges: openBridgesEntry(),
  },
  "sluice/interop": {
    pushable: pushableEntry("pushable"),
    pushableV: pushableEntry("pushableV"),
    duplex: {
      args: args(options({ highWaterMark: either(plausible.count), signal: either(plausible.signal), name: either(plausible.name) })),
      async use(result, ctx) {
        const endpoint = result as {
          sink(source: unknown): Promise<void>;
          source: unknown;
          outgoing: unknown;
          incoming: unknown;
          close(reason?: unknown): Promise<void>;
        };
        const sinks = ctx.pick(3); // 2: a second sink() call, which must be refused
        for (let i = 0; i < sinks; i += 1) {
          const input = ctx.pick(3) === 0 ? ctx.value() : ctx.run.make(ctx.pick(2) === 0 ? maker("[1, 2]", () => [1, 2]) : pickIterable(ctx));
          ctx.call("duplex.sink(x)", () => endpoint.sink(input));
        }
        produce(endpoint.outgoing, ctx, "duplex.outgoing");
        await consume(endpoint.source, ctx, "duplex.source");
        await consume(endpoint.incoming, ctx, "duplex.incoming");
        ctx.call("duplex.close(x)", () => endpoint.close(ctx.value()));
      },
    },
  },
  "sluice/interop/effect": {
    toStream: {
      // It opens the iterator only when the stream runs: a bridge given to it stays the caller's (its docs).
      args: args(iterable, options({ onError: either(plausible.callback), maxChunkSize: either(plausible.positive) })),
      async use(stream, ctx) {
        const fiber = Effect.runFork(Stream.runCollect(Stream.take(stream as Stream.Stream<unknown, unknown>, ctx.pick(4))));
        const exited = Effect.runPromise(Fiber.await(fiber));
        ctx.track(
          "toStream's fiber",
          exited.then((exit) => {
            if (exit._tag === "Failure") for (const error of causeErrors(exit.cause)) ctx.check(error, "toStream's stream");
          }),
        );
        await ctx.briefly(exited);
        // A source that has no more values keeps the stream waiting (as it should): interrupt it, as its owner would.
        ctx.call("Fiber.interrupt(toStream's fiber)", () => Effect.runPromise(Fiber.interrupt(fiber)));
      },
    },
    fromStream: {
      args: args(either(streams), options({ ...sourceOptions, context: either(contexts) })),
      use: (it, ctx) => consume(it, ctx, "fromStream"),
    },
  },
  "sluice/grpc": {
    // The adapters: what they return is a grpc-js handler; it is served and called (the handler misbehaves).
    unary: adapterEntry("Unary", handlerFns.unary),
    serverStreaming: adapterEntry("Stream", handlerFns.serverStreaming),
    clientStreaming: adapterEntry("Collect", handlerFns.clientStreaming),
    bidi: adapterEntry("Chat", handlerFns.bidi),
    GrpcError: {
      construct: true,
      runShare: 0.5,
      arity: 4,
      args: args(either(statusCodes), either(plausible.name, plausible.absent), either(metadatas, plausible.absent), options({ cause: anything }), servingOptions, callPlans),
      async use(error, ctx) {
        readError(error, ctx, "GrpcError");
        // Thrown by a handler, it is the status the caller gets.
        await serveAndCall("Unary", unaryThrowing(error), ctx, "a handler throwing the GrpcError");
      },
    },
    asyncClient: {
      runShare: 0.5,
      arity: 1,
      args: args(either(clients), callPlans),
      use: (api, ctx) => makeCalls(api, ctx.extra[0] as never, ctx, "asyncClient(client)"),
    },
    createInProcessClient: {
      runShare: 0.5,
      arity: 3,
      args: args(either(clientConstructors), either(implementationArgs), inProcessOptions, callPlans),
      async use(client, ctx) {
        // A constructor whose instances are no grpc-js clients (a class with a static `service`) gives one without close().
        ctx.run.cleanups.push(() => (client as { close?: () => void }).close?.());
        const api = ctx.call("asyncClient(the in-process client)", () => asyncClient(client as never));
        if (api !== undefined) await makeCalls(api, ctx.extra[0] as never, ctx, "asyncClient(createInProcessClient(…))");
        rawCall(client, ctx);
      },
    },
    createPipeChannel: {
      runShare: 0.15,
      arity: 2,
      args: args(either(servers), pipeOptions, callPlans),
      async use(channel, ctx) {
        const client = new FuzzClient("pipe", credentials.createInsecure(), { channelOverride: channel as never });
        ctx.run.cleanups.push(() => {
          client.close();
          (channel as { close(): void }).close();
        });
        await makeCalls(asyncClient(client), ctx.extra[0] as never, ctx, "asyncClient(a client over the pipe)");
      },
    },
    responses: {
      runShare: 0.5,
      args: args(either(responseCalls), options(sourceOptions)),
      use: (it, ctx) => consume(it, ctx, "responses"),
    },
    sendAll: {
      runShare: 0.5,
      owns: [1],
      args: args(either(requestCalls), either(requestStreams), options({ signal: either(plausible.signal) })),
      use: (promise, ctx) => awaitResult(promise, ctx, "sendAll"),
    },
  },
  "sluice/testing/mocha": {
    mochaHooks: {
      object: true,
      runShare: 0.25,
      args: args(fc.array(fc.constantFrom("beforeEach" as const, "afterEach" as const), { minLength: 1, maxLength: 4 }).map((order) => maker(order.join(", "), () => order))),
      async use(exported, ctx) {
        const hooks = exported as Record<"beforeEach" | "afterEach", (...a: unknown[]) => unknown>;
        // mocha calls them with its context as `this`; any `this` and arguments must do, in any order (an
        // afterEach without its beforeEach checks every open bridge).
        for (const hook of ctx.extra[0] as Array<"beforeEach" | "afterEach">) {
          const result = ctx.call(`mochaHooks.${hook}()`, () => Reflect.apply(hooks[hook], ctx.value(), [ctx.value()]));
          await ctx.briefly(result);
        }
      },
    },
  },
  "sluice/node": {
    fromReadable: {
      args: args(either(nodeReadables), options({ ...bridgeOptions, destroyOnReturn: either(plausible.boolean) })),
      use: (it, ctx) => consume(it, ctx, "fromReadable"),
    },
    toReadable: {
      owns: [0],
      args: args(iterable, options({ objectMode: either(plausible.boolean), highWaterMark: either(plausible.count), signal: either(plausible.signal) })),
      use: (readable, ctx) => readNodeReadable(readable, ctx, "toReadable"),
    },
  },
  "sluice/testing": {
    assertNoLeaks: {
      args: args(options({ baseline: either(baselines), turns: either(plausible.count), stopLeaked: either(plausible.boolean) })),
      use: (promise, ctx) => awaitResult(promise, ctx, "assertNoLeaks"),
    },
    leakBaseline: {
      args: args(),
      use(result, ctx) {
        if (typeof (result as { lastId?: unknown }).lastId !== "number") ctx.violations.push("leakBaseline() without a numeric lastId");
      },
    },
    withLeakCheck: {
      args: args(either(plausible.callback), options({ turns: either(plausible.count), stopLeaked: either(plausible.boolean) })),
      use: (promise, ctx) => awaitResult(promise, ctx, "withLeakCheck"),
    },
    leakChecked: {
      args: args(either(plausible.callback), options({ turns: either(plausible.count), stopLeaked: either(plausible.boolean) })),
      use(wrapped, ctx) {
        const result = ctx.call("leakChecked(...)(x)", () => (wrapped as (...a: unknown[]) => unknown)(ctx.value(), ctx.value()));
        if (!isPromise(result)) ctx.violations.push("leakChecked's wrapper did not return a promise");
      },
    },
    LeakError: {
      construct: true,
      args: args(either(arrayOf(either(bridgeInfos))), either(arrayOf(either(bridgeInfos))), either(plausible.count, plausible.absent)),
      use: (error, ctx) => readError(error, ctx, "LeakError"),
    },
    configureLeakTracking: configureLeakTrackingEntry(),
    openBridges: openBridgesEntry(),
  },
};

/** An adapter's entry: its handler function from `fns` (or anything), then the handler served and called. */
function adapterEntry(method: "Unary" | "Stream" | "Collect" | "Chat", fns: fc.Arbitrary<Maker>): Entry {
  return {
    runShare: 0.5,
    arity: 1,
    args: args(either(fns), servingOptions, callPlans),
    use: (handler, ctx) => serveAndCall(method, handler, ctx, `a ${method} handler`),
  };
}

/** A unary handler (written with `unary`) that throws `error`. */
function unaryThrowing(error: unknown): unknown {
  return unary(() => {
    throw error;
  });
}

/** One call of the grpc-js API itself on a client (a deadline bounds it): the callback, or the stream's events. */
function rawCall(client: unknown, ctx: Ctx): void {
  const methods = client as Record<string, ((...a: unknown[]) => unknown) | undefined>;
  const deadline = Date.now() + 20;
  if (ctx.pick(2) === 0) {
    const unaryMethod = methods["Unary"];
    if (typeof unaryMethod !== "function") return;
    ctx.track(
      "client.Unary(request, { deadline }, callback)",
      new Promise<void>((resolve, reject) => {
        // A throw (grpc-js refusing the call at once) is checked by ctx.call; no callback comes then.
        const call = ctx.call("client.Unary(…)", () => unaryMethod.call(client, { n: 1 }, { deadline }, (error: unknown) => (error === null ? resolve() : reject(error))));
        if (call === undefined) resolve();
      }),
    );
    return;
  }
  const streamMethod = methods["Stream"];
  if (typeof streamMethod !== "function") return;
  const call = ctx.call("client.Stream(…)", () => streamMethod.call(client, { n: 1 }, { deadline })) as EventEmitter | undefined;
  if (call === undefined) return;
  call.on("data", () => undefined);
  ctx.track(
    "client.Stream(…)'s status",
    new Promise<void>((resolve, reject) => {
      call.on("error", reject);
      call.on("end", resolve);
    }),
  );
}

function configureLeakTrackingEntry(): Entry {
  return {
    args: args(options({ enabled: either(plausible.boolean), stacks: either(plausible.boolean) })),
    use(previous, ctx) {
      // Whatever it changed, put it back: the rest of the run (and the suite) needs tracking on.
      ctx.call("configureLeakTracking(previous)", async () => {
        const { configureLeakTracking } = await subpaths.sluice();
        configureLeakTracking(previous as { enabled: boolean; stacks: boolean });
      });
    },
  };
}

function openBridgesEntry(): Entry {
  return {
    args: args(fc.option(anything, { nil: undefined }).map((m) => m ?? maker("(no argument)", () => undefined))),
    use(result, ctx) {
      if (!Array.isArray(result)) ctx.violations.push("openBridges() did not return an array");
    },
  };
}

function pushableEntry(name: "pushable" | "pushableV"): Entry {
  return {
    args: args(
      options({
        objectMode: either(plausible.boolean),
        onEnd: either(plausible.callback),
        highWaterMark: either(plausible.count),
        signal: either(plausible.signal),
        name: either(plausible.name),
      }),
    ),
    async use(p, ctx) {
      produce(p, ctx, name);
      await consume(p, ctx, name);
      ctx.call(`${name}.onEmpty()`, () => (p as { onEmpty(): Promise<void> }).onEmpty()); // never waits once finished
    },
  };
}

/** One of the plausible iterables, for a driver that needs a source of its own. */
function pickIterable(ctx: Ctx): Maker {
  return maker("async iterable of 1, 2", () => ({
    async *[Symbol.asyncIterator]() {
      yield 1;
      await ticks(ctx.pick(3));
      yield 2;
    },
  }));
}

/** The errors inside an Effect `Cause` (failures and defects), for the oracle. */
function causeErrors(cause: unknown): unknown[] {
  const reasons = (cause as { reasons?: ReadonlyArray<{ _tag: string; error?: unknown; defect?: unknown }> }).reasons ?? [];
  return reasons.flatMap((r) => (r._tag === "Fail" ? [r.error] : r._tag === "Die" ? [r.defect] : []));
}
