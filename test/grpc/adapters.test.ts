// Adapters (docs/semantics.md): handler adapters and client helpers, on the oracle (grpc-js over TCP) and in-process.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, openBridges } from "../../src/core/index.js";
import { GrpcError, asyncClient, bidi, clientStreaming, createPipeChannel, responses, sendAll, serverStreaming, unary } from "../../src/grpc/index.js";
import { deferred, settleStream, settleUnary } from "./call-helpers.js";
import { adapterHandlers } from "./fixtures/adapter-handlers.js";
import type { ListStringsResponse, StreamingInputCallRequest, TestServiceHandlers } from "./fixtures/test-service.js";
import { inProcess, pipe, tcp } from "./transports.js";
import type { Transport } from "./transports.js";

const { status: Status } = grpc;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function trailer(key: string, value: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(key, value);
  return md;
}

for (const transport of [tcp, pipe, inProcess("share")] as Transport[]) {
  describe(`adapters on ${transport.name}`, () => {
    const serve = (handlers: TestServiceHandlers) => transport.serve({ ...adapterHandlers, ...handlers });
    afterEach(async () => {
      await transport.closeAll();
    });

    it("a GrpcError becomes the status, with its metadata and ctx.trailers; OK carries ctx.trailers", async () => {
      const { client } = await serve({
        EmptyCall: unary(async (_request, ctx) => {
          ctx.trailers.set("x-from-ctx", "1");
          if (ctx.metadata.get("x-fail").length > 0) throw new GrpcError(Status.NOT_FOUND, "gone", trailer("x-from-error", "2"));
          return {};
        }),
      });
      const ok = await settleUnary((cb) => client.EmptyCall({}, cb));
      expect(ok.error).toBeNull();
      expect(ok.status.metadata.get("x-from-ctx")).toEqual(["1"]);
      const failed = await settleUnary((cb) => client.EmptyCall({}, trailer("x-fail", "1"), cb));
      expect(failed.error).toMatchObject({ code: Status.NOT_FOUND, details: "gone", message: "5 NOT_FOUND: gone" });
      expect(failed.status.metadata.get("x-from-ctx")).toEqual(["1"]);
      expect(failed.status.metadata.get("x-from-error")).toEqual(["2"]);
    });

    it("any other throw or rejection is UNKNOWN 'Unknown error' on every shape (no hang)", async () => {
      const boom = (): never => {
        throw new Error("secret");
      };
      const { client } = await serve({
        EmptyCall: unary(() => boom()),
        ListStrings: serverStreaming(async function* () {
          yield { value: "a" };
          yield { value: "b" };
          boom();
        }),
        StreamingInputCall: clientStreaming(async () => {
          await sleep(1);
          return boom();
        }),
        FullDuplexCall: bidi(async function* () {
          yield* [];
          boom();
        }),
      });
      const deadline = Date.now() + 5000;
      const u = await settleUnary((cb) => client.EmptyCall({}, { deadline }, cb));
      const s = await settleStream(client.ListStrings({}, { deadline }));
      const c = await settleUnary((cb) => client.StreamingInputCall({ deadline }, cb), (call) => call.end());
      const duplex = client.FullDuplexCall({ deadline });
      const b = settleStream(duplex);
      duplex.end();
      for (const error of [u.error, s.error, c.error, (await b).error]) expect(error).toMatchObject({ code: Status.UNKNOWN, details: "Unknown error" });
      expect(s.messages).toEqual([{ value: "a" }, { value: "b" }]);
    });

    it("client cancel: the generator's finally runs and ctx.signal aborts with CANCELLED", async () => {
      const observed = deferred<{ finallyRan: boolean; reason: unknown }>();
      const { client } = await serve({
        ListStrings: serverStreaming(async function* (_request, ctx) {
          try {
            for (let i = 0; ; i++) {
              yield { value: String(i) };
              await sleep(1);
            }
          } finally {
            observed.resolve({ finallyRan: true, reason: ctx.signal.reason });
          }
        }),
      });
      const call = client.ListStrings({});
      const settled = settleStream(call);
      await new Promise((resolve) => call.once("data", resolve));
      call.cancel();
      expect((await settled).error?.code).toBe(Status.CANCELLED);
      const { finallyRan, reason } = await observed.promise;
      expect(finallyRan).toBe(true);
      expect(reason).toBeInstanceOf(GrpcError);
      expect((reason as GrpcError).code).toBe(Status.CANCELLED);
    });

    it("deadline: ctx.signal aborts (DEADLINE_EXCEEDED in-process; over the wire the caller's own timer may win: CANCELLED)", async () => {
      const seen = deferred<{ reason: unknown; requestsError: unknown }>();
      const { client } = await serve({
        FullDuplexCall: bidi(async function* (requests, ctx) {
          let requestsError: unknown;
          try {
            for await (const request of requests) void request;
          } catch (error) {
            requestsError = error;
          }
          if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          seen.resolve({ reason: ctx.signal.reason, requestsError });
          yield* [];
        }),
      });
      const call = client.FullDuplexCall({ deadline: Date.now() + 150 });
      const settled = settleStream(call);
      call.write({});
      expect((await settled).error?.code).toBe(Status.DEADLINE_EXCEEDED);
      const { reason, requestsError } = await seen.promise;
      expect(reason).toBeInstanceOf(GrpcError);
      if (transport.name.startsWith("in-process")) {
        expect((reason as GrpcError).code).toBe(Status.DEADLINE_EXCEEDED);
        expect((requestsError as GrpcError).code).toBe(Status.CANCELLED);
      } else {
        // The caller's deadline timer usually fires first and resets the stream: the server sees a cancel.
        expect([Status.DEADLINE_EXCEEDED, Status.CANCELLED]).toContain((reason as GrpcError).code);
        // grpc-js may end the request stream on a reset instead of failing it (see docs/grpc.md).
        if (requestsError !== undefined) expect((requestsError as GrpcError).code).toBe(Status.CANCELLED);
      }
    });

    it("a generator faster than its client: never more than 16 responses pending in the call", async () => {
      const count = 2000;
      const pending: number[] = [];
      const { client } = await serve({
        ListStrings: serverStreaming(async function* (_request, ctx) {
          for (let i = 0; i < count; i++) {
            pending.push(ctx.call.writableLength);
            yield { value: "x".repeat(100) };
          }
        }),
      });
      let read = 0;
      for await (const message of responses(client.ListStrings({}))) {
        expect(message).toEqual({ value: "x".repeat(100) });
        read += 1;
        if (read % 200 === 0) await sleep(5); // a slow reader, now and then
      }
      expect(read).toBe(count);
      expect(Math.max(...pending)).toBeLessThanOrEqual(16);
    });

    it("regression: a reader that starts late gets every message (the trailers arrive before the buffered data is read)", async () => {
      const { client } = await serve({});
      const call = client.ListStrings({ count: 200, size: 100 });
      await sleep(100); // everything, trailers included, arrives while nobody reads
      let read = 0;
      for await (const message of responses(call)) if (message.value?.length === 100) read += 1;
      expect(read).toBe(200);
    });

    it("handlers may stop reading requests early (break) and still answer", async () => {
      const { client } = await serve({
        StreamingInputCall: clientStreaming(async (requests) => {
          let n = 0;
          for await (const request of requests) {
            void request;
            if (++n === 2) break;
          }
          return { aggregated_payload_size: n };
        }),
        FullDuplexCall: bidi(async function* (requests) {
          for await (const request of requests) {
            yield { payload: request.payload ?? null };
            break;
          }
          yield { payload: null };
        }),
      });
      const c = await settleUnary(
        (cb) => client.StreamingInputCall(cb),
        (call) => {
          for (let i = 0; i < 5; i++) call.write({});
          call.end();
        },
      );
      expect(c.value).toEqual({ aggregated_payload_size: 2 });
      const duplex = client.FullDuplexCall();
      const b = settleStream(duplex);
      duplex.write({});
      duplex.write({});
      duplex.end();
      expect((await b).messages).toHaveLength(2);
      expect((await b).status?.code).toBe(Status.OK);
    });

    it("responses(): break cancels the call — the server sees 'cancelled' at once and its generator's finally ran (grpc-node#1238 fixed)", async () => {
      const server = deferred<{ cancelled: boolean; finallyRan: boolean; afterMs: number }>();
      const { client } = await serve({
        ListStrings: serverStreaming(async function* (_request, ctx) {
          const start = Date.now();
          try {
            for (let i = 0; ; i++) yield { value: String(i) };
          } finally {
            server.resolve({ cancelled: ctx.call.cancelled, finallyRan: true, afterMs: Date.now() - start });
          }
        }),
      });
      const values: string[] = [];
      for await (const message of responses(client.ListStrings({}, { deadline: Date.now() + 10_000 }))) {
        values.push(message.value ?? "");
        if (values.length === 3) break;
      }
      expect(values).toEqual(["0", "1", "2"]);
      const seen = await server.promise;
      expect(seen).toMatchObject({ cancelled: true, finallyRan: true });
      expect(seen.afterMs).toBeLessThan(5_000);
    });

    it("responses(): a failed call throws its ServiceError after the messages before it", async () => {
      const { client } = await serve({
        ListStrings: serverStreaming(async function* () {
          yield { value: "a" };
          throw new GrpcError(Status.DATA_LOSS, "lost");
        }),
      });
      const seen: string[] = [];
      const read = async (): Promise<void> => {
        for await (const message of responses(client.ListStrings({}))) seen.push(message.value ?? "");
      };
      await expect(read()).rejects.toMatchObject({ code: Status.DATA_LOSS, details: "lost", message: "15 DATA_LOSS: lost" });
      expect(seen).toEqual(["a"]);
    });

    it("sendAll(): writes with backpressure and half-closes; a throwing iterable cancels the call and rejects", async () => {
      const { client } = await serve({});
      const result = deferred<{ error: grpc.ServiceError | null; value: unknown }>();
      const call = client.StreamingInputCall((error, value) => result.resolve({ error, value }));
      const sizes = Array.from({ length: 100 }, (_, i) => i);
      await sendAll(
        call,
        (async function* () {
          for (const size of sizes) yield { payload: { body: Buffer.alloc(size) } } satisfies StreamingInputCallRequest;
        })(),
      );
      expect(await result.promise).toEqual({ error: null, value: { aggregated_payload_size: sizes.reduce((a, b) => a + b, 0) } });

      const failed = deferred<grpc.ServiceError | null>();
      const failing = client.StreamingInputCall((error) => failed.resolve(error));
      const oops = new Error("source failed");
      await expect(
        sendAll(
          failing,
          (async function* () {
            yield {};
            throw oops;
          })(),
        ),
      ).rejects.toBe(oops);
      expect((await failed.promise)?.code).toBe(Status.CANCELLED);
    });

    describe("asyncClient", () => {
      it("all four shapes, with metadata, deadline and trailers", async () => {
        const { client } = await serve({});
        const api = asyncClient(client);
        const md = trailer("x-grpc-test-echo-initial", "hi");
        expect(await api.UnaryCall({ response_size: 3 }, { metadata: md, deadline: Date.now() + 5000 })).toMatchObject({ payload: { body: Buffer.alloc(3) } });
        expect(await api.EmptyCall({})).toEqual({});
        const listed: ListStringsResponse[] = [];
        for await (const message of api.ListStrings({ count: 3, size: 2 })) listed.push(message);
        expect(listed).toEqual([{ value: "xx" }, { value: "xx" }, { value: "xx" }]);
        expect(await api.StreamingInputCall([{ payload: { body: Buffer.alloc(4) } }, { payload: { body: Buffer.alloc(6) } }])).toEqual({
          aggregated_payload_size: 10,
        });
        const sizes: number[] = [];
        for await (const message of api.FullDuplexCall([{ response_parameters: [{ size: 1 }, { size: 2 }] }, { response_parameters: [{ size: 3 }] }])) {
          sizes.push(message.payload?.body?.length ?? -1);
        }
        expect(sizes).toEqual([1, 2, 3]);
      });

      it("errors are the call's ServiceError; an iterable's own error wins over the CANCELLED it causes", async () => {
        const { client } = await serve({});
        const api = asyncClient(client);
        await expect(api.UnaryCall({ response_status: { code: Status.ABORTED, message: "no" } })).rejects.toMatchObject({ code: Status.ABORTED, details: "no" });
        await expect(api.UnimplementedCall({})).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
        const read = async (requests: AsyncIterable<object> | Iterable<object>): Promise<void> => {
          for await (const message of api.FullDuplexCall(requests)) void message;
        };
        await expect(read([{ response_status: { code: Status.OUT_OF_RANGE, message: "far" } }])).rejects.toMatchObject({ code: Status.OUT_OF_RANGE });
        const oops = new Error("requests failed");
        const failing = async function* (): AsyncGenerator<object> {
          yield {};
          throw oops;
        };
        await expect(read(failing())).rejects.toBe(oops);
        await expect(api.StreamingInputCall(failing())).rejects.toBe(oops);
      });

      it("aborting the signal cancels the call (the handler sees it) and rejects with an AbortError", async () => {
        const handlerSignals: AbortSignal[] = [];
        const { client } = await serve({
          EmptyCall: unary(async (_request, ctx) => {
            handlerSignals.push(ctx.signal);
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            return {};
          }),
          ListStrings: serverStreaming(async function* (_request, ctx) {
            handlerSignals.push(ctx.signal);
            yield { value: "first" };
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          }),
        });
        const api = asyncClient(client);
        const controller = new AbortController();
        const pending = api.EmptyCall({}, { signal: controller.signal });
        await sleep(20);
        controller.abort(new Error("enough"));
        await expect(pending).rejects.toMatchObject({ name: "AbortError", cause: new Error("enough") });

        const streamController = new AbortController();
        const stream = api.ListStrings({}, { signal: streamController.signal });
        expect(await stream.next()).toEqual({ done: false, value: { value: "first" } });
        const next = stream.next();
        streamController.abort(new Error("stop"));
        await expect(next).rejects.toMatchObject({ name: "AbortError" });
        await stream.return();
        await sleep(50);
        expect(handlerSignals.map((s) => s.aborted)).toEqual([true, true]);
      });

      it("a stream that is stopped before its first next() never starts its call", async () => {
        let calls = 0;
        const { client } = await serve({
          ListStrings: serverStreaming(async function* () {
            calls += 1;
            yield* [];
          }),
        });
        const stream = asyncClient(client).ListStrings({});
        expect(openBridges().some((b) => b.name === "/grpc.testing.TestService/ListStrings")).toBe(true);
        await stream.return();
        await sleep(20);
        expect(calls).toBe(0);
      });
    });
  });
}

