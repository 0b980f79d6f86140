// Defects the public-API fuzz test (public-api.fuzz.test.ts, its `sluice/grpc` entries in grpc.ts) found in
// `sluice/grpc`, each kept as a named regression example after its fix.
import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, onTestFinished, test } from "vitest";
import { channel, openBridges } from "../../src/core/index.js";
import { GrpcError, asyncClient, bidi, clientStreaming, createInProcessClient, createPipeChannel, responses, sendAll, serverStreaming, unary } from "../../src/grpc/index.js";
import { FuzzClient, fuzzService } from "./grpc.js";

const invalid = (name: string) =>
  expect.objectContaining({ name: "InvalidArgumentError", code: "ERR_SLUICE_INVALID_ARGUMENT", message: expect.stringContaining(`Expected \`${name}\` to be`) });

/** A proxy whose every trap throws. */
const hostile = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error("trap");
      },
      getPrototypeOf() {
        throw new Error("trap");
      },
    },
  );

type Method = (first: unknown, options?: unknown) => Promise<unknown> & AsyncIterableIterator<unknown>;
type Api = Record<"Unary" | "Stream" | "Collect" | "Chat", Method>;

const clients: grpc.Client[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** An in-process client of the fuzz service (Unary, Stream, Collect, Chat) and its asyncClient. */
function serve(implementation: object, options: object = {}): { client: grpc.Client; api: Api } {
  const client = createInProcessClient(FuzzClient as never, implementation as never, options as never) as grpc.Client;
  clients.push(client);
  return { client, api: asyncClient(client) as unknown as Api };
}

/** Runs `body` and returns the uncaught exceptions and unhandled rejections seen meanwhile (and a few turns after). */
async function strays(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onUncaught = (error: unknown): void => void seen.push(`uncaught ${String(error)}`);
  const onUnhandled = (error: unknown): void => void seen.push(`unhandled ${String(error)}`);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  try {
    await body();
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUnhandled);
  }
  return seen;
}

const outcome = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

describe("GrpcError", () => {
  test("regression (fuzz): GrpcError refuses details that are not a string and metadata that is not a Metadata (were: a TypeError from the message, or, thrown by a handler, an unhandled TypeError and a call that never ended)", () => {
    expect(() => new GrpcError(grpc.status.NOT_FOUND, Object.create(null) as never)).toThrow(invalid("details"));
    expect(() => new GrpcError(grpc.status.NOT_FOUND, {} as never)).toThrow(invalid("details"));
    expect(() => new GrpcError(grpc.status.NOT_FOUND, "x", {} as never)).toThrow(invalid("metadata"));
    expect(() => new GrpcError(grpc.status.NOT_FOUND, "x", null as never)).toThrow(invalid("metadata"));
    expect(new GrpcError(grpc.status.NOT_FOUND, undefined, undefined)).toMatchObject({ details: "", metadata: expect.any(grpc.Metadata) });
  });
});

describe("createInProcessClient", () => {
  test("regression (fuzz): createInProcessClient refuses client interceptors, providers and a callInvocationTransformer that are not functions, and both lists at once (were: a TypeError at each call, or grpc-js's configuration error)", () => {
    const cases: Array<[object, string]> = [
      [{ interceptors: 5 }, "interceptors"],
      [{ interceptors: [5] }, "interceptors"],
      [{ interceptor_providers: {} }, "interceptor_providers"],
      [{ callInvocationTransformer: 5 }, "callInvocationTransformer"],
      [{ interceptors: [(o: grpc.InterceptorOptions, next: grpc.NextCall) => new grpc.InterceptingCall(next(o))], interceptor_providers: [() => undefined] }, "interceptors"],
    ];
    for (const [options, name] of cases) expect(() => createInProcessClient(FuzzClient as never, {} as never, options as never), JSON.stringify(options)).toThrow(invalid(name));
  });

  test("regression (fuzz): a callInvocationTransformer that returns no call properties fails the call with an InvalidArgumentError naming it (was: a TypeError reading 'callOptions')", async () => {
    const { client, api } = serve({ Unary: unary(() => ({})) }, { callInvocationTransformer: () => undefined });
    await expect(api.Unary({})).rejects.toThrow(invalid("callInvocationTransformer(…)"));
    expect(() => (client as unknown as { Unary(r: object, cb: () => void): unknown }).Unary({}, () => undefined)).toThrow(invalid("callInvocationTransformer(…)"));
  });

  test("regression (fuzz): a grpc-js style handler that answers and returns a proxy whose traps throw: the call ends OK and nothing is uncaught (the proxy's then getter threw out of the in-process call)", async () => {
    const seen = await strays(async () => {
      for (const direct of [true, false]) {
        const { api } = serve(
          {
            Unary: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
              callback(null, { ok: true });
              return hostile();
            },
          },
          { direct },
        );
        await expect(api.Unary({}), `direct: ${direct}`).resolves.toEqual({ ok: true });
      }
    });
    expect(seen).toEqual([]);
  });
});

