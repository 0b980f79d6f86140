// What only the in-process client does (or does deterministically): construction, validation,
// message modes in detail, exact backpressure bounds, and the documented differences.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/index.js";
import { createInProcessClient } from "../../src/grpc/index.js";
import type { MessageMode } from "../../src/grpc/index.js";
import { cloneMessage } from "../../src/grpc/in-process/clone-message.js";
import { deferred, settleStream, settleUnary } from "./call-helpers.js";
import { interopHandlers, payload } from "./fixtures/interop-handlers.js";
import { TestService } from "./fixtures/test-service.js";
import type { SimpleResponse, TestServiceClient, TestServiceHandlers } from "./fixtures/test-service.js";

const { status: Status } = grpc;
const clients: grpc.Client[] = [];

function inProcess(handlers: TestServiceHandlers, options?: Parameters<typeof createInProcessClient>[2]): TestServiceClient {
  const client = createInProcessClient(TestService, { ...interopHandlers, ...handlers }, options);
  clients.push(client);
  return client;
}

/** Lets every queued tick, microtask and immediate run (in-process delivery never needs timers). */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe("createInProcessClient", () => {
  it("returns an instance of the service's client class on an in-process channel", async () => {
    const client = inProcess({});
    expect(client).toBeInstanceOf(TestService);
    expect(client).toBeInstanceOf(grpc.Client);
    expect(client.getChannel().getTarget()).toBe("in-process");
    const ready = await new Promise<Error | undefined>((resolve) => client.waitForReady(Date.now() + 1000, resolve));
    expect(ready).toBeUndefined();
  });

  it("rejects what is not a service client class, an implementation or a message mode", () => {
    const notAClass = (): void => {};
    expect(() => createInProcessClient(notAClass as unknown as typeof TestService, {})).toThrow(
      new InvalidArgumentError("ClientConstructor", "a grpc-js service client class (with a static `service`)", notAClass),
    );
    expect(() => createInProcessClient(TestService, null as unknown as object)).toThrow(
      "Expected `implementation` to be an object of handlers, got null",
    );
    expect(() => createInProcessClient(TestService, {}, { messages: "copy" as MessageMode })).toThrow(
      'Expected `messages` to be one of "share", "clone", "serialize", got "copy"',
    );
    expect(() => createInProcessClient(TestService, { EmptyCall: 42 } as unknown as TestServiceHandlers)).toThrow(
      "Expected `implementation.EmptyCall` to be a handler function, got 42",
    );
    // Error classes: one error class with a stable code, still a TypeError for code that catches those.
    let error: unknown;
    try {
      createInProcessClient(TestService, null as unknown as object);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: "ERR_SLUICE_INVALID_ARGUMENT" });
  });

  it("rejects options that are not what it takes, before any call (grpc-js would fail each call later, or not at all)", () => {
    const cases: Array<[unknown, string]> = [
      [null, "Expected `options` to be an object of client options, got null"],
      [{ server: null }, "Expected `server` to be an object of server options, got null"],
      [{ server: { interceptors: {} } }, "Expected `server.interceptors` to be an array of server interceptor functions, got an object (Object)"],
      [{ server: { interceptors: [42] } }, "Expected `server.interceptors` to be an array of server interceptor functions, got an array"],
      [{ server: { "grpc.max_receive_message_length": 1.5 } }, 'Expected `server["grpc.max_receive_message_length"]` to be an integer >= -1 (-1: unlimited), got 1.5'],
      [{ server: { service: {} } }, "Expected `server.service` to be a grpc-js service definition (as given to server.addService), got an object (Object)"],
      [{ direct: "yes" }, 'Expected `direct` to be a boolean, got "yes"'],
    ];
    for (const [options, message] of cases) {
      expect(() => createInProcessClient(TestService, {}, options as Parameters<typeof createInProcessClient>[2]), JSON.stringify(options)).toThrow(message);
    }
  });

  it("finds handlers by original (camelCase) name too, as addService does, and binds them", async () => {
    const implementation = {
      greeting: "hi",
      emptyCall(this: { greeting: string }, _call: unknown, cb: grpc.sendUnaryData<Record<string, never>>) {
        cb(null, {});
        seen.resolve(this.greeting);
      },
    };
    const seen = deferred<string>();
    const client = createInProcessClient(TestService, implementation);
    clients.push(client);
    const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
    expect(outcome.error).toBeNull();
    expect(await seen.promise).toBe("hi");
  });

  it("rejects a handler for no method of the service, naming the service's methods", () => {
    const misspelt = { EmptyCal: (_call: unknown, cb: grpc.sendUnaryData<object>) => cb(null, {}) };
    const names = "EmptyCall, UnaryCall, StreamingOutputCall, StreamingInputCall, FullDuplexCall, HalfDuplexCall, UnimplementedCall, ListStrings";
    const originals = "emptyCall, unaryCall, streamingOutputCall, streamingInputCall, fullDuplexCall, halfDuplexCall, unimplementedCall, listStrings";
    expect(() => createInProcessClient(TestService, misspelt as unknown as TestServiceHandlers)).toThrow(
      new InvalidArgumentError(
        "implementation",
        `keyed only by the methods of grpc.testing.TestService (${names}, or their original names ${originals}; keep helpers that are no handlers in class methods or #private fields)`,
        "EmptyCal",
      ),
    );
    // The same object is fine for grpc-js's server, which never looks at the key: the method just answers UNIMPLEMENTED.
    expect(() => new grpc.Server().addService(TestService.service, misspelt)).not.toThrow();
  });

  it("accepts what grpc.Server#addService accepts: original names, class instances with fields, helpers and accessors", async () => {
    class Service {
      readonly greeting = "hi"; // a field that is no handler: not a function, so not looked at
      calls = 0;
      readonly #log: string[] = []; // #private: not a property at all
      get log(): readonly string[] {
        throw new Error("an accessor is never called by the check");
      }
      /** A prototype method that is no handler: inherited members are not looked at. */
      format(name: string): string {
        this.#log.push(name);
        return `${this.greeting} ${name}`;
      }
      emptyCall(_call: unknown, cb: grpc.sendUnaryData<Record<string, never>>): void {
        this.calls += 1;
        cb(null, {});
      }
      UnaryCall = (call: grpc.ServerUnaryCall<{ fill_username?: boolean }, unknown>, cb: grpc.sendUnaryData<SimpleResponse>): void => {
        cb(null, { username: this.format(String(call.request.fill_username)) });
      };
    }
    const implementation = new Service();
    const client = createInProcessClient(TestService, implementation);
    clients.push(client);
    expect((await settleUnary((cb) => client.EmptyCall({}, cb))).error).toBeNull();
    expect(implementation.calls).toBe(1);
    expect((await settleUnary((cb: grpc.requestCallback<SimpleResponse>) => client.UnaryCall({ fill_username: true }, cb))).value?.username).toBe("hi true");
    const missing = await settleUnary((cb) => client.UnimplementedCall({}, cb));
    expect(missing.error?.code).toBe(Status.UNIMPLEMENTED);
    expect(missing.error?.details).toBe("The server does not implement the method UnimplementedCall");
  });

  it("rejects an own function-valued field that is no handler (the documented limit of the check)", () => {
    class Service {
      readonly helper = (): string => "not a handler"; // own and enumerable: indistinguishable from a misspelt handler
      EmptyCall(_call: unknown, cb: grpc.sendUnaryData<Record<string, never>>): void {
        cb(null, {});
      }
    }
    expect(() => createInProcessClient(TestService, new Service())).toThrow(/^Expected `implementation` to be keyed only by the methods of grpc.testing.TestService .*, got "helper"$/);
  });

  it("a call on a closed client throws like grpc-js", () => {
    const client = inProcess({});
    client.close();
    expect(() => client.EmptyCall({}, () => {})).toThrow("Channel has been shut down");
  });

  it("a path outside the service answers UNIMPLEMENTED with the path", async () => {
    const client = inProcess({});
    const outcome = await settleUnary((cb) =>
      client.makeUnaryRequest("/other.Svc/Nope", (v: object) => Buffer.from(JSON.stringify(v)), (b: Buffer) => b, {}, cb),
    );
    expect(outcome.error?.code).toBe(Status.UNIMPLEMENTED);
    expect(outcome.error?.details).toBe("The server does not implement the method /other.Svc/Nope");
  });

  it("composes a user callInvocationTransformer", async () => {
    const seen: string[] = [];
    const client = inProcess(
      {},
      {
        callInvocationTransformer(properties) {
          seen.push(properties.methodDefinition.path);
          return properties;
        },
      },
    );
    const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
    expect(outcome.error).toBeNull();
    expect(seen).toEqual(["/grpc.testing.TestService/EmptyCall"]);
  });
});

