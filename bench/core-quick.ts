// Per-value cost of the core bridge beside a plain async generator, measured in one process, round-robin.
// Run: npm run bench   (or: npx tsx bench/core-quick.ts). Prints ratios; asserts nothing.
// Leak tracking's own cost is measured separately, more carefully: bench/leak-tracking.ts.
import { channel, pull } from "../src/core/index.js";

const N = Number(process.env["BENCH_N"] ?? 1_000_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);

async function floor(): Promise<number> {
  async function* values(): AsyncGenerator<number> {
    for (let i = 0; i < N; i += 1) yield i;
  }
  let sum = 0;
  for await (const v of values()) sum += v;
  return sum;
}

async function burst(): Promise<number> {
  const ch = channel<number>();
  for (let i = 0; i < N; i += 1) ch.push(i);
  ch.end();
  let sum = 0;
  for await (const v of ch) sum += v;
  return sum;
}

async function chunked(): Promise<number> {
  const ch = channel<number>();
  void (async () => {
    for (let i = 0; i < N; i += 1) {
      ch.push(i);
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    ch.end();
  })();
  let sum = 0;
  for await (const v of ch) sum += v;
  return sum;
}

async function rendezvous(): Promise<number> {
  const source = pull<number>(async (send) => {
    for (let i = 0; i < N; i += 1) if (!(await send(i))) return;
  });
  let sum = 0;
  for await (const v of source) sum += v;
  return sum;
}

async function batches(): Promise<number> {
  const ch = channel<number>();
  for (let i = 0; i < N; i += 1) ch.push(i);
  ch.end();
  let sum = 0;
  for (let r = await ch.nextBatch(); r.done !== true; r = await ch.nextBatch(1024)) for (const v of r.value) sum += v;
  return sum;
}

async function drain(n: number): Promise<number> {
  const ch = channel<number>();
  for (let i = 0; i < n; i += 1) ch.push(i);
  ch.end();
  const start = performance.now();
  let sum = 0;
  for await (const v of ch) sum += v;
  if (sum < 0) throw new Error("unreachable");
  return ((performance.now() - start) * 1e6) / n;
}

const cases: Record<string, () => Promise<number>> = {
  "async function* (floor)": floor,
  "channel burst": burst,
  "channel chunked (1,000 per turn)": chunked,
  "pull rendezvous (hwm 0)": rendezvous,
  "nextBatch(1024)": batches,
};

const samples = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
for (const fn of Object.values(cases)) await fn(); // warm-up
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, fn] of Object.entries(cases)) {
    const start = performance.now();
    await fn();
    samples.get(name)?.push(((performance.now() - start) * 1e6) / N);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const base = median(samples.get("async function* (floor)") ?? []);
console.log(`Node ${process.version}, N=${N}, median of ${ROUNDS} rounds (ns per value; ratio to the floor)`);
for (const [name, xs] of samples) {
  const m = median(xs);
  console.log(`${name.padEnd(48)} ${m.toFixed(1).padStart(8)} ns  ${(m / base).toFixed(2)}x`);
}
const deep = [10_000, 300_000];
for (const n of deep) await drain(n);
for (const n of deep) {
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) xs.push(await drain(n));
  console.log(`drain ${n.toLocaleString("en")} buffered values`.padEnd(48), `${median(xs).toFixed(1).padStart(8)} ns`);
}
