// What only the direct path does (asyncClient over an in-process client): which calls take it, the
// iter.Pull rhythm (the handler runs as the caller pulls), stop and cancellation timing, leak reports, and the
// plain handlers' server call objects (the fast write lane, 'drain', pipeline). Behaviour shared with every
// other path is in async-conformance-suite.ts.
import { Readable, pipeline } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { batches, openBridges } from "../../src/core/index.js";
import { asyncClient, bidi, clientStreaming, createInProcessClient, serverStreaming, unary } from "../../src/grpc/index.js";
import type { GrpcError } from "../../src/grpc/index.js";
import { deferred } from "./call-helpers.js";
import { interopHandlers } from "./fixtures/interop-handlers.js";
import { TestService } from "./fixtures/test-service.js";
import type { ListStringsRequest, ListStringsResponse, TestServiceHandlers } from "./fixtures/test-service.js";

const { status: Status } = grpc;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function serve(handlers: TestServiceHandlers, options?: Parameters<typeof createInProcessClient>[2]) {
  const client = createInProcessClient(TestService, { ...interopHandlers, ...handlers }, options);
  return { client, api: asyncClient(client) };
}

describe("direct path: which calls take it", () => {
  // A handler called inside the caller's own call (before it returns) is the direct path; grpc-js's call objects
  // always start the handler on a later tick.
  const runsInline = (options?: Parameters<typeof createInProcessClient>[2], callOptions?: grpc.CallOptions) => {
    let ran = false;
    const { client, api } = serve({ EmptyCall: unary(() => ((ran = true), {})) }, options);
    const pending = api.EmptyCall({}, callOptions === undefined ? {} : { callOptions });
    const inline = ran;
    return { inline, pending, client };
  };

  it("asyncClient over an in-process client runs the handler inside the call", async () => {
    const { inline, pending } = runsInline();
    expect(inline).toBe(true);
    await expect(pending).resolves.toEqual({});
  });

  it("client interceptors, interceptor providers, a call transformer, call credentials and direct: false keep grpc-js's call objects", async () => {
    const seen: string[] = [];
    const interceptor: grpc.Interceptor = (options, nextCall) => (seen.push("interceptor"), new grpc.InterceptingCall(nextCall(options)));
    const cases = [
      runsInline({ interceptors: [interceptor] }),
      runsInline({ interceptor_providers: [() => interceptor] }),
      runsInline({ callInvocationTransformer: (properties) => properties }),
      runsInline({ direct: false }),
      runsInline(undefined, { interceptors: [interceptor] }),
      runsInline(undefined, { credentials: grpc.credentials.createFromMetadataGenerator((_options, callback) => callback(null, new grpc.Metadata())) }),
    ];
    expect(cases.map((c) => c.inline)).toEqual([false, false, false, false, false, false]);
    for (const c of cases) await expect(c.pending).resolves.toEqual({});
    expect(seen).toEqual(["interceptor", "interceptor", "interceptor"]);
  });

  it("server interceptors run on the direct path (the handler then runs on its server call object)", async () => {
    const paths: string[] = [];
    const tagging: grpc.ServerInterceptor = (method, call) =>
      new grpc.ServerInterceptingCall(call, {
        start(next) {
          paths.push(method.path);
          next({});
        },
        sendMetadata(metadata, next) {
          metadata.set("x-intercepted", "yes");
          next(metadata);
        },
      });
    const { api } = serve({ EmptyCall: unary(() => ({})) }, { server: { interceptors: [tagging] } });
    let headers: grpc.Metadata | undefined;
    await api.EmptyCall({}, { onHeader: (h) => (headers = h) });
    expect(paths).toEqual(["/grpc.testing.TestService/EmptyCall"]);
    expect(headers?.get("x-intercepted")).toEqual(["yes"]);
  });

  it("a closed client's calls fail as grpc-js's do", async () => {
    const { client, api } = serve({});
    client.close();
    await expect(api.EmptyCall({})).rejects.toThrow("Channel has been shut down");
  });
});