describe("declared differences", () => {
  it("an async handler that rejects ends the call with UNKNOWN (streaming too)", async () => {
    const client = inProcess({
      // grpc-js types handlers as returning void; an async handler is exactly the case under test.
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      async ListStrings(call) {
        call.write({ value: "a" });
        await Promise.resolve();
        throw new Error("late");
      },
    });
    const outcome = await settleStream(client.ListStrings({}));
    expect(outcome.error?.code).toBe(Status.UNKNOWN);
    expect(outcome.error?.details).toBe("Unknown error");
  });

  it("GRPC_NODE_DEBUG_SEND_ERROR_DETAILS=true shows the handler's message, as in grpc-js", async () => {
    process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"] = "true";
    try {
      const client = inProcess({
        EmptyCall() {
          throw new Error("boom");
        },
      });
      const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
      expect(outcome.error?.details).toBe("Server method handler threw error boom");
    } finally {
      delete process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"];
    }
  });

  it("breaking out of for await cancels the call: the handler sees 'cancelled' and its finally runs", async () => {
    const cleanedUp = deferred<boolean>();
    const client = inProcess({
      ListStrings(call) {
        let open = true;
        call.on("cancelled", () => (open = false));
        void (async () => {
          try {
            for (let i = 0; open && i < 1000; i++) {
              if (!call.write({ value: String(i) })) await new Promise((resolve) => call.once("drain", resolve).once("close", resolve));
            }
          } finally {
            cleanedUp.resolve(call.cancelled);
          }
        })();
      },
    });
    const stream = client.ListStrings({});
    const status = new Promise<grpc.StatusObject>((resolve) => stream.on("status", resolve));
    stream.on("error", () => {});
    const seen: string[] = [];
    for await (const message of stream as AsyncIterable<{ value: string }>) {
      seen.push(message.value);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(["0", "1", "2"]);
    expect(await cleanedUp.promise).toBe(true);
    expect((await status).code).toBe(Status.CANCELLED);
  });

  it("destroying a response stream early cancels too; a finished stream is not cancelled", async () => {
    const cancelledEarly = deferred<boolean>();
    const client = inProcess({
      FullDuplexCall(call) {
        call.on("cancelled", () => cancelledEarly.resolve(call.cancelled));
      },
    });
    const duplex = client.FullDuplexCall();
    duplex.on("error", () => {});
    duplex.destroy();
    expect(await cancelledEarly.promise).toBe(true);

    const finished = await settleStream(client.ListStrings({ count: 2 }));
    expect(finished.status?.code).toBe(Status.OK);
  });
});

describe("cleanup", () => {
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

  it("a finished call leaves no deadline timer and no listener on its parent", async () => {
    const parentSeen = deferred<grpc.ServerUnaryCall<unknown, unknown>>();
    const childDone = deferred();
    let downstream: TestServiceClient | undefined;
    const client = inProcess({
      UnaryCall(call, cb) {
        downstream?.EmptyCall({}, { parent: call, deadline: Date.now() + 60_000 }, () => {
          childDone.resolve();
          parentSeen.resolve(call);
          cb(null, {});
        });
      },
    });
    downstream = inProcess({});
    const before = timers();
    const outcome = await settleUnary((cb) => client.UnaryCall({}, { deadline: Date.now() + 60_000 }, cb));
    await childDone.promise;
    await settle();
    expect(outcome.error).toBeNull();
    expect(timers()).toBeLessThanOrEqual(before);
    expect((await parentSeen.promise).listenerCount("cancelled")).toBe(0);
  });

  it("a cancelled call leaves no timer, and the handler's stream is destroyed", async () => {
    const handlerStream = deferred<grpc.ServerWritableStream<unknown, unknown>>();
    const client = inProcess({
      ListStrings(call) {
        handlerStream.resolve(call);
      },
    });
    const before = timers();
    const stream = client.ListStrings({}, { deadline: Date.now() + 60_000 });
    const outcome = settleStream(stream);
    const server = await handlerStream.promise;
    stream.cancel();
    expect((await outcome).error?.code).toBe(Status.CANCELLED);
    await settle();
    expect(server.cancelled).toBe(true);
    expect(server.destroyed).toBe(true);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe("many calls", () => {
  it("2,000 concurrent streaming calls, every third cancelled: each ends once, each handler sees 'cancelled' once", async () => {
    let handlerCancels = 0;
    let handlersStarted = 0;
    const client = inProcess({
      ListStrings(call) {
        handlersStarted += 1;
        call.once("cancelled", () => (handlerCancels += 1));
        call.write({ value: "a" });
        call.write({ value: "b" });
        call.end();
      },
    });
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const outcomes = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => {
        const stream = client.ListStrings({}, { deadline: Date.now() + 10_000 });
        const settled = settleStream(stream);
        if (i % 3 === 0) stream.cancel();
        return settled;
      }),
    );
    await settle();
    const codes = outcomes.map((o) => o.status?.code);
    expect(codes.filter((c) => c === Status.OK)).toHaveLength(1333);
    expect(codes.filter((c) => c === Status.CANCELLED)).toHaveLength(667);
    expect(outcomes.every((o) => o.events.filter((e) => e === "status").length === 1)).toBe(true);
    // Calls cancelled before their handler was dispatched never start it (as a server that never saw them).
    expect(handlerCancels).toBe(handlersStarted);
    expect(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length).toBeLessThanOrEqual(before);
  });
});

describe("flow control, exactly", () => {
  it("a server stream stays bounded while the caller does not read: 16 in the writable, 1 in flight, 16 in the readable", async () => {
    let written = 0;
    const client = inProcess({
      ListStrings(call) {
        const pump = (): void => {
          while (written < 1000) {
            written += 1;
            if (!call.write({ value: "x" })) {
              call.once("drain", pump);
              return;
            }
          }
          call.end();
        };
        pump();
      },
    });
    const stream = client.ListStrings({});
    stream.pause();
    await settle();
    const whilePaused = written;
    await settle();
    expect(written).toBe(whilePaused);
    expect(whilePaused).toBeLessThanOrEqual(16 + 1 + 16 + 1);
    const outcome = settleStream(stream);
    stream.resume();
    expect((await outcome).messages).toHaveLength(1000);
  });

  it("a handler never runs inside the caller's stack, nor the caller inside the handler's (paused reads and flowing reads)", async () => {
    const violations: string[] = [];
    let inHandler = false;
    let inCaller = false;
    const client = inProcess({
      ListStrings(call) {
        let sent = 0;
        const pump = (): void => {
          if (inCaller) violations.push("handler's 'drain' inside the caller's stack");
          inHandler = true;
          try {
            while (sent < 200) {
              sent += 1;
              const ok = call.write({ value: String(sent) }, () => {
                if (inCaller) violations.push("a write callback inside the caller's stack");
              });
              if (!ok) {
                call.once("drain", pump);
                return;
              }
            }
            call.end();
          } finally {
            inHandler = false;
          }
        };
        pump();
      },
    });
    // Paused mode: the caller pulls with read() whenever 'readable' fires.
    const paused = client.ListStrings({});
    let pulled = 0;
    paused.on("readable", () => {
      if (inHandler) violations.push("the caller's 'readable' inside the handler's stack");
      inCaller = true;
      try {
        while (paused.read() !== null) pulled += 1;
      } finally {
        inCaller = false;
      }
    });
    await new Promise((resolve) => paused.once("end", resolve));
    expect(pulled).toBe(200);
    // Flowing mode.
    const flowing = client.ListStrings({});
    flowing.on("data", () => {
      if (inHandler) violations.push("the caller's 'data' inside the handler's stack");
    });
    const outcome = await settleStream(flowing);
    expect(outcome.status?.code).toBe(Status.OK);
    expect(violations).toEqual([]);
  });

  it("a client stream stays bounded while the handler does not read", async () => {
    const release = deferred();
    const client = inProcess({
      StreamingInputCall(call, cb) {
        call.pause();
        void release.promise.then(() => call.resume());
        let n = 0;
        call.on("data", () => (n += 1));
        call.on("end", () => cb(null, { aggregated_payload_size: n }));
      },
    });
    let accepted = 0;
    const done = settleUnary(
      (cb) => client.StreamingInputCall(cb),
      (call) => {
        const pump = (): void => {
          while (accepted < 500) {
            accepted += 1;
            if (!call.write({})) {
              call.once("drain", pump);
              return;
            }
          }
          call.end();
        };
        pump();
      },
    );
    await settle();
    const whilePaused = accepted;
    await settle();
    expect(accepted).toBe(whilePaused);
    expect(whilePaused).toBeLessThanOrEqual(16 + 1 + 16 + 1);
    release.resolve();
    expect((await done).value).toEqual({ aggregated_payload_size: 500 });
  });
});

describe("message modes", () => {
  const echo: TestServiceHandlers = {
    UnaryCall(call, cb) {
      cb(null, { payload: call.request.payload ?? null });
    },
  };

  it("share: the handler gets the caller's object and the caller the handler's", async () => {
    const response: SimpleResponse = { username: "u" };
    const requests: unknown[] = [];
    const client = inProcess({
      UnaryCall(call, cb) {
        requests.push(call.request);
        cb(null, response);
      },
    });
    const request = { response_size: 1 };
    const outcome = await settleUnary((cb) => client.UnaryCall(request, cb));
    expect(requests[0]).toBe(request);
    expect(outcome.value).toBe(response);
  });

  it("clone: deep copies that keep Buffers as Buffers", async () => {
    const client = inProcess(echo, { messages: "clone" });
    const body = Buffer.from("hello");
    const outcome = await settleUnary<SimpleResponse, grpc.ClientUnaryCall>((cb) => client.UnaryCall({ payload: { body } }, cb));
    const received = outcome.value?.payload?.body;
    expect(Buffer.isBuffer(received)).toBe(true);
    expect(received).not.toBe(body);
    expect(received?.toString()).toBe("hello");
  });

  it("serialize: the caller gets the response as the wire gives it (defaults filled in)", async () => {
    const client = inProcess(echo, { messages: "serialize" });
    const outcome = await settleUnary((cb) => client.UnaryCall({ payload: payload(3) }, cb));
    expect(outcome.value).toEqual({ payload: { type: "COMPRESSABLE", body: Buffer.alloc(3) }, username: "", request_id: "0" });
  });

  it("serialize: a request the serializer rejects fails with INTERNAL like grpc-js", async () => {
    const client = inProcess({}, { messages: "serialize" });
    const outcome = await settleUnary((cb) => client.UnaryCall({ payload: 5 as unknown as null }, cb));
    expect(outcome.error?.code).toBe(Status.INTERNAL);
    expect(outcome.error?.details).toMatch(/^Request message serialization failure: /);
  });

  it("cloneMessage keeps prototypes, nested Buffers, dates, maps and cycles", () => {
    class Long {
      constructor(readonly low: number) {}
    }
    const cyclic: Record<string, unknown> = { n: new Long(1), at: new Date(0), m: new Map([["k", [Buffer.from("b")]]]) };
    cyclic["self"] = cyclic;
    const copy = cloneMessage(cyclic);
    expect(copy).not.toBe(cyclic);
    expect(copy["self"]).toBe(copy);
    expect(copy["n"]).toBeInstanceOf(Long);
    expect(copy["at"]).toEqual(new Date(0));
    const bytes = (copy["m"] as Map<string, Buffer[]>).get("k")?.[0];
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes).not.toBe((cyclic["m"] as Map<string, Buffer[]>).get("k")?.[0]);
  });
});