describe("asyncClient", () => {
  test("regression (fuzz): a method refuses callOptions whose parent is no server call, whose propagate_flags is no integer, or whose interceptors are not functions (were: TypeErrors from inside grpc-js, 'setup.parent.on is not a function', 'Cannot mix BigInt')", () => {
    for (const direct of [true, false]) {
      const { api } = serve({ Unary: unary(() => ({})) }, { direct });
      const cases: Array<[object, string]> = [
        [{ parent: { getDeadline: () => 5 } }, "options.callOptions.parent"],
        [{ parent: 5 }, "options.callOptions.parent"],
        [{ propagate_flags: 1n }, "options.callOptions.propagate_flags"],
        [{ propagate_flags: 1.5 }, "options.callOptions.propagate_flags"],
        [{ interceptors: [5] }, "options.callOptions.interceptors"],
        [{ interceptor_providers: 5 }, "options.callOptions.interceptor_providers"],
      ];
      for (const [callOptions, name] of cases) expect(() => api.Unary({}, { callOptions }), `${name} direct: ${direct}`).toThrow(invalid(name));
    }
  });

  test("regression (fuzz): a signal whose removeEventListener throws: every call still settles, and nothing is uncaught (the grpc-js path hung, with an uncaught exception)", async () => {
    const signal = {
      aborted: false,
      addEventListener() {},
      removeEventListener() {
        throw new Error("cannot remove");
      },
    };
    const seen = await strays(async () => {
      for (const direct of [true, false]) {
        const { api } = serve({ Unary: unary(() => ({ ok: true })), Collect: clientStreaming(async () => ({ ok: true })), Stream: serverStreaming(async function* () { yield { n: 1 }; }) }, { direct });
        await expect(api.Unary({}, { signal }), `Unary, direct: ${direct}`).resolves.toEqual({ ok: true });
        await expect(api.Collect([{ n: 1 }], { signal }), `Collect, direct: ${direct}`).resolves.toEqual({ ok: true });
        const values: unknown[] = [];
        for await (const value of api.Stream({}, { signal })) values.push(value);
        expect(values).toEqual([{ n: 1 }]);
      }
    });
    expect(seen).toEqual([]);
  });

  test("regression (fuzz): requests given to a call that cannot start (a closed client, a callInvocationTransformer that throws) are closed before it rejects (they were left open)", async () => {
    const broken = new Error("transformer broke");
    const transformer = (): never => {
      throw broken;
    };
    for (const options of [{}, { callInvocationTransformer: transformer }]) {
      const { client, api } = serve({}, options);
      if (Object.keys(options).length === 0) client.close();
      for (const method of ["Collect", "Chat"] as const) {
        const requests = channel<unknown>({ name: "requests" });
        requests.push({ n: 1 });
        const call = api[method](requests);
        const result = method === "Collect" ? outcome(call as Promise<unknown>) : outcome((call as AsyncIterableIterator<unknown>).next());
        expect(await result, method).toMatchObject({ error: expect.any(Error) });
        expect(openBridges(), `${method} ${JSON.stringify(options)}`).toEqual([]);
      }
    }
  });
});

describe("in-process messages", () => {
  test("regression (fuzz): in 'clone' mode, a request or response that cannot be cloned (a proxy whose traps throw) ends the call with INTERNAL, as a serializer that throws does (the request's error escaped to the caller and the call stayed registered, forever without a deadline)", async () => {
    for (const direct of [true, false]) {
      const { api } = serve({ Unary: unary(() => hostile()), Stream: serverStreaming(async function* () {}) }, { messages: "clone", direct });
      const sent = await outcome(api.Unary(hostile()));
      expect(sent, `request, direct: ${direct}`).toMatchObject({ error: { code: grpc.status.INTERNAL, details: expect.stringContaining("Request message serialization failure") } });
      const received = await outcome(api.Unary({}));
      expect(received, `response, direct: ${direct}`).toMatchObject({ error: { code: expect.any(Number) } });
      expect(openBridges(), `direct: ${direct}`).toEqual([]);
    }
  });
});

