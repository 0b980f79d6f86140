// One ListStrings server-streaming call of 10,000 messages of 100 bytes: in-process (share and
// serialize) beside grpc-js over 127.0.0.1, same process. Prints the median of N calls after warm-up.
// Run: npx tsx bench/grpc-quick.ts [calls=15] [messages=10000] [size=100]
import * as grpc from "@grpc/grpc-js";
import { createInProcessClient } from "../src/grpc/index.js";
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
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

async function median(client: TestServiceClient): Promise<number> {
  for (let i = 0; i < warmup; i++) await listStrings(client);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await listStrings(client);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const server = new grpc.Server();
server.addService(TestService.service, interopHandlers as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
);
const tcpClient = new TestService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const rows: [string, TestServiceClient][] = [
  ["grpc-js over 127.0.0.1", tcpClient],
  ["in-process share", createInProcessClient(TestService, interopHandlers)],
  ["in-process clone", createInProcessClient(TestService, interopHandlers, { messages: "clone" })],
  ["in-process serialize", createInProcessClient(TestService, interopHandlers, { messages: "serialize" })],
];
const results: [string, number][] = [];
for (const [name, client] of rows) results.push([name, await median(client)]);
const baseline = results[0]?.[1] ?? NaN;
console.log(`ListStrings: ${count} messages of ${size} B, median of ${calls} calls after ${warmup} warm-up (node ${process.version})`);
for (const [name, ms] of results) {
  console.log(`${name.padEnd(24)} ${ms.toFixed(2).padStart(9)} ms  ${((ms * 1000) / count).toFixed(2).padStart(6)} µs/msg  ${(baseline / ms).toFixed(1).padStart(6)}x vs TCP`);
}
for (const [, client] of rows) client.close();
server.forceShutdown();