describe("asyncClient: TCP and in-process give the same results", () => {
  afterEach(async () => {
    await tcp.closeAll();
    await inProcess("serialize").closeAll();
  });

  it("same values and same errors for every shape", async () => {
    const run = async (transport: Transport): Promise<unknown[]> => {
      const { client } = await transport.serve(adapterHandlers);
      const api = asyncClient(client);
      const out: unknown[] = [];
      out.push(await api.UnaryCall({ response_size: 5, request_id: "7" }));
      out.push(await api.UnaryCall({ response_status: { code: 9, message: "pre" } }).catch((e: grpc.ServiceError) => [e.code, e.details, e.message]));
      const listed: unknown[] = [];
      for await (const m of api.ListStrings({ count: 20, size: 3 })) listed.push(m);
      out.push(listed);
      out.push(await api.StreamingInputCall([{ payload: { body: Buffer.alloc(5) } }, {}]));
      const echoed: unknown[] = [];
      for await (const m of api.FullDuplexCall([{ response_parameters: [{ size: 2 }] }, { response_parameters: [{ size: 0 }] }])) echoed.push(m);
      out.push(echoed);
      return out;
    };
    const [overTcp, local] = await Promise.all([run(tcp), run(inProcess("serialize"))]);
    expect(local).toEqual(overTcp);
  });
});