describe("direct path: the handler runs as the caller pulls (iter.Pull)", () => {
  it("a serverStreaming generator is resumed once per next(): never ahead of the caller", async () => {
    let produced = 0;
    const { api } = serve({
      ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* () {
        for (;;) {
          produced += 1;
          yield { value: String(produced) };
        }
      }),
    });
    const stream = api.ListStrings({});
    await sleep(5);
    expect(produced).toBe(0); // streaming calls start on the first next()
    const seen: string[] = [];
    for await (const response of stream) {
      seen.push(response.value ?? "");
      await sleep(1);
      expect(produced).toBe(seen.length);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual(["1", "2", "3", "4", "5"]);
    expect(produced).toBe(5);
  });

  it("concurrent next() calls are served in call order, one handler step at a time", async () => {
    let active = 0;
    let maxActive = 0;
    const { api } = serve({
      ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* () {
        for (let i = 0; i < 6; i++) {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await sleep(1);
          active -= 1;
          yield { value: String(i) };
        }
      }),
    });
    const stream = api.ListStrings({}, { deadline: Date.now() + 5000 });
    const results = await Promise.all(Array.from({ length: 8 }, () => stream.next()));
    expect(results.map((r) => (r.done === true ? "done" : r.value.value))).toEqual(["0", "1", "2", "3", "4", "5", "done", "done"]);
    expect(maxActive).toBe(1);
  });

  it("return() resolves once the generator's finally has run (it was paused at a yield)", async () => {
    const log: string[] = [];
    const { api } = serve({
      ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* (_request, ctx) {
        try {
          for (;;) yield { value: "x" };
        } finally {
          await sleep(5);
          log.push(`finally:${(ctx.signal.reason as GrpcError).code}`);
        }
      }),
    });
    const stream = api.ListStrings({});
    await stream.next();
    await stream.return();
    log.push("returned");
    expect(log).toEqual([`finally:${Status.CANCELLED}`, "returned"]);
  });

  it("a stop while the handler is busy in an await settles the pending next() at once; the handler stops when its await does", async () => {
    const release = deferred();
    const stopped = deferred<boolean>();
    const { api } = serve({
      ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* (_request, ctx) {
        try {
          yield { value: "first" };
          await release.promise; // ignores ctx.signal on purpose
          yield { value: "never seen" };
        } finally {
          stopped.resolve(ctx.signal.aborted);
        }
      }),
    });
    // A signal makes every next() cancellable while the handler is busy.
    const stream = api.ListStrings({}, { signal: new AbortController().signal });
    expect((await stream.next()).value).toEqual({ value: "first" });
    const pending = stream.next();
    await sleep(5);
    await stream.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    release.resolve();
    expect(await stopped.promise).toBe(true);
  });

  it("a deadline settles the pending next() with DEADLINE_EXCEEDED even while the handler ignores its signal", async () => {
    const release = deferred();
    const { api } = serve({
      ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* () {
        await release.promise;
      }),
    });
    const outcome = await api
      .ListStrings({}, { deadline: Date.now() + 50 })
      .next()
      .catch((error: unknown) => error);
    expect(outcome).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    release.resolve();
  });

  it("nextBatch() gives one response per batch for a pulled handler, and everything buffered for a writing one", async () => {
    const { api } = serve({
      ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* ({ count = 0 }) {
        for (let i = 0; i < count; i++) yield { value: String(i) };
      }),
    });
    const pulled: number[] = [];
    for await (const batch of batches(api.ListStrings({ count: 5 }))) pulled.push(batch.length);
    expect(pulled).toEqual([1, 1, 1, 1, 1]);
    const writing = serve({});
    const written: number[] = [];
    for await (const batch of batches(writing.api.ListStrings({ count: 40, size: 1 }))) written.push(batch.length);
    expect(written.reduce((a, b) => a + b, 0)).toBe(40);
    expect(written.length).toBeLessThan(10);
  });

  it("bidi: the handler reads the caller's requests as it pulls them; stopping the responses closes the requests", async () => {
    let closed = false;
    async function* requests(): AsyncGenerator<{ response_parameters: { size: number }[] }> {
      try {
        for (let i = 1; ; i++) yield { response_parameters: [{ size: i }] };
      } finally {
        closed = true;
      }
    }
    const { api } = serve({
      FullDuplexCall: bidi(async function* (reqs) {
        for await (const request of reqs) yield { payload: { body: Buffer.alloc(request.response_parameters?.[0]?.size ?? 0) } };
      }),
    });
    const sizes: number[] = [];
    for await (const response of api.FullDuplexCall(requests())) if (sizes.push(response.payload?.body?.length ?? -1) === 3) break;
    expect(sizes).toEqual([1, 2, 3]);
    expect(closed).toBe(true);
  });
});

