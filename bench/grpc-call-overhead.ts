// Per-call cost of short in-process calls, with leak tracking on and off (alternated in one process),
// to measure what the leak registry adds to a call: unary, and server streams of 1 message.
// Run: npx tsx bench/grpc-call-overhead.ts [rounds=15] [callsPerRound=2000]
import { configureLeakTracking } from "../src/core/index.js";
import { createInProcessClient } from "../src/grpc/index.js";
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
import type { TestServiceClient } from "../test/grpc/fixtures/test-service.js";

const rounds = Number(process.argv[2] ?? 15);
const perRound = Number(process.argv[3] ?? 2000);
const client: TestServiceClient = createInProcessClient(TestService, interopHandlers);

const unary = (): Promise<void> =>
  new Promise((resolve, reject) => client.EmptyCall({}, (error) => (error ? reject(error) : resolve())));
const stream1 = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const stream = client.ListStrings({ count: 1, size: 100 });
    stream.on("data", () => {});
    stream.on("error", reject);
    stream.on("end", resolve);
  });

/** µs per call: `perRound` calls in sequence, then the same number 100 at a time. */
async function measure(call: () => Promise<void>, concurrent: boolean): Promise<number> {
  const start = performance.now();
  if (concurrent) {
    for (let i = 0; i < perRound; i += 100) await Promise.all(Array.from({ length: 100 }, call));
  } else {
    for (let i = 0; i < perRound; i++) await call();
  }
  return ((performance.now() - start) * 1000) / perRound;
}

const cases = [
  ["unary, sequential", unary, false],
  ["unary, 100 concurrent", unary, true],
  ["server stream of 1, sequential", stream1, false],
  ["server stream of 1, 100 concurrent", stream1, true],
] as const;
const samples = new Map<string, number[]>();
for (let round = -2; round < rounds; round++) {
  for (const [name, call, concurrent] of cases) {
    for (const enabled of round % 2 === 0 ? [true, false] : [false, true]) {
      configureLeakTracking({ enabled });
      const us = await measure(call, concurrent);
      if (round < 0) continue;
      const key = `${name}|${enabled ? "on" : "off"}`;
      samples.set(key, [...(samples.get(key) ?? []), us]);
    }
  }
}
configureLeakTracking({ enabled: true });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
console.log(`µs per call, median of ${rounds} rounds of ${perRound} calls (node ${process.version})`);
console.log(`${"case".padEnd(36)} ${"tracking on".padStart(12)} ${"off".padStart(8)} ${"overhead".padStart(10)}`);
for (const [name] of cases) {
  const on = median(samples.get(`${name}|on`) ?? []);
  const off = median(samples.get(`${name}|off`) ?? []);
  console.log(`${name.padEnd(36)} ${on.toFixed(2).padStart(12)} ${off.toFixed(2).padStart(8)} ${`${(on - off).toFixed(2)} (${((100 * (on - off)) / off).toFixed(1)}%)`.padStart(10)}`);
}
client.close();
