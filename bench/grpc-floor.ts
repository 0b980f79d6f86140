// Throwaway measurement (not shipped): the floor of the drop-in path. How fast can *any* object behind
// `new grpc.InterceptingCall(obj)` deliver N messages into grpc-js's ClientReadableStream, consumed with
// 'data' events or `for await`? Three fake bottoms:
//   sync  — `startRead()` calls `onReceiveMessage` at once (no tick at all: the absolute floor);
//   tick  — one `process.nextTick` per `startRead()` (one tick per message, handler and caller kept apart);
//   micro — one `queueMicrotask` per `startRead()`.
// Beside them, the real in-process client and grpc-js over 127.0.0.1, in the same run.
// Run: npx tsx bench/grpc-floor.ts [calls=15] [messages=10000]
import * as grpc from "@grpc/grpc-js";
import { createInProcessClient } from "../src/grpc/index.js";
import type { InterceptingCallInterface } from "../src/grpc/in-process/in-process-call.js";
import { InProcessChannel } from "../src/grpc/in-process/in-process-channel.js";
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
import { medianMs } from "./lib/report.js";
import type { TestServiceClient } from "../test/grpc/fixtures/test-service.js";

const calls = Number(process.argv[2] ?? 15);
const count = Number(process.argv[3] ?? 10_000);
const warmup = 3;
const value = "x".repeat(100);

type Mode = "sync" | "tick" | "micro";

/** The least a bottom call can do: one message per startRead, then OK. */
function fakeCall(mode: Mode): InterceptingCallInterface {
  let listener: grpc.InterceptingListener = { onReceiveMetadata() {}, onReceiveMessage() {}, onReceiveStatus() {} };
  let sent = 0;
  let done = false;
  const deliver = (): void => {
    if (done) return;
    if (sent < count) {
      sent += 1;
      listener.onReceiveMessage({ value });
      return;
    }
    done = true;
    listener.onReceiveStatus({ code: grpc.status.OK, details: "OK", metadata: new grpc.Metadata() });
  };
  return {
    start(_md: grpc.Metadata, l: grpc.InterceptingListener) {
      listener = l;
      process.nextTick(() => listener.onReceiveMetadata(new grpc.Metadata()));
    },
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {
      if (mode === "sync") deliver();
      else if (mode === "tick") process.nextTick(deliver);
      else queueMicrotask(deliver);
    },
    halfClose() {},
    cancelWithStatus() {},
    getPeer: () => "fake",
    getAuthContext: () => null,
  };
}

function fakeClient(mode: Mode): TestServiceClient {
  return new TestService("fake", grpc.credentials.createInsecure(), {
    channelOverride: new InProcessChannel(),
    interceptors: [() => new grpc.InterceptingCall(fakeCall(mode))],
  });
}

function viaData(client: TestServiceClient): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const stream = client.ListStrings({ count, size: 100 });
    stream.on("data", () => (received += 1));
    stream.on("error", reject);
    stream.on("end", () => (received === count ? resolve() : reject(new Error(`got ${received}`))));
  });
}

async function viaForAwait(client: TestServiceClient): Promise<void> {
  let received = 0;
  for await (const _ of client.ListStrings({ count, size: 100 })) received += 1;
  if (received !== count) throw new Error(`got ${received}`);
}

const server = new grpc.Server();
server.addService(TestService.service, interopHandlers as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
);
const tcp = new TestService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const share = createInProcessClient(TestService, interopHandlers);
const rows: [string, () => Promise<void>][] = [
  ["tcp data", () => viaData(tcp)],
  ["in-process share data", () => viaData(share)],
  ["in-process share for-await", () => viaForAwait(share)],
];
for (const mode of ["sync", "tick", "micro"] as const) {
  const client = fakeClient(mode);
  rows.push([`floor ${mode} data`, () => viaData(client)], [`floor ${mode} for-await`, () => viaForAwait(client)]);
}
const results: [string, number][] = [];
for (const [name, run] of rows) results.push([name, await medianMs(run, name.startsWith("tcp") ? Math.min(calls, 9) : calls, warmup)]);
const baseline = results[0]?.[1] ?? NaN;
console.log(`${count} messages, median of ${calls} calls after ${warmup} warm-up (node ${process.version})`);
for (const [name, ms] of results) {
  console.log(`${name.padEnd(30)} ${ms.toFixed(2).padStart(9)} ms  ${((ms * 1000) / count).toFixed(3).padStart(7)} µs/msg  ${(baseline / ms).toFixed(1).padStart(6)}x vs TCP`);
}
tcp.close();
share.close();
server.forceShutdown();