describe("direct path: handler context", () => {
  it("ctx.call has a server call's accessors and events, and can be a parent", async () => {
    const seen = deferred<Record<string, unknown>>();
    const childDone = deferred<unknown>();
    const cancelled = deferred<boolean>();
    const holder: { api?: ReturnType<typeof serve>["api"] } = {};
    const { api } = serve({
      EmptyCall: unary(() => ({})),
      UnaryCall: unary(async (request, ctx) => {
        ctx.call.on("cancelled", () => cancelled.resolve(ctx.call.cancelled));
        seen.resolve({ path: ctx.call.getPath(), peer: ctx.call.getPeer(), host: ctx.call.getHost(), request: ctx.call.request === request, auth: ctx.call.getAuthContext() });
        await holder.api?.EmptyCall({}, { callOptions: { parent: ctx.call } }).then(childDone.resolve, childDone.resolve);
        return {};
      }),
    });
    holder.api = api;
    await api.UnaryCall({ response_size: 1 }, { deadline: Date.now() + 5000 });
    expect(await seen.promise).toEqual({ path: "/grpc.testing.TestService/UnaryCall", peer: "in-process", host: "in-process", request: true, auth: {} });
    expect(await childDone.promise).toEqual({});
    expect(await cancelled.promise).toBe(true);
  });

  it("clientStreaming: requests is a grpc-requests bridge that the adapter stops when the handler returns early", async () => {
    const kinds = deferred<string[]>();
    const { api } = serve({
      StreamingInputCall: clientStreaming(async (requests) => {
        kinds.resolve(openBridges().map((b) => b.kind));
        for await (const _ of requests) break;
        return { aggregated_payload_size: -1 };
      }),
    });
    const endless = (async function* () {
      for (;;) yield {};
    })();
    expect(await api.StreamingInputCall(endless)).toEqual({ aggregated_payload_size: -1 });
    expect(await kinds.promise).toContain("grpc-requests");
  });
});

describe("direct path: leaks", () => {
  it("an open call is listed with its kind, name and state, and stopped by the leak check", async () => {
    const { api } = serve({
      ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* () {
        yield { value: "a" };
      }),
    });
    const stream = api.ListStrings({});
    const listed = openBridges().find((b) => b.name === "/grpc.testing.TestService/ListStrings");
    expect(listed).toMatchObject({ kind: "grpc-responses", phase: "not started" });
    expect(listed?.state).toMatch(/never started/);
    await stream.next();
    expect(openBridges().find((b) => b.name === "/grpc.testing.TestService/ListStrings")?.state).toMatch(/paused at a yield/);
    await stream.return();
    expect(openBridges().filter((b) => b.name.startsWith("/grpc.testing"))).toEqual([]);
  });

  it("a direct call abandoned while open is reported by the GC backstop", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc).toBeTypeOf("function");
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.message);
    process.on("warning", onWarning);
    try {
      const { api } = serve({
        ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* () {
          for (;;) yield { value: "a" };
        }),
      });
      await (async () => {
        const abandoned = api.ListStrings({});
        await abandoned.next(); // open, the generator paused at a yield, then dropped
      })();
      for (let i = 0; i < 20 && warnings.length === 0; i++) {
        await sleep(20);
        gc?.();
      }
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.some((w) => w.includes('grpc-responses "/grpc.testing.TestService/ListStrings" was garbage-collected while open'))).toBe(true);
    // The leak assertions take the reports; this test made one on purpose.
    const { takeCollectedLeaks } = await import("../../src/core/registry.js");
    takeCollectedLeaks();
  });
});

