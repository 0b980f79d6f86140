// How the gRPC peers behave when a caller stops reading a server stream: the rows of docs/comparison.md's gRPC
// table that sluice's own tests do not cover. Every server listens on 127.0.0.1:0 and is shut down.
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient as connectClient, createRouterTransport } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { createChannel, createClient as niceClient, createServer } from "nice-grpc";
import { describe, expect, test } from "vitest";
import { type StringValue, stringsClientClass } from "../../src/examples/list-strings/service.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A server generator that records whether its signal aborted and whether its `finally` ran. */
function recordingGenerator(log: string[]) {
  return async function* (request: { count: number }, ctx: { signal: AbortSignal }): AsyncGenerator<{ value: string }> {
    ctx.signal.addEventListener("abort", () => void log.push("signal aborted"), { once: true });
    try {
      for (let i = 0; i < request.count; i += 1) {
        yield { value: `s${i}` };
        await sleep(1);
      }
    } finally {
      log.push("finally ran");
    }
  };
}

/** The Strings service for Connect, built from a descriptor at run time (no code generation). */
function connectStringsService() {
  const file = create(FileDescriptorProtoSchema, {
    name: "comparison.proto",
    package: "comparison",
    syntax: "proto3",
    messageType: [
      { name: "Request", field: [{ name: "count", number: 1, type: 5, label: 1, jsonName: "count" }] },
      { name: "Value", field: [{ name: "value", number: 1, type: 9, label: 1, jsonName: "value" }] },
    ],
    service: [
      {
        name: "Strings",
        method: [{ name: "ListStrings", inputType: ".comparison.Request", outputType: ".comparison.Value", serverStreaming: true }],
      },
    ],
  });
  const service = createFileRegistry(file, () => undefined).getService("comparison.Strings");
  if (service === undefined) throw new Error("descriptor did not build");
  return service;
}

type StreamingClient = { listStrings(request: { count: number }, options?: { signal?: AbortSignal }): AsyncIterable<StringValue> };

describe("Connect-ES router transport (in-memory)", () => {
  test("break out of for await: the server generator is never told (no abort, no finally)", async () => {
    const log: string[] = [];
    const Strings = connectStringsService();
    const transport = createRouterTransport(({ service }) => void service(Strings, { listStrings: recordingGenerator(log) } as never));
    const client = connectClient(Strings, transport) as unknown as StreamingClient;
    let received = 0;
    for await (const _ of client.listStrings({ count: 1_000 })) if (++received === 3) break;
    await sleep(500);
    expect(log).toEqual([]);
  });

  test("abort: the pending next() rejects (Canceled) and the server's signal aborts, but its finally does not run", async () => {
    const log: string[] = [];
    const Strings = connectStringsService();
    const transport = createRouterTransport(({ service }) => void service(Strings, { listStrings: recordingGenerator(log) } as never));
    const client = connectClient(Strings, transport) as unknown as StreamingClient;
    const controller = new AbortController();
    const iterator = client.listStrings({ count: 1_000 }, { signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    controller.abort("caller left");
    await expect(pending).rejects.toMatchObject({ name: "ConnectError", code: 1 });
    await sleep(500);
    expect(log).toEqual(["signal aborted"]);
  });
});

describe("nice-grpc over TCP", () => {
  async function withServer(run: (client: { ListStrings: (r: object, o?: { signal?: AbortSignal }) => AsyncIterable<StringValue> }, log: string[]) => Promise<void>): Promise<void> {
    const log: string[] = [];
    const server = createServer();
    server.add(stringsClientClass().service as never, { ListStrings: recordingGenerator(log) } as never);
    const port = await server.listen("127.0.0.1:0");
    const channel = createChannel(`127.0.0.1:${port}`);
    try {
      await run(niceClient(stringsClientClass().service as never, channel) as never, log);
    } finally {
      channel.close();
      await server.shutdown();
    }
  }

  test("break out of for await: the call is cancelled; the server's signal aborts and its finally runs", async () => {
    await withServer(async (client, log) => {
      let received = 0;
      for await (const _ of client.ListStrings({ count: 1_000, size: 0, prefix: "" })) if (++received === 3) break;
      for (let i = 0; i < 100 && log.length < 2; i += 1) await sleep(5);
      expect(log).toEqual(["signal aborted", "finally ran"]);
    });
  });

  test("abort: the pending next() rejects with an AbortError and the server cleans up", async () => {
    await withServer(async (client, log) => {
      const controller = new AbortController();
      const iterator = client.ListStrings({ count: 1_000, size: 0, prefix: "" }, { signal: controller.signal })[Symbol.asyncIterator]();
      await iterator.next();
      const pending = iterator.next();
      controller.abort("caller left");
      await expect(pending).rejects.toMatchObject({ name: "AbortError" });
      for (let i = 0; i < 100 && log.length < 2; i += 1) await sleep(5);
      expect(log).toEqual(["signal aborted", "finally ran"]);
    });
  });
});

describe("grpc-js over TCP (the baseline)", () => {
  test("break out of for await over a ClientReadableStream: the server is not told (grpc-node#1238)", async () => {
    const events: string[] = [];
    const server = new grpc.Server();
    server.addService(stringsClientClass().service, {
      ListStrings(call: grpc.ServerWritableStream<{ count: number }, StringValue>) {
        call.on("cancelled", () => void events.push("cancelled"));
        let i = 0;
        const timer = setInterval(() => {
          if (call.cancelled || i >= 200) {
            clearInterval(timer);
            if (!call.cancelled) call.end();
            return;
          }
          call.write({ value: `s${i++}` });
        }, 1);
      },
    } as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const Strings = stringsClientClass();
    const client = new Strings(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as {
      ListStrings(r: object): grpc.ClientReadableStream<StringValue>;
      close(): void;
    };
    try {
      let received = 0;
      for await (const _ of client.ListStrings({ count: 200, size: 0, prefix: "" })) if (++received === 3) break;
      await sleep(100);
      expect(events).toEqual([]); // the handler keeps writing into a call nobody reads
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
