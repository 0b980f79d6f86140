// The clients and handlers ts-proto and proto-loader-gen-types generate (test/grpc/generated/), used for
// real: in-process in every message mode and over TCP, through asyncClient and the handler adapters,
// with no explicit generics anywhere. And the committed generated code is what the generators give now.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterEach, describe, expect, it } from "vitest";
import { GrpcError, asyncClient, bidi, clientStreaming, createInProcessClient, serverStreaming, unary } from "../../src/grpc/index.js";
import type { MessageMode } from "../../src/grpc/index.js";
import type { GreeterHandlers } from "./generated/proto-loader/example/Greeter.js";
import type { ProtoGrpcType } from "./generated/proto-loader/greeter.js";
import { GreeterClient, GreeterService } from "./generated/ts-proto/greeter.js";
import type { GreeterServer } from "./generated/ts-proto/greeter.js";

const repo = join(import.meta.dirname, "..", "..");
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const tsProtoHandlers: GreeterServer = {
  sayHello: unary(async ({ name }, ctx) => {
    if (name === "") throw new GrpcError(grpc.status.INVALID_ARGUMENT, "name is required");
    ctx.trailers.set("x-greeted", name);
    return { message: `hello ${name}`, last: false };
  }),
  sayHelloStream: serverStreaming(async function* ({ name }) {
    for (const greeting of ["hello", "hi"]) yield { message: `${greeting} ${name}`, last: greeting === "hi" };
  }),
  countHellos: clientStreaming(async (requests) => {
    let count = 0;
    for await (const { name } of requests) if (name !== "") count += 1;
    return { count };
  }),
  chat: bidi(async function* (requests) {
    for await (const { name } of requests) yield { message: `hi ${name}`, last: false };
  }),
};

const modes: readonly MessageMode[] = ["share", "clone", "serialize"];

describe("a ts-proto client (outputServices=grpc-js)", () => {
  it.each(modes)("in-process (%s): every call shape through asyncClient, under ts-proto's camelCase names", async (messages) => {
    const client = createInProcessClient(GreeterClient, tsProtoHandlers, { messages });
    closers.push(() => client.close());
    const api = asyncClient(client);
    expect(await api.sayHello({ name: "ada" })).toEqual({ message: "hello ada", last: false });
    await expect(api.sayHello({ name: "" })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "name is required" });
    const stream: string[] = [];
    for await (const reply of api.sayHelloStream({ name: "ada" })) stream.push(reply.message);
    expect(stream).toEqual(["hello ada", "hi ada"]);
    expect(await api.countHellos([{ name: "a" }, { name: "" }, { name: "b" }])).toEqual({ count: 2 });
    const chat: string[] = [];
    for await (const reply of api.chat([{ name: "a" }, { name: "b" }])) chat.push(reply.message);
    expect(chat).toEqual(["hi a", "hi b"]);
  });

  it("over TCP: the same handlers on a grpc.Server, the same calls", async () => {
    const server = new grpc.Server();
    server.addService(GreeterService, tsProtoHandlers);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
    );
    const client = new GreeterClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    closers.push(() => {
      client.close();
      server.forceShutdown();
    });
    const api = asyncClient(client);
    expect(await api.sayHello({ name: "ada" })).toEqual({ message: "hello ada", last: false });
    expect(await api.countHellos([{ name: "a" }])).toEqual({ count: 1 });
    const chat: string[] = [];
    for await (const reply of api.chat([{ name: "a" }])) chat.push(reply.message);
    expect(chat).toEqual(["hi a"]);
  });
});

describe("a proto-loader-gen-types client (loadPackageDefinition typed as ProtoGrpcType)", () => {
  const definition = protoLoader.loadSync(join(import.meta.dirname, "fixtures", "greeter.proto"), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;

  const handlers: GreeterHandlers = {
    SayHello: unary(async ({ name }) => ({ message: `hello ${name}` })),
    SayHelloStream: serverStreaming(async function* ({ name }) {
      yield { message: `hi ${name}`, last: true };
    }),
    CountHellos: clientStreaming(async (requests) => {
      let count = 0;
      for await (const _ of requests) count += 1;
      return { count };
    }),
    Chat: bidi(async function* (requests) {
      for await (const { name } of requests) yield { message: name };
    }),
  };

  it.each(modes)("in-process (%s): under the method names and their camelCase original names", async (messages) => {
    const client = createInProcessClient(proto.example.Greeter, handlers, { messages });
    closers.push(() => client.close());
    const api = asyncClient(client);
    const reply = await api.SayHello({ name: "ada" });
    expect(reply.message).toBe("hello ada");
    expect((await api.sayHello({ name: "bob" })).message).toBe("hello bob");
    const stream: string[] = [];
    for await (const update of api.sayHelloStream({ name: "ada" })) stream.push(update.message);
    expect(stream).toEqual(["hi ada"]);
    expect((await api.CountHellos([{ name: "a" }, { name: "b" }])).count).toBe(2);
    const chat: string[] = [];
    for await (const echo of api.Chat([{ name: "x" }])) chat.push(echo.message);
    expect(chat).toEqual(["x"]);
  });

  it("handlers under their original (camelCase) names, as grpc.Server accepts them", async () => {
    const client = createInProcessClient(proto.example.Greeter, { sayHello: unary(async ({ name }) => ({ message: name })) });
    closers.push(() => client.close());
    expect((await asyncClient(client).SayHello({ name: "camel" })).message).toBe("camel");
    await expect(asyncClient(client).CountHellos([])).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });
});

describe("the committed generated code", () => {
  it("is what `npm run generate:types` gives now, offline (buf + ts-proto, proto-loader-gen-types)", () => {
    const output = execFileSync(process.execPath, [join(repo, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/generate-types.ts", "--check"], {
      cwd: repo,
      encoding: "utf8",
    });
    expect(output).toContain("test/grpc/generated/ is up to date.");
  }, 60_000);
});
