// The behaviour suite of asyncClient (calls as promises and iterators, onHeader/onTrailer, signal, deadlines,
// cancellation both ways, message modes, leak tracking), run on every transport and for both handler styles:
// plain grpc-js handlers and handlers written with the adapters. grpc-js over TCP is the oracle; where a
// transport may differ, the expectation reads a named field of `transport.differences`. On an in-process client
// asyncClient takes the direct path (the handler is called or pulled by the caller itself) unless the client
// was made with `direct: false`; both run here.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { channel, isAbortError, openBridges } from "../../src/core/index.js";
import { GrpcError, asyncClient, bidi, clientStreaming, serverStreaming, unary } from "../../src/grpc/index.js";
import type { AsyncClient, CallContext } from "../../src/grpc/index.js";
import { deferred } from "./call-helpers.js";
import { adapterHandlers } from "./fixtures/adapter-handlers.js";
import { echoInitialKey, echoTrailingKey, interopHandlers, payload } from "./fixtures/interop-handlers.js";
import { TestService } from "./fixtures/test-service.js";
import type { StreamingInputCallRequest, StreamingOutputCallRequest, TestServiceClient, TestServiceHandlers } from "./fixtures/test-service.js";
import type { Transport } from "./transports.js";

const { status: Status } = grpc;
const shortDeadlineMs = 150;
const deadlineIn = (ms: number): number => Date.now() + ms;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Keys a socket transport adds to what the caller sees; the in-process paths add none. */
const transportKeys = ["content-type", "date", "grpc-accept-encoding", "grpc-encoding"];
function userKeys(md: grpc.Metadata | undefined): Record<string, unknown> | undefined {
  if (md === undefined) return undefined;
  const copy = md.clone();
  for (const key of transportKeys) copy.remove(key);
  return copy.toJSON();
}