describe("createPipeChannel", () => {
  test("regression (fuzz): createPipeChannel refuses options it cannot use at once (were: TypeErrors at each call, or an authority that failed every call with 'Cannot convert object to primitive value')", () => {
    const server = new grpc.Server();
    const cases: Array<[unknown, string]> = [
      [null, "options"],
      [5, "options"],
      [{ authority: Object.create(null) }, "authority"],
      [{ "grpc.primary_user_agent": 5 }, 'options["grpc.primary_user_agent"]'],
      [{ "grpc.max_send_message_length": 1.5 }, 'options["grpc.max_send_message_length"]'],
      [{ "grpc.max_receive_message_length": -2 }, 'options["grpc.max_receive_message_length"]'],
    ];
    for (const [options, name] of cases) expect(() => createPipeChannel(server, options as never), name).toThrow(invalid(name));
    server.forceShutdown();
  });

  test("regression (fuzz): a call that fails inside grpc-js's method call (a request the serializer refuses, a server it cannot connect to) gets its status a tick later, as from grpc-js's own channel, so onTrailer sees it and the call settles (it hung)", async () => {
    const server = new grpc.Server();
    server.addService(fuzzService, { Unary: unary(() => ({})) } as grpc.UntypedServiceImplementation);
    const refusing = { createConnectionInjector: () => {
      throw new Error("cannot connect");
    } };
    for (const target of [server, refusing]) {
      const pipe = createPipeChannel(target as grpc.Server);
      const client = new FuzzClient("pipe", grpc.credentials.createInsecure(), { channelOverride: pipe });
      clients.push(client);
      const api = asyncClient(client) as unknown as Api;
      let trailers = 0;
      const request = target === server ? { big: 10n } : {}; // JSON cannot serialize a BigInt
      const result = await Promise.race([outcome(api.Unary(request, { onTrailer: () => void (trailers += 1) })), new Promise((resolve) => setTimeout(() => resolve("pending"), 500))]);
      expect(result).toMatchObject({ error: { code: target === server ? grpc.status.INTERNAL : grpc.status.UNAVAILABLE } });
      expect(trailers).toBe(1);
      pipe.close();
    }
    server.forceShutdown();
  });
});

describe("direct path", () => {
  test("regression (fuzz): requests whose [Symbol.asyncIterator]() or [Symbol.iterator]() returns no iterator fail the call with an InvalidArgumentError (was: a TypeError reading 'next')", async () => {
    for (const direct of [true, false]) {
      const { api } = serve({ Collect: clientStreaming(async (requests) => (await requests.next(), {})), Chat: bidi(async function* (requests) { yield* requests; }) }, { direct });
      for (const [requests, name] of [
        [{ [Symbol.asyncIterator]: () => undefined }, "requests[Symbol.asyncIterator]()"],
        [{ [Symbol.iterator]: () => 5 }, "requests[Symbol.iterator]()"],
      ] as const) {
        expect(await outcome(api.Collect(requests)), `Collect ${name}, direct: ${direct}`).toEqual({ error: invalid(name) });
        expect(await outcome(api.Chat(requests).next()), `Chat ${name}, direct: ${direct}`).toEqual({ error: invalid(name) });
      }
    }
  });

  test("regression (fuzz): a unary handler whose result is a proxy whose traps throw ends its call with UNKNOWN (it threw out of the caller's call, and a deadline rejected later, unhandled)", async () => {
    const seen = await strays(async () => {
      for (const messages of ["share", "clone"]) {
        const { api } = serve({ Unary: unary(() => hostile()) }, { messages });
        const result = await outcome(api.Unary({}, { deadline: Date.now() + 1_000 })); // room for a loaded machine: a hang is DEADLINE_EXCEEDED
        expect(result, messages).toMatchObject({ error: { code: grpc.status.UNKNOWN } });
        expect(openBridges()).toEqual([]);
      }
    });
    expect(seen).toEqual([]);
  });

  test("regression (fuzz): a serverStreaming or bidi handler whose result is not an async iterable ends the call with UNKNOWN naming it, as on grpc-js's path (the details were an engine TypeError)", async () => {
    const debug = process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"];
    process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"] = "true"; // the handler's error in the details
    onTestFinished(() => {
      if (debug === undefined) delete process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"];
      else process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"] = debug;
    });
    for (const direct of [true, false]) {
      const { api } = serve({ Stream: serverStreaming(() => 42 as never), Chat: bidi(() => null as never) }, { direct });
      for (const [method, first] of [["Stream", {}], ["Chat", []]] as const) {
        const result = await outcome((api[method](first) as AsyncIterableIterator<unknown>).next());
        expect(result, `${method}, direct: ${direct}`).toMatchObject({ error: { code: grpc.status.UNKNOWN } });
        expect((result as { error: { details: string } }).error.details).toMatch(/Expected `.*` to be an async iterable/);
      }
    }
  });
});

