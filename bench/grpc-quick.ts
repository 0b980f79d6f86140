// One ListStrings server-streaming call of 10,000 messages of 100 bytes: in-process (share, clone,
// serialize), the in-memory HTTP/2 pipe, and the async-iterable path (asyncClient, and handlers
// written with serverStreaming) beside grpc-js over 127.0.0.1, same process. Prints the median of N
// calls after warm-up.
// Run: npx tsx bench/grpc-quick.ts [calls=15] [messages=10000] [size=100]
import * as grpc from "@grpc/grpc-js";
import { asyncClient, createInProcessClient, createPipeChannel } from "../src/grpc/index.js";
import { adapterHandlers } from "../test/grpc/fixtures/adapter-handlers.js";
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
import { medianMs } from "./lib/report.js";
import type { TestServiceClient } from "../test/grpc/fixtures/test-service.js";

const calls = Number(process.argv[2] ?? 15);
const count = Number(process.argv[3] ?? 10_000);
const size = Number(process.argv[4] ?? 100);
const warmup = 3;

function listStrings(client: TestServiceClient): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const stream = client.ListStrings({ count, size });
    stream.on("data", () => (received += 1));
    stream.on("error", reject);
    stream.on("end", () => (received === count ? resolve(received) : reject(new Error(`Expected ${count} messages, got ${received}`))));
  });
}

/** The same call through asyncClient: a sluice iterator over the response stream. */
async function listStringsAsync(client: TestServiceClient): Promise<number> {
  let received = 0;
  for await (const message of asyncClient(client).ListStrings({ count, size })) if (message.value !== undefined) received += 1;
  if (received !== count) throw new Error(`Expected ${count} messages, got ${received}`);
  return received;
}

const server = new grpc.Server();
server.addService(TestService.service, interopHandlers as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
);
const tcpClient = new TestService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const adapterServer = new grpc.Server();
adapterServer.addService(TestService.service, adapterHandlers as grpc.UntypedServiceImplementation);
const pipeClient = (target: grpc.Server): TestServiceClient =>
  new TestService("pipe", grpc.credentials.createInsecure(), { channelOverride: createPipeChannel(target) });
const clients = {
  tcp: tcpClient,
  pipe: pipeClient(server),
  pipeAdapters: pipeClient(adapterServer),
  share: createInProcessClient(TestService, interopHandlers),
  clone: createInProcessClient(TestService, interopHandlers, { messages: "clone" }),
  serialize: createInProcessClient(TestService, interopHandlers, { messages: "serialize" }),
  shareAdapters: createInProcessClient(TestService, adapterHandlers),
};
const rows: [string, () => Promise<number>][] = [
  ["grpc-js over 127.0.0.1", () => listStrings(clients.tcp)],
  ["grpc-js client over pipe", () => listStrings(clients.pipe)],
  ["in-process share", () => listStrings(clients.share)],
  ["in-process clone", () => listStrings(clients.clone)],
  ["in-process serialize", () => listStrings(clients.serialize)],
  ["asyncClient over 127.0.0.1", () => listStringsAsync(clients.tcp)],
  ["asyncClient over pipe", () => listStringsAsync(clients.pipe)],
  ["asyncClient pipe, adapters", () => listStringsAsync(clients.pipeAdapters)],
  ["asyncClient in-process", () => listStringsAsync(clients.share)],
  ["asyncClient in-proc, adapters", () => listStringsAsync(clients.shareAdapters)],
];
const results: [string, number][] = [];
for (const [name, run] of rows) results.push([name, await medianMs(run, calls, warmup)]);
const baseline = results[0]?.[1] ?? NaN;
console.log(`ListStrings: ${count} messages of ${size} B, median of ${calls} calls after ${warmup} warm-up (node ${process.version})`);
for (const [name, ms] of results) {
  console.log(`${name.padEnd(30)} ${ms.toFixed(2).padStart(9)} ms  ${((ms * 1000) / count).toFixed(2).padStart(6)} µs/msg  ${(baseline / ms).toFixed(1).padStart(6)}x vs TCP`);
}
for (const client of Object.values(clients)) client.close();
server.forceShutdown();
adapterServer.forceShutdown();