function md(entries: Record<string, string | Buffer>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

async function rejection(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error("Expected the call to fail, it succeeded");
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<{ values: T[]; error: grpc.ServiceError | undefined }> {
  const values: T[] = [];
  try {
    for await (const value of iterable) values.push(value);
  } catch (error) {
    return { values, error: error as grpc.ServiceError };
  }
  return { values, error: undefined };
}

/** The two ways the same service is written. */
type Style = "plain" | "adapters";

/** A handler per style, for cases that need their own. */
function byStyle(style: Style, handlers: { readonly plain: TestServiceHandlers; readonly adapters: TestServiceHandlers }): TestServiceHandlers {
  return style === "plain" ? handlers.plain : handlers.adapters;
}

function defineAsyncConformanceSuite(transport: Transport, style: Style): void {
  const d = transport.differences;
  const base = style === "plain" ? interopHandlers : adapterHandlers;
  const serve = (handlers: TestServiceHandlers = {}, options?: Parameters<Transport["serve"]>[1]) => transport.serve({ ...base, ...handlers }, options);

  describe(`asyncClient on ${transport.name}, ${style} handlers`, () => {
    afterEach(async () => {
      await transport.closeAll();
    });

    describe("the four shapes", () => {
      it("unary: the response, the echoed headers (onHeader) and -bin trailers (onTrailer), the request metadata as the handler saw it", async () => {
        const api = asyncClient((await serve()).client);
        let headers: grpc.Metadata | undefined;
        let trailers: grpc.Metadata | undefined;
        const order: string[] = [];
        const reply = await api.UnaryCall(
          { response_size: 3, request_id: "7" },
          {
            metadata: md({ [echoInitialKey]: "hi", [echoTrailingKey]: Buffer.from([0xab, 0xcd]) }),
            onHeader: (h) => {
              order.push("header");
              headers = h;
            },
            onTrailer: (t) => {
              order.push("trailer");
              trailers = t;
            },
          },
        );
        order.push("resolved");
        expect(reply.payload?.body?.length).toBe(3);
        expect(reply.request_id).toBe("7");
        expect(userKeys(headers)).toEqual({ [echoInitialKey]: ["hi"] });
        expect(trailers?.get(echoTrailingKey)).toEqual([Buffer.from([0xab, 0xcd])]);
        expect(Buffer.isBuffer(trailers?.get(echoTrailingKey)[0])).toBe(true);
        expect(order).toEqual(["header", "trailer", "resolved"]);
      });

      it("server streaming: every response in order, then done; headers before the first, trailers before done (responses may still be unread then)", async () => {
        const api = asyncClient((await serve()).client);
        const order: string[] = [];
        const stream = api.StreamingOutputCall(
          { response_parameters: [{ size: 3 }, { size: 1 }, { size: 4 }] },
          {
            metadata: md({ [echoInitialKey]: "s", [echoTrailingKey]: Buffer.from([1]) }),
            onHeader: (h) => order.push(`header:${String(h.get(echoInitialKey)[0])}`),
            onTrailer: (t) => order.push(`trailer:${t.get(echoTrailingKey).length}`),
          },
        );
        for await (const response of stream) order.push(`data:${response.payload?.body?.length}`);
        order.push("done");
        expect(order[0]).toBe("header:s");
        expect(order.filter((e) => e.startsWith("data"))).toEqual(["data:3", "data:1", "data:4"]);
        expect(order.filter((e) => e.startsWith("trailer"))).toEqual(["trailer:1"]);
        expect(order.indexOf("trailer:1")).toBeGreaterThan(0);
        expect(order.at(-1)).toBe("done");
      });

      it("client streaming: any iterable in, one response out", async () => {
        const api = asyncClient((await serve()).client);
        const sizes = [27182, 8, 1828, 45904];
        const fromArray = await api.StreamingInputCall(sizes.map((size) => ({ payload: payload(size) })));
        async function* generated(): AsyncGenerator<StreamingInputCallRequest> {
          for (const size of sizes) yield { payload: payload(size) };
        }
        const fromGenerator = await api.StreamingInputCall(generated());
        expect(fromArray).toEqual({ aggregated_payload_size: 74922 });
        expect(fromGenerator).toEqual({ aggregated_payload_size: 74922 });
        expect(await api.StreamingInputCall([])).toEqual({ aggregated_payload_size: 0 });
      });

      it("bidi: ping-pong through a channel, one response per request, in order", async () => {
        const api = asyncClient((await serve()).client);
        const requests = channel<StreamingOutputCallRequest>();
        const seen: number[] = [];
        const sizes = [31415, 9, 2653, 58979];
        requests.push({ response_parameters: [{ size: sizes[0] as number }] });
        for await (const response of api.FullDuplexCall(requests)) {
          seen.push(response.payload?.body?.length ?? -1);
          const next = sizes[seen.length];
          if (next === undefined) requests.end();
          else requests.push({ response_parameters: [{ size: next }] });
        }
        expect(seen).toEqual(sizes);
      });

      it("bidi, half duplex: responses only once the requests ended", async () => {
        const api = asyncClient((await serve()).client);
        const { values, error } = await collect(api.HalfDuplexCall([3, 1, 4].map((size) => ({ response_parameters: [{ size }] }))));
        expect(error).toBeUndefined();
        expect(values.map((v) => v.payload?.body?.length)).toEqual([3, 1, 4]);
      });

      it("empty streams: no responses, done", async () => {
        const api = asyncClient((await serve()).client);
        expect(await collect(api.FullDuplexCall([]))).toEqual({ values: [], error: undefined });
        expect(await collect(api.StreamingOutputCall({ response_parameters: [] }))).toEqual({ values: [], error: undefined });
      });
    });

    describe("status and errors", () => {
      it("a handler's status is the caller's ServiceError: code, details, message, metadata (unary and bidi)", async () => {
        const api = asyncClient((await serve()).client);
        let trailers: grpc.Metadata | undefined;
        const error = await rejection(
          api.UnaryCall({ response_status: { code: 2, message: "test status message" } }, { metadata: md({ [echoTrailingKey]: Buffer.from([9]) }), onTrailer: (t) => (trailers = t) }),
        );
        expect(error).toBeInstanceOf(Error);
        expect(error).toMatchObject({ code: Status.UNKNOWN, details: "test status message", message: "2 UNKNOWN: test status message" });
        expect(error.metadata).toBeInstanceOf(grpc.Metadata);
        expect(error.metadata.get(echoTrailingKey)).toEqual([Buffer.from([9])]);
        expect(trailers?.get(echoTrailingKey)).toEqual([Buffer.from([9])]);
        const bidiOutcome = await collect(api.FullDuplexCall([{ response_parameters: [{ size: 1 }] }, { response_status: { code: 9, message: "stop here" } }]));
        expect(bidiOutcome.values.map((v) => v.payload?.body?.length)).toEqual([1]);
        expect(bidiOutcome.error).toMatchObject({ code: Status.FAILED_PRECONDITION, details: "stop here", message: "9 FAILED_PRECONDITION: stop here" });
      });

      it("special status details survive: whitespace, BMP and non-BMP characters", async () => {
        const api = asyncClient((await serve()).client);
        const message = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \ud83d\ude08\t\n";
        expect(await rejection(api.UnaryCall({ response_status: { code: 2, message } }))).toMatchObject({ code: Status.UNKNOWN, details: message });
      });

      it("a handler that throws (not a status) is UNKNOWN 'Unknown error' on every shape, after the responses before it", async () => {
        const boom = (): never => {
          throw new Error("secret");
        };
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  EmptyCall() {
                    boom();
                  },
                  ListStrings(call) {
                    call.write({ value: "a" });
                    boom();
                  },
                  StreamingInputCall() {
                    boom();
                  },
                  FullDuplexCall() {
                    boom();
                  },
                },
                adapters: {
                  EmptyCall: unary(() => boom()),
                  ListStrings: serverStreaming(async function* () {
                    yield { value: "a" };
                    boom();
                  }),
                  StreamingInputCall: clientStreaming(async () => boom()),
                  FullDuplexCall: bidi(async function* () {
                    yield* [];
                    boom();
                  }),
                },
              }),
            )
          ).client,
        );
        const deadline = deadlineIn(5000);
        const expected = { code: Status.UNKNOWN, details: "Unknown error" };
        expect(await rejection(api.EmptyCall({}, { deadline }))).toMatchObject(expected);
        const listed = await collect(api.ListStrings({}, { deadline }));
        expect(listed.values).toEqual([{ value: "a" }]);
        expect(listed.error).toMatchObject(expected);
        expect(await rejection(api.StreamingInputCall([], { deadline }))).toMatchObject(expected);
        expect((await collect(api.FullDuplexCall([], { deadline }))).error).toMatchObject(expected);
      });

      it("a method the implementation lacks: UNIMPLEMENTED naming the method, on every shape", async () => {
        const api = asyncClient((await serve({ EmptyCall: undefined, ListStrings: undefined, StreamingInputCall: undefined, FullDuplexCall: undefined })).client);
        const details = (name: string): string => `The server does not implement the method ${name}`;
        expect(await rejection(api.EmptyCall({}))).toMatchObject({ code: Status.UNIMPLEMENTED, details: details("EmptyCall") });
        expect((await collect(api.ListStrings({}))).error).toMatchObject({ code: Status.UNIMPLEMENTED, details: details("ListStrings") });
        expect(await rejection(api.StreamingInputCall([]))).toMatchObject({ code: Status.UNIMPLEMENTED, details: details("StreamingInputCall") });
        expect((await collect(api.FullDuplexCall([]))).error).toMatchObject({ code: Status.UNIMPLEMENTED, details: details("FullDuplexCall") });
      });

      it("an error before any header is trailers-only: onHeader is not called, onTrailer is", async () => {
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: { EmptyCall: (_call, callback) => callback({ code: Status.NOT_FOUND, details: "gone", metadata: md({ "x-why": "because" }) }) },
                adapters: {
                  EmptyCall: unary(() => {
                    throw new GrpcError(Status.NOT_FOUND, "gone", md({ "x-why": "because" }));
                  }),
                },
              }),
            )
          ).client,
        );
        const seen: string[] = [];
        const error = await rejection(api.EmptyCall({}, { onHeader: () => seen.push("header"), onTrailer: (t) => seen.push(`trailer:${String(t.get("x-why")[0])}`) }));
        expect(error).toMatchObject({ code: Status.NOT_FOUND, details: "gone", message: "5 NOT_FOUND: gone" });
        expect(error.metadata.get("x-why")).toEqual(["because"]);
        expect(seen).toEqual(["trailer:because"]);
      });

      it("OK trailers from the handler reach onTrailer (callback trailer, end(md), ctx.trailers)", async () => {
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  EmptyCall: (_call, callback) => callback(null, {}, md({ "x-t": "unary" })),
                  ListStrings: (call) => {
                    call.write({ value: "a" });
                    call.end(md({ "x-t": "stream" }));
                  },
                },
                adapters: {
                  EmptyCall: unary((_request, ctx) => {
                    ctx.trailers.set("x-t", "unary");
                    return {};
                  }),
                  ListStrings: serverStreaming(async function* (_request, ctx) {
                    ctx.trailers.set("x-t", "stream");
                    yield { value: "a" };
                  }),
                },
              }),
            )
          ).client,
        );
        let unaryTrailer: unknown;
        let streamTrailer: unknown;
        await api.EmptyCall({}, { onTrailer: (t) => (unaryTrailer = userKeys(t)) });
        await collect(api.ListStrings({}, { onTrailer: (t) => (streamTrailer = userKeys(t)) }));
        expect(unaryTrailer).toEqual({ "x-t": ["unary"] });
        expect(streamTrailer).toEqual({ "x-t": ["stream"] });
      });

      it("a throwing onHeader or onTrailer fails the call with that error", async () => {
        const api = asyncClient((await serve()).client);
        const headerError = new Error("onHeader threw");
        const trailerError = new Error("onTrailer threw");
        const opts = { metadata: md({ [echoInitialKey]: "x" }) };
        expect(await rejection(api.UnaryCall({}, { ...opts, onHeader: () => { throw headerError; } }))).toBe(headerError);
        expect(await rejection(api.UnaryCall({}, { ...opts, onTrailer: () => { throw trailerError; } }))).toBe(trailerError);
        expect((await collect(api.StreamingOutputCall({ response_parameters: [{ size: 1 }] }, { ...opts, onHeader: () => { throw headerError; } }))).error).toBe(headerError);
        const streamed = await collect(api.StreamingOutputCall({ response_parameters: [{ size: 1 }, { size: 2 }] }, { onTrailer: () => { throw trailerError; } }));
        expect(streamed.error).toBe(trailerError);
      });
    });

    describe("deadlines", () => {
      it("a stalled unary handler: DEADLINE_EXCEEDED for the caller; the handler learns the call is over", async () => {
        const over = deferred();
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: { EmptyCall: (call) => void call.on("cancelled", () => over.resolve()) },
                adapters: {
                  EmptyCall: unary(
                    (_request, ctx) =>
                      new Promise((_resolve, reject) => {
                        ctx.signal.addEventListener("abort", () => {
                          over.resolve();
                          reject(ctx.signal.reason as Error);
                        });
                      }),
                  ),
                },
              }),
            )
          ).client,
        );
        const error = await rejection(api.EmptyCall({}, { deadline: deadlineIn(shortDeadlineMs) }));
        expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
        expect(error.details).toMatch(/^Deadline exceeded/);
        await over.promise;
      });

      it("a server stream that stalls: the responses already sent, then DEADLINE_EXCEEDED", async () => {
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: { ListStrings: (call) => void call.write({ value: "only" }) },
                adapters: {
                  ListStrings: serverStreaming(async function* (_request, ctx) {
                    yield { value: "only" };
                    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
                  }),
                },
              }),
            )
          ).client,
        );
        const { values, error } = await collect(api.ListStrings({}, { deadline: deadlineIn(shortDeadlineMs) }));
        expect(values).toEqual([{ value: "only" }]);
        expect(error?.code).toBe(Status.DEADLINE_EXCEEDED);
      });

      it("a deadline already past fails at once; the handler never runs", async () => {
        let ran = 0;
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: { EmptyCall: (_call, callback) => void (ran += 1, callback(null, {})) },
                adapters: { EmptyCall: unary(() => ((ran += 1), {})) },
              }),
            )
          ).client,
        );
        expect((await rejection(api.EmptyCall({}, { deadline: Date.now() - 1000 }))).code).toBe(Status.DEADLINE_EXCEEDED);
        expect((await rejection(api.EmptyCall({}, { deadline: new Date(Date.now() - 1000) }))).code).toBe(Status.DEADLINE_EXCEEDED);
        await sleep(20);
        // Over a socket a warm channel may still start the call on the server (grpc-js sends grpc-timeout: 0).
        if (!d.transportHeaders) expect(ran).toBe(0);
      });

      it("the handler sees the caller's deadline (getDeadline, ctx.deadline)", async () => {
        const seen = deferred<number>();
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  EmptyCall: (call, callback) => {
                    seen.resolve(Number(call.getDeadline()));
                    callback(null, {});
                  },
                },
                adapters: {
                  EmptyCall: unary((_request, ctx) => {
                    seen.resolve(Number(ctx.deadline));
                    return {};
                  }),
                },
              }),
            )
          ).client,
        );
        const deadline = deadlineIn(5000);
        await api.EmptyCall({}, { deadline });
        expect(Math.abs((await seen.promise) - deadline)).toBeLessThan(1000);
      });

      it("a grpc-timeout the caller puts in its metadata is the handler's deadline; an unreadable one is INTERNAL", async () => {
        const seen: number[] = [];
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  EmptyCall: (call) => void seen.push(Number(call.getDeadline())),
                },
                adapters: {
                  EmptyCall: unary(
                    (_request, ctx) =>
                      new Promise((_resolve, reject) => {
                        seen.push(Number(ctx.deadline));
                        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error));
                      }),
                  ),
                },
              }),
            )
          ).client,
        );
        const started = Date.now();
        const expired = await rejection(api.EmptyCall({}, { metadata: md({ "grpc-timeout": "100m" }) }));
        expect(expired).toMatchObject({ code: Status.DEADLINE_EXCEEDED, details: "Deadline exceeded" });
        expect(Date.now() - started).toBeGreaterThanOrEqual(90);
        expect(Math.abs((seen[0] ?? 0) - (started + 100))).toBeLessThan(500);
        const invalid = await rejection(api.EmptyCall({}, { metadata: md({ "grpc-timeout": "abc" }) }));
        expect(invalid).toMatchObject({ code: Status.INTERNAL, details: 'Invalid grpc-timeout value "abc"' });
        expect(seen).toHaveLength(1);
      });

      it("parent propagation: the child inherits the deadline and is cancelled with its parent", async () => {
        const childDeadline = deferred<number>();
        const childCancelled = deferred();
        const childOutcome = deferred<unknown>();
        let downstream: AsyncClient<TestServiceClient> | undefined;
        const served = await serve({
          EmptyCall(call) {
            childDeadline.resolve(Number(call.getDeadline()));
            call.on("cancelled", () => childCancelled.resolve());
          },
          UnaryCall(call) {
            downstream?.EmptyCall({}, { callOptions: { parent: call } }).then(childOutcome.resolve, childOutcome.resolve);
          },
        });
        downstream = asyncClient(served.makeClient());
        const deadline = deadlineIn(5000);
        const controller = new AbortController();
        const parent = rejection(asyncClient(served.client).UnaryCall({}, { deadline, signal: controller.signal }));
        expect(Math.abs((await childDeadline.promise) - deadline)).toBeLessThan(1000);
        controller.abort();
        expect(await childOutcome.promise).toMatchObject({ code: Status.CANCELLED, details: "Cancelled by parent call" });
        await childCancelled.promise;
        expect(isAbortError(await parent)).toBe(true);
      });
    });

    describe("cancellation", () => {
      it("break out of a response stream: the handler learns it at once (its finally runs, its signal aborts with CANCELLED)", async () => {
        const observed = deferred<{ finallyRan: boolean; reason: unknown }>();
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  ListStrings(call) {
                    call.on("cancelled", () => observed.resolve({ finallyRan: true, reason: call.cancelled ? "cancelled" : "?" }));
                    for (let i = 0; i < 5; i++) call.write({ value: String(i) });
                  },
                },
                adapters: {
                  ListStrings: serverStreaming(async function* (_request, ctx) {
                    try {
                      for (let i = 0; ; i++) yield { value: String(i) };
                    } finally {
                      observed.resolve({ finallyRan: true, reason: (ctx.signal.reason as GrpcError | undefined)?.code === Status.CANCELLED ? "cancelled" : ctx.signal.reason });
                    }
                  }),
                },
              }),
            )
          ).client,
        );
        for await (const response of api.ListStrings({}, { deadline: deadlineIn(5000) })) if (response.value === "1") break;
        expect(await observed.promise).toEqual({ finallyRan: true, reason: "cancelled" });
      });

      it("aborting the signal: an AbortError with the reason as cause, on every shape; the handler sees a cancel", async () => {
        const cancels: string[] = [];
        const noteCancel = (name: string) => (ctx: CallContext) => ctx.signal.addEventListener("abort", () => cancels.push(name));
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  EmptyCall: (call) => void call.on("cancelled", () => cancels.push("unary")),
                  ListStrings: (call) => void call.on("cancelled", () => cancels.push("server")),
                  StreamingInputCall: (call) => void call.on("cancelled", () => cancels.push("client")),
                  FullDuplexCall: (call) => void call.on("cancelled", () => cancels.push("bidi")),
                },
                adapters: {
                  EmptyCall: unary((_request, ctx) => new Promise((_resolve, reject) => (noteCancel("unary")(ctx), ctx.signal.addEventListener("abort", () => reject(new Error("x")))))),
                  ListStrings: serverStreaming(async function* (_request, ctx) {
                    noteCancel("server")(ctx);
                    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
                  }),
                  StreamingInputCall: clientStreaming(async (_requests, ctx) => {
                    noteCancel("client")(ctx);
                    return new Promise((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("x"))));
                  }),
                  FullDuplexCall: bidi(async function* (_requests, ctx) {
                    noteCancel("bidi")(ctx);
                    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
                  }),
                },
              }),
            )
          ).client,
        );
        const reason = new Error("enough");
        const abortLater = (): AbortSignal => {
          const controller = new AbortController();
          setTimeout(() => controller.abort(reason), 30);
          return controller.signal;
        };
        const deadline = deadlineIn(5000);
        const errors = [
          await rejection(api.EmptyCall({}, { signal: abortLater(), deadline })),
          (await collect(api.ListStrings({}, { signal: abortLater(), deadline }))).error,
          await rejection(api.StreamingInputCall(channel<StreamingInputCallRequest>(), { signal: abortLater(), deadline })),
          (await collect(api.FullDuplexCall(channel<StreamingOutputCallRequest>(), { signal: abortLater(), deadline }))).error,
        ];
        for (const error of errors) {
          expect(isAbortError(error)).toBe(true);
          expect((error as Error & { cause?: unknown }).cause).toBe(reason);
        }
        for (let i = 0; i < 50 && cancels.length < 4; i++) await sleep(10);
        expect([...cancels].sort()).toEqual(["bidi", "client", "server", "unary"]);
      });

      it("an already-aborted signal: rejects at once, the handler never runs, and the request iterable is closed", async () => {
        let ran = 0;
        const count = (): void => void (ran += 1);
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: { EmptyCall: count, ListStrings: count, StreamingInputCall: count, FullDuplexCall: count },
                adapters: {
                  EmptyCall: unary(() => (count(), {})),
                  ListStrings: serverStreaming(async function* () {
                    count();
                  }),
                  StreamingInputCall: clientStreaming(() => (count(), {})),
                  FullDuplexCall: bidi(async function* () {
                    count();
                  }),
                },
              }),
            )
          ).client,
        );
        const signal = AbortSignal.abort(new Error("no"));
        const clientRequests = channel<StreamingInputCallRequest>();
        const bidiRequests = channel<StreamingOutputCallRequest>();
        expect(isAbortError(await rejection(api.EmptyCall({}, { signal })))).toBe(true);
        expect(isAbortError((await collect(api.ListStrings({}, { signal }))).error)).toBe(true);
        expect(isAbortError(await rejection(api.StreamingInputCall(clientRequests, { signal })))).toBe(true);
        expect(isAbortError((await collect(api.FullDuplexCall(bidiRequests, { signal }))).error)).toBe(true);
        await sleep(20);
        expect(ran).toBe(0);
        // The channels were closed: nothing is left open (the setup file checks too), and pushing is refused.
        expect(clientRequests.push({})).toBe(false);
        expect(bidiRequests.push({})).toBe(false);
      });

      it("a stream stopped before its first next() never starts its call, and closes its request iterable", async () => {
        let ran = 0;
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: { ListStrings: () => void (ran += 1), FullDuplexCall: () => void (ran += 1) },
                adapters: {
                  ListStrings: serverStreaming(async function* () {
                    ran += 1;
                  }),
                  FullDuplexCall: bidi(async function* () {
                    ran += 1;
                  }),
                },
              }),
            )
          ).client,
        );
        await api.ListStrings({}).return();
        const requests = channel<StreamingOutputCallRequest>();
        await api.FullDuplexCall(requests).return();
        await sleep(20);
        expect(ran).toBe(0);
        expect(requests.push({})).toBe(false);
      });

      it("requests that throw: the call is cancelled and the caller gets their error, not CANCELLED", async () => {
        const api = asyncClient((await serve()).client);
        const failure = new Error("requests broke");
        async function* broken(): AsyncGenerator<never> {
          await sleep(1);
          throw failure;
        }
        expect(await rejection(api.StreamingInputCall(broken(), { deadline: deadlineIn(5000) }))).toBe(failure);
        expect((await collect(api.FullDuplexCall(broken(), { deadline: deadlineIn(5000) }))).error).toBe(failure);
      });

      it("the request iterable's finally has run when the call settles", async () => {
        const api = asyncClient((await serve()).client);
        let closed = false;
        async function* requests(): AsyncGenerator<StreamingInputCallRequest> {
          try {
            yield { payload: payload(2) };
            yield { payload: payload(3) };
          } finally {
            await sleep(5);
            closed = true;
          }
        }
        expect(await api.StreamingInputCall(requests())).toEqual({ aggregated_payload_size: 5 });
        expect(closed).toBe(true);
      });
    });

    describe("messages", () => {
      it(`request objects: ${d.sharesMessages ? "the handler gets the caller's very object (declared)" : "the handler gets a fresh object"}`, async () => {
        const seen = deferred<unknown>();
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  UnaryCall: (call, callback) => {
                    seen.resolve(call.request);
                    callback(null, {});
                  },
                },
                adapters: {
                  UnaryCall: unary((request) => {
                    seen.resolve(request);
                    return {};
                  }),
                },
              }),
            )
          ).client,
        );
        const request = { response_size: 1 };
        await api.UnaryCall(request);
        expect((await seen.promise) === request).toBe(d.sharesMessages);
      });

      it(`proto-loader defaults: ${d.normalisesMessages ? "applied, as on the wire" : "not applied (declared)"}`, async () => {
        const api = asyncClient((await serve()).client);
        const reply = await api.UnaryCall({ response_size: 0 });
        if (d.normalisesMessages) expect(reply).toMatchObject({ username: "", request_id: "0" });
        else expect(reply).not.toHaveProperty("username");
      });

      it(`max message sizes: ${d.enforcesMessageSizes ? "RESOURCE_EXHAUSTED with grpc-js's texts" : "not enforced without serialization (declared)"}`, async () => {
        const { client } = await serve({}, { client: { "grpc.max_receive_message_length": 1024 }, server: { "grpc.max_receive_message_length": 2048 } });
        const api = asyncClient(client);
        // Each outcome is caught at once: a rejection waiting for a later await would count as unhandled.
        const bigResponse = api.UnaryCall({ response_size: 4096 }).then(() => "resolved", (error: unknown) => error);
        const bigRequest = api.UnaryCall({ payload: payload(4096) }).then(() => "resolved", (error: unknown) => error);
        const bigStreamed = collect(api.StreamingOutputCall({ response_parameters: [{ size: 10 }, { size: 4096 }] }));
        if (d.enforcesMessageSizes) {
          expect(await bigResponse).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/^Received message larger than max \(\d+ vs 1024\)$/) });
          expect(await bigRequest).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/^Received message larger than max \(\d+ vs 2048\)$/) });
          // The response before the refused one may or may not arrive first over a socket: only the status is asserted.
          expect((await bigStreamed).error?.code).toBe(Status.RESOURCE_EXHAUSTED);
        } else {
          expect(await bigResponse).toBe("resolved");
          expect(await bigRequest).toBe("resolved");
          expect((await bigStreamed).error).toBeUndefined();
        }
      });
    });

    describe("a server whose definition differs from the client's", () => {
      const reshaped = (changes: Record<string, Partial<grpc.MethodDefinition<unknown, unknown>>>): grpc.ServiceDefinition => {
        const service: Record<string, grpc.MethodDefinition<unknown, unknown>> = { ...TestService.service };
        for (const [name, change] of Object.entries(changes)) service[name] = { ...(service[name] as grpc.MethodDefinition<unknown, unknown>), ...change };
        return service;
      };
      const path = (method: string): string => `/grpc.testing.TestService/${method}`;

      it(`a unary call answered by a streaming handler: none is "No message received", one is the answer, two ${d.tooManyResponses ? 'is "Too many responses received"' : "hang until the deadline (grpc-js 1.14)"}`, async () => {
        const write = (count: number) => (call: { write(m: unknown): unknown; end(): void }) => {
          for (let i = 0; i < count; i++) call.write({});
          call.end();
        };
        const counts = [0, 1, 2];
        const outcomes: unknown[] = [];
        for (const count of counts) {
          const { client } = await serve(
            byStyle(style, {
              plain: { EmptyCall: write(count) as unknown as TestServiceHandlers["EmptyCall"] },
              adapters: {
                EmptyCall: serverStreaming(async function* () {
                  for (let i = 0; i < count; i++) yield {};
                }) as unknown as TestServiceHandlers["EmptyCall"],
              },
            }),
            { serverService: reshaped({ EmptyCall: { responseStream: true } }) },
          );
          outcomes.push(await asyncClient(client).EmptyCall({}, { deadline: deadlineIn(shortDeadlineMs * 2) }).catch((error: grpc.ServiceError) => ({ code: error.code, details: error.details })));
        }
        expect(outcomes[0]).toEqual({ code: Status.UNIMPLEMENTED, details: "No message received" });
        expect(outcomes[1]).toEqual({});
        expect(outcomes[2]).toMatchObject(d.tooManyResponses ? { code: Status.UNIMPLEMENTED, details: "Too many responses received" } : { code: Status.DEADLINE_EXCEEDED });
      });

      it("a streaming caller answered by a single-request handler: none or two requests are UNIMPLEMENTED, the handler never runs", async () => {
        let ran = 0;
        const serverService = reshaped({ StreamingInputCall: { requestStream: false }, FullDuplexCall: { requestStream: false } });
        const handlers = byStyle(style, {
          plain: {
            StreamingInputCall: ((_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
              ran += 1;
              callback(null, { aggregated_payload_size: 1 });
            }) as unknown as TestServiceHandlers["StreamingInputCall"],
            FullDuplexCall: ((call: grpc.ServerWritableStream<unknown, unknown>) => {
              ran += 1;
              call.write({ payload: payload(2) });
              call.end();
            }) as unknown as TestServiceHandlers["FullDuplexCall"],
          },
          adapters: {
            StreamingInputCall: unary(() => ((ran += 1), { aggregated_payload_size: 1 })) as unknown as TestServiceHandlers["StreamingInputCall"],
            FullDuplexCall: serverStreaming(async function* () {
              ran += 1;
              yield { payload: payload(2) };
            }) as unknown as TestServiceHandlers["FullDuplexCall"],
          },
        });
        const api = asyncClient((await serve(handlers, { serverService })).client);
        const deadline = deadlineIn(5000);
        const none = (method: string): string => `Received no request message for server streaming method ${path(method)}`;
        const second = (method: string): string => `Received a second request message for server streaming method ${path(method)}`;
        expect(await rejection(api.StreamingInputCall([], { deadline }))).toMatchObject({ code: Status.UNIMPLEMENTED, details: none("StreamingInputCall") });
        expect(await rejection(api.StreamingInputCall([{}, {}], { deadline }))).toMatchObject({ code: Status.UNIMPLEMENTED, details: second("StreamingInputCall") });
        expect((await collect(api.FullDuplexCall([], { deadline }))).error).toMatchObject({ code: Status.UNIMPLEMENTED, details: none("FullDuplexCall") });
        expect((await collect(api.FullDuplexCall([{}, {}], { deadline }))).error).toMatchObject({ code: Status.UNIMPLEMENTED, details: second("FullDuplexCall") });
        expect(ran).toBe(0);
        expect(await api.StreamingInputCall([{}], { deadline })).toEqual({ aggregated_payload_size: 1 });
        expect((await collect(api.FullDuplexCall([{}], { deadline }))).values.map((v) => v.payload?.body?.length)).toEqual([2]);
        expect(ran).toBe(2);
      });

      it(`the server's serializers: ${d.normalisesMessages ? "one that throws is INTERNAL, with grpc-js's texts" : "not used without serialization (declared)"}`, async () => {
        const boom = (): never => {
          throw new Error("boom");
        };
        const serverService = reshaped({ EmptyCall: { responseSerialize: boom }, UnaryCall: { requestDeserialize: boom } });
        const api = asyncClient((await serve({}, { serverService })).client);
        const serializing = api.EmptyCall({});
        const deserializing = api.UnaryCall({ response_size: 1 });
        if (d.normalisesMessages) {
          expect(await rejection(serializing)).toMatchObject({ code: Status.INTERNAL, details: "Error serializing response" });
          expect(await rejection(deserializing)).toMatchObject({ code: Status.INTERNAL, details: "Error deserializing request" });
        } else {
          await expect(serializing).resolves.toEqual({});
          await expect(deserializing).resolves.toBeDefined();
        }
      });
    });

    describe("flow and leaks", () => {
      it("a fast producer and a slow reader: the handler never gets more than a bounded number ahead", async () => {
        let produced = 0;
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: {
                  ListStrings(call) {
                    const pump = (): void => {
                      while (produced < 200) {
                        produced += 1;
                        if (!call.write({ value: String(produced) })) return void call.once("drain", pump);
                      }
                      call.end();
                    };
                    pump();
                  },
                },
                adapters: {
                  ListStrings: serverStreaming(async function* () {
                    while (produced < 200) {
                      produced += 1;
                      yield { value: String(produced) };
                    }
                  }),
                },
              }),
            )
          ).client,
        );
        let read = 0;
        let maxAhead = 0;
        for await (const _ of api.ListStrings({})) {
          read += 1;
          maxAhead = Math.max(maxAhead, produced - read);
          if (read % 10 === 0) await sleep(1);
        }
        expect(read).toBe(200);
        // Over a socket the kernel's buffers and HTTP/2 windows hold more; every path stays bounded.
        expect(maxAhead).toBeLessThan(d.transportHeaders ? 200 : 70);
      });

      it("an open call is listed by openBridges(), with its method path; nothing is left once it ends", async () => {
        const release = deferred();
        const api = asyncClient(
          (
            await serve(
              byStyle(style, {
                plain: { EmptyCall: (_call, callback) => void release.promise.then(() => callback(null, {})) },
                adapters: { EmptyCall: unary(async () => (await release.promise, {})) },
              }),
            )
          ).client,
        );
        const pending = api.EmptyCall({});
        await sleep(10);
        expect(openBridges().some((b) => b.name === "/grpc.testing.TestService/EmptyCall")).toBe(d.transportHeaders ? false : true);
        release.resolve();
        await pending;
        expect(openBridges().filter((b) => b.name.startsWith("/grpc.testing"))).toEqual([]);
      });
    });
  });
}

export { defineAsyncConformanceSuite };
export type { Style };