describe("argument checks (error classes)", () => {
  it("GrpcError keeps stable fields and refuses OK or a non-integer code", () => {
    const md = new grpc.Metadata();
    const error = new GrpcError(Status.NOT_FOUND, "gone", md);
    expect(error).toMatchObject({ name: "GrpcError", code: Status.NOT_FOUND, details: "gone", metadata: md, message: "5 NOT_FOUND: gone" });
    expect(() => new GrpcError(Status.OK, "fine")).toThrow("Expected `code` to be a grpc status code other than OK (1–16), got 0");
    expect(() => new GrpcError(2.5 as grpc.status)).toThrow(TypeError);
  });

  it("adapters and helpers say what they expected", () => {
    expect(() => unary(undefined as never)).toThrow("Expected `handler` to be a function, got undefined");
    expect(() => asyncClient({} as grpc.Client)).toThrow(/Expected `client` to be a grpc-js client/);
    expect(() => responses({} as never)).toThrow(/Expected `call` to be a grpc-js ClientReadableStream/);
    expect(() => createPipeChannel({} as grpc.Server)).toThrow(/Expected `server` to be a grpc-js Server/);
  });
});

describe("asyncClient's options are checked before a call starts, on every path", () => {
  for (const transport of [tcp, inProcess("share", { direct: false }), inProcess("share")] as Transport[]) {
    it(`${transport.name}: a wrong signal, metadata, deadline, callOptions or callback throws InvalidArgumentError, and nothing starts`, async () => {
      let ran = 0;
      const count = (): void => void (ran += 1);
      const { client } = await transport.serve({ ...adapterHandlers, EmptyCall: count, ListStrings: count, StreamingInputCall: count, FullDuplexCall: count });
      try {
        const api = asyncClient(client);
        const wrong: Array<[string, unknown]> = [
          ["options", null],
          ["options.signal", { signal: {} }],
          ["options.signal", { signal: { aborted: false, addEventListener() {} } }],
          ["options.metadata", { metadata: () => {} }],
          ["options.metadata", { metadata: { a: "b" } }],
          ["options.deadline", { deadline: 10n }],
          ["options.deadline", { deadline: Symbol("d") }],
          ["options.deadline", { deadline: Number.NaN }],
          ["options.deadline", { deadline: new Date(Number.NaN) }],
          ["options.callOptions.deadline", { callOptions: { deadline: "soon" } }],
          ["options.callOptions", { callOptions: 5 }],
          ["options.onHeader", { onHeader: 5 }],
          ["options.onTrailer", { onTrailer: "x" }],
          ["options.highWaterMark", { highWaterMark: 0 }],
          ["options.highWaterMark", { highWaterMark: 1.5 }],
        ];
        for (const [name, options] of wrong) {
          const calls: Array<() => unknown> = [
            () => api.EmptyCall({}, options as never),
            () => api.ListStrings({}, options as never),
            () => api.StreamingInputCall([], options as never),
            () => api.FullDuplexCall([], options as never),
          ];
          for (const call of calls) {
            let thrown: unknown;
            try {
              call();
            } catch (error) {
              thrown = error;
            }
            expect(thrown, `${name}: ${String(options)}`).toBeInstanceOf(InvalidArgumentError);
            expect((thrown as Error).message).toContain(`\`${name}\``);
          }
        }
        await sleep(20);
        expect(ran).toBe(0);
        expect(openBridges().filter((b) => b.name.startsWith("/grpc.testing"))).toEqual([]);
      } finally {
        await transport.closeAll();
      }
    });
  }
});