describe("adapters", () => {
  test("regression (fuzz): an adapter registered for another call shape throws an InvalidArgumentError when called, so grpc-js answers UNKNOWN (was: an unhandled TypeError 'callback is not a function', and a call that never ended)", async () => {
    const seen = await strays(async () => {
      const wrong = { Unary: bidi(async function* () {}), Stream: clientStreaming(() => ({})), Collect: serverStreaming(async function* () {}), Chat: unary(() => ({})) };
      const { api } = serve(wrong, { direct: false });
      for (const [method, first] of [["Unary", {}], ["Stream", {}], ["Collect", []], ["Chat", []]] as const) {
        const call = api[method](first, { deadline: Date.now() + 200 });
        const result = await (method === "Stream" || method === "Chat" ? outcome((call as AsyncIterableIterator<unknown>).next()) : outcome(call as Promise<unknown>));
        expect(result, method).toMatchObject({ error: { code: grpc.status.UNKNOWN } });
      }
    });
    expect(seen).toEqual([]);
  });
});

describe("responses and sendAll", () => {
  test("regression (fuzz): responses() refuses an object without the call's event methods at once (was: a TypeError 'call.on is not a function' from the first next())", () => {
    expect(() => responses({ cancel() {}, pause() {} } as never)).toThrow(invalid("call"));
    expect(() => responses(Object.assign(new EventEmitter(), { cancel() {}, pause() {} }) as never)).toThrow(invalid("call")); // no resume()
  });

  test("regression (fuzz): sendAll() refuses a signal that is not an AbortSignal and a call without the stream's event methods, at once, leaving the requests untouched (were: TypeErrors from inside; a bad argument was a rejection, after which a bridge given as requests stayed open)", async () => {
    const call = Object.assign(new EventEmitter(), { cancel() {}, write: () => true, end() {} });
    const requests = channel<number>({ name: "requests" });
    requests.push(1);
    expect(() => sendAll(call as never, requests, { signal: { aborted: false } as never })).toThrow(invalid("signal"));
    expect(() => sendAll({ cancel() {}, write: () => true } as never, requests)).toThrow(invalid("call"));
    expect(() => sendAll(call as never, requests, 5 as never)).toThrow(invalid("options"));
    expect(await requests.next()).toEqual({ done: false, value: 1 }); // still the caller's, as it was
    await requests.return();
  });

  test("regression (fuzz): sendAll() fails on a null request with an InvalidArgumentError and cancels the call (was: Node's TypeError 'May not write null values to stream')", async () => {
    const { client } = serve({ Collect: clientStreaming(async (requests) => (await requests.next(), {})) }, { direct: false });
    const failed = new Promise<unknown>((resolve) => {
      const call = (client as unknown as { Collect(options: object, callback: (error: unknown) => void): grpc.ClientWritableStream<unknown> }).Collect({ deadline: Date.now() + 1_000 }, resolve);
      void sendAll(call, [{ n: 1 }, null]).then(
        () => resolve("sendAll resolved"),
        (error: unknown) => expect(error).toEqual(invalid("requests[1]")),
      );
    });
    expect(await failed).toMatchObject({ code: grpc.status.CANCELLED });
  });

  test("regression (fuzz): sendAll() with a signal whose addEventListener throws fails with that error, closes the requests and cancels the call (the requests were left open)", async () => {
    const { client } = serve({ Collect: clientStreaming(async (requests) => (await requests.next(), {})) }, { direct: false });
    const broken = new Error("addEventListener");
    const signal = Object.assign(new EventTarget(), {
      aborted: false,
      addEventListener: () => {
        throw broken;
      },
    });
    const requests = channel<object>({ name: "requests" });
    requests.push({ n: 1 });
    let sent: Promise<unknown> | undefined;
    const ended = new Promise<unknown>((resolve) => {
      const call = (client as unknown as { Collect(options: object, callback: (error: unknown) => void): grpc.ClientWritableStream<unknown> }).Collect({ deadline: Date.now() + 1_000 }, resolve);
      sent = outcome(sendAll(call, requests, { signal: signal as never }));
    });
    expect(await sent).toEqual({ error: broken });
    expect(await ended).toMatchObject({ code: grpc.status.CANCELLED });
    expect(openBridges()).toEqual([]);
  });
});
