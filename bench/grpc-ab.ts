// Throwaway A/B driver (not shipped): the in-process client from two source trees in one process,
// calls alternated so that machine noise hits both alike. Reports p10/median wall ms per ListStrings call.
// Run: npx tsx bench/grpc-ab.ts <dirA/src/grpc/index.ts> <dirB/src/grpc/index.ts> [mode=share] [rounds=60] [count=10000]
// With mode "unary", each sample is `count` EmptyCalls, 100 at a time, instead (reported per call).
// tsx's keepNames wraps every named closure in `__name` (a defineProperty per closure): per-call costs
// are best compared on tsc output (compile src, test and bench with tsc and run this file with node).
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
import type { TestServiceClient } from "../test/grpc/fixtures/test-service.js";

type Factory = (ctor: typeof TestService, impl: object, options: object) => TestServiceClient;
const [pathA = "", pathB = "", mode = "share", roundsArg = "60", countArg = "10000"] = process.argv.slice(2);
const rounds = Number(roundsArg);
const count = Number(countArg);
const load = async (path: string): Promise<Factory> => ((await import(path)) as { createInProcessClient: Factory }).createInProcessClient;
const unary = mode === "unary";
const options = { messages: unary ? "share" : mode };
const clients = [(await load(pathA))(TestService, interopHandlers, options), (await load(pathB))(TestService, interopHandlers, options)];

async function one(client: TestServiceClient): Promise<void> {
  if (unary) {
    const call = (): Promise<void> => new Promise((resolve, reject) => client.EmptyCall({}, (error) => (error ? reject(error) : resolve())));
    for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: 100 }, call));
    return;
  }
  return new Promise((resolve, reject) => {
    const stream = client.ListStrings({ count, size: 100 });
    stream.on("data", () => {});
    stream.on("error", reject);
    stream.on("end", resolve);
  });
}
const samples: number[][] = [[], []];
for (let r = -5; r < rounds; r++) {
  for (let i = 0; i < 2; i++) {
    const k = r % 2 === 0 ? i : 1 - i;
    const start = performance.now();
    await one(clients[k] as TestServiceClient);
    if (r >= 0) samples[k]?.push(performance.now() - start);
  }
}
for (const [i, xs] of samples.entries()) {
  xs.sort((a, b) => a - b);
  const at = (q: number): string => (xs[Math.floor(q * (xs.length - 1))] ?? NaN).toFixed(2);
  console.log(`${i === 0 ? "A" : "B"} ${[pathA, pathB][i]}: p10 ${at(0.1)}  median ${at(0.5)} ms/sample  (${((Number(at(0.5)) * 1000) / count).toFixed(3)} µs/${unary ? "call" : "msg"} median)`);
}
for (const c of clients) c.close();
