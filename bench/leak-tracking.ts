// What leak tracking costs (target, docs/semantics.md cheap tracking: <= 5% of bridge throughput with stacks off). Tracking costs per bridge,
// not per value, so short bridges show it most: 1,000,000 values through bridges of 1, 10, 100 and 10,000 values.
// Off / on / on+stacks are interleaved round by round, off and on in alternating order (whichever runs first pays for
// the garbage of the stacks run before it); compared are the minimum of each (noise only adds time), the medians, and
// the median of each round's on/off ratio. Times are CPU time (user + system, all threads): on a shared machine wall
// time also counts the other processes.
//
//   npx tsx bench/leak-tracking.ts [rounds=9]
import { channel, configureLeakTracking } from "../src/core/index.js";
import { machine, median } from "./lib/report.js";

const ROUNDS = Number(process.argv[2] ?? 9);
const TOTAL = Number(process.env["BENCH_N"] ?? 1_000_000);

async function run(perBridge: number): Promise<number> {
  let sum = 0;
  for (let b = 0; b < TOTAL / perBridge; b += 1) {
    const ch = channel<number>();
    for (let i = 0; i < perBridge; i += 1) ch.push(i);
    ch.end();
    for await (const v of ch) sum += v;
  }
  return sum;
}

const settings = { off: { enabled: false, stacks: false }, on: { enabled: true, stacks: false }, stacks: { enabled: true, stacks: true } } as const;
console.log(machine());
console.log(`${TOTAL.toLocaleString("en")} values per run; min and median of ${ROUNDS} interleaved rounds; CPU ns per value`);
console.log(`${"values per bridge".padEnd(18)} ${"off".padStart(8)} ${"on".padStart(8)} ${"stacks".padStart(8)}   on/off (min, median, paired)   stacks/off (min)`);
for (const perBridge of [1, 10, 100, 10_000]) {
  const samples = { off: [] as number[], on: [] as number[], stacks: [] as number[] };
  for (let round = -1; round < ROUNDS; round += 1) {
    for (const key of round % 2 === 0 ? (["off", "on", "stacks"] as const) : (["on", "off", "stacks"] as const)) {
      const before = configureLeakTracking(settings[key]);
      const start = process.cpuUsage();
      await run(perBridge);
      const used = process.cpuUsage(start);
      const ns = ((used.user + used.system) * 1e3) / TOTAL;
      configureLeakTracking(before);
      if (round >= 0) samples[key].push(ns); // round -1 is the warm-up
    }
  }
  const min = (xs: number[]): number => Math.min(...xs);
  const ratio = (a: number, b: number): string => `${((a / b - 1) * 100).toFixed(1)}%`.padStart(6);
  const paired = median(samples.on.map((on, i) => on / (samples.off[i] ?? Number.NaN)));
  console.log(
    `${String(perBridge).padEnd(18)} ${min(samples.off).toFixed(1).padStart(8)} ${min(samples.on).toFixed(1).padStart(8)} ${min(samples.stacks).toFixed(1).padStart(8)}   ` +
      `${ratio(min(samples.on), min(samples.off))}, ${ratio(median(samples.on), median(samples.off))}, ${ratio(paired, 1)}    ${ratio(min(samples.stacks), min(samples.off))}`,
  );
}