describe("direct path: plain handlers' server call objects", () => {
  it("write() is false once 16 responses wait unread and 'drain' follows as the caller reads", async () => {
    const counts = deferred<{ untilFalse: number; drained: boolean }>();
    const { api } = serve({
      ListStrings(call) {
        let untilFalse = 0;
        while (call.write({ value: String(untilFalse) })) untilFalse += 1;
        untilFalse += 1;
        call.once("drain", () => {
          counts.resolve({ untilFalse, drained: true });
          call.end();
        });
      },
    });
    let read = 0;
    for await (const _ of api.ListStrings({})) read += 1;
    // The first write went straight to the caller's waiting next(); 16 more wait unread when write() says false.
    expect(await counts.promise).toEqual({ untilFalse: 17, drained: true });
    expect(read).toBe(17);
  });

  it("with a highWaterMark of 100, write() is false once 100 responses wait unread", async () => {
    const untilFalse = deferred<number>();
    const { api } = serve({
      ListStrings(call) {
        let writes = 1;
        while (call.write({ value: String(writes) })) writes += 1;
        untilFalse.resolve(writes);
        call.once("drain", () => call.end());
      },
    });
    let read = 0;
    for await (const _ of api.ListStrings({}, { highWaterMark: 100 })) read += 1;
    expect(await untilFalse.promise).toBe(101); // the first went straight to the waiting next()
    expect(read).toBe(101);
  });

  it("write callbacks, cork and pipe/pipeline from a Readable still work (they take the Writable's own path)", async () => {
    const callbacks: number[] = [];
    const { api } = serve({
      ListStrings(call) {
        call.write({ value: "cb" }, () => callbacks.push(1));
        call.cork();
        call.write({ value: "corked" });
        call.uncork();
        pipeline(Readable.from([{ value: "p1" }, { value: "p2" }]), call as unknown as NodeJS.WritableStream, (error: Error | null) => {
          if (error) call.emit("error", { code: Status.INTERNAL, details: String(error) });
        });
      },
    });
    const values: string[] = [];
    for await (const response of api.ListStrings({})) values.push(response.value ?? "");
    expect(values).toEqual(["cb", "corked", "p1", "p2"]);
    expect(callbacks).toEqual([1]);
  });

  it("a plain client-streaming handler reads the caller's iterable through its Readable (data, end, for await)", async () => {
    const { api } = serve({
      StreamingInputCall: (call, callback) => {
        const read = async (): Promise<void> => {
          let total = 0;
          for await (const request of call as AsyncIterable<{ payload?: { body?: Buffer } }>) total += request.payload?.body?.length ?? 0;
          callback(null, { aggregated_payload_size: total });
        };
        void read();
      },
    });
    expect(await api.StreamingInputCall([{ payload: { body: Buffer.alloc(3) } }, { payload: { body: Buffer.alloc(4) } }])).toEqual({ aggregated_payload_size: 7 });
  });

  it("a unary handler answering twice: the second answer is ignored, as grpc-js's callback does", async () => {
    const { api } = serve({
      EmptyCall: (_call, callback) => {
        callback(null, {});
        callback(null, {});
      },
    });
    await expect(api.EmptyCall({})).resolves.toEqual({});
  });
});
