// Heap soak for the in-process client (target: heap flat over 100,000 in-process calls with
// cancellations). A mix of unary calls, server streams cancelled after their first message (by
// `cancel()` and by breaking out of `for await`), and client streams, 100 at a time; after every
// 10,000 calls: two full GCs, then the heap used and the open entries of the leak registry.
// Run: node --expose-gc --import tsx bench/grpc-soak.ts [calls=100000] [sampleEvery=10000]
import { openBridges } from "../src/core/index.js";
import { createInProcessClient } from "../src/grpc/index.js";
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
import type { TestServiceHandlers } from "../test/grpc/fixtures/test-service.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Expected a callable gc(): run with node --expose-gc");
const total = Number(process.argv[2] ?? 100_000);
const every = Number(process.argv[3] ?? 10_000);
const concurrency = 100;

const client = createInProcessClient(TestService, interopHandlers);
let handlerCancels = 0;
const { ListStrings: listStrings } = interopHandlers;
if (listStrings === undefined) throw new Error("Expected the interop handlers to have ListStrings");
const counting: TestServiceHandlers = {
  ...interopHandlers,
  ListStrings(call) {
    call.on("cancelled", () => (handlerCancels += 1));
    listStrings(call);
  },
};
const cancelling = createInProcessClient(TestService, counting);

const unary = (): Promise<void> =>
  new Promise((resolve, reject) => client.EmptyCall({}, (error) => (error ? reject(error) : resolve())));

/** A long server stream, cancelled once its first message arrived. */
const cancelAfterFirst = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const stream = cancelling.ListStrings({ count: 1000, size: 100 });
    stream.once("data", () => stream.cancel());
    stream.on("error", (error: { code?: number }) => (error.code === 1 ? undefined : reject(error as Error)));
    stream.on("status", () => resolve());
  });

/** The same, left by breaking out of `for await` (which cancels in-process). */
async function breakAfterFirst(): Promise<void> {
  for await (const _ of cancelling.ListStrings({ count: 1000, size: 100 })) break;
}

const clientStream = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const call = client.StreamingInputCall((error) => (error ? reject(error) : resolve()));
    for (let i = 0; i < 3; i++) call.write({ payload: { body: Buffer.alloc(10) } });
    call.end();
  });

const kinds = [unary, cancelAfterFirst, breakAfterFirst, clientStream];

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10)); // pending ticks, the registry's deferred watch
    gc?.();
  }
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
const rows: { calls: number; heap: number; open: number; ms: number }[] = [];
// Warm-up (JIT, lazily created module state), not counted.
for (let i = 0; i < 2000; i += concurrency) await Promise.all(Array.from({ length: concurrency }, (_, j) => (kinds[j % kinds.length] as () => Promise<void>)()));
rows.push({ calls: 0, heap: await settledHeap(), open: openBridges().length, ms: 0 });
const start = performance.now();
for (let done = 0; done < total; ) {
  await Promise.all(Array.from({ length: concurrency }, (_, j) => (kinds[(done + j) % kinds.length] as () => Promise<void>)()));
  done += concurrency;
  if (done % every === 0) rows.push({ calls: done, heap: await settledHeap(), open: openBridges().length, ms: performance.now() - start });
}

console.log(`in-process soak: ${total} calls (unary, server stream cancelled after 1 message, for-await break after 1, client stream of 3), ${concurrency} at a time (node ${process.version})`);
console.log(`${"calls".padStart(8)} ${"heap MiB".padStart(9)} ${"Δ vs 0".padStart(8)} ${"open".padStart(5)} ${"elapsed s".padStart(10)}`);
const base = rows[0]?.heap ?? 0;
for (const r of rows) {
  console.log(`${String(r.calls).padStart(8)} ${mb(r.heap).padStart(9)} ${mb(r.heap - base).padStart(8)} ${String(r.open).padStart(5)} ${(r.ms / 1000).toFixed(1).padStart(10)}`);
}
// Flat: the second half of the samples does not grow (a leak of even 100 B per call would add ~5 MiB over 50,000).
const mid = rows[Math.floor(rows.length / 2)]?.heap ?? 0;
const last = rows[rows.length - 1]?.heap ?? 0;
const perCall = (last - mid) / (total / 2);
console.log(`second half: ${mb(last - mid)} MiB over ${total / 2} calls = ${perCall.toFixed(1)} B/call; handlers saw ${handlerCancels} cancels`);
console.log(Math.abs(perCall) < 16 && rows.every((r) => r.open === 0) ? "FLAT: heap flat, nothing left in the leak registry" : "NOT FLAT: see the table");
client.close();
cancelling.close();
