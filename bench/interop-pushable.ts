// Per-value cost of sluice/interop's pushable() beside it-pushable 3.2.4, measured in one process, round-robin.
// Run: npm run bench:interop (or npx tsx bench/interop-pushable.ts)   (BENCH_N, BENCH_ROUNDS to change the size). Prints ratios; asserts nothing.
// Leak tracking is on (the default), as users run it.
import { pushable as itPushable, pushableV as itPushableV } from "it-pushable";
import { channel } from "../src/core/index.js";
import { pushable, pushableV } from "../src/interop/index.js";

const N = Number(process.env["BENCH_N"] ?? 200_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);

/** The common surface of both libraries that the cases use. */
interface Subject {
  push(value: unknown): unknown;
  end(): unknown;
  onEmpty(options?: { signal?: AbortSignal }): Promise<void>;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}
type Factory = (options: { objectMode?: boolean }) => Subject;

const libraries: Record<string, { single: Factory; batch: Factory }> = {
  "it-pushable": {
    single: (o) => (o.objectMode === true ? itPushable({ objectMode: true }) : itPushable()) as Subject,
    batch: (o) => (o.objectMode === true ? itPushableV({ objectMode: true }) : itPushableV()) as Subject,
  },
  sluice: {
    single: (o) => (o.objectMode === true ? pushable({ objectMode: true }) : pushable()) as Subject,
    batch: (o) => (o.objectMode === true ? pushableV({ objectMode: true }) : pushableV()) as Subject,
  },
};

async function drain(source: Subject): Promise<number> {
  let count = 0;
  for await (const value of source) count += Array.isArray(value) ? value.length : 1;
  return count;
}

const chunk = new Uint8Array(64);
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const modes: Record<string, (make: { single: Factory; batch: Factory }) => Promise<number>> = {
  "burst (object mode)": async ({ single }) => {
    const p = single({ objectMode: true });
    for (let i = 0; i < N; i += 1) p.push(i);
    p.end();
    return drain(p);
  },
  "burst (byte mode, 64 B chunks)": async ({ single }) => {
    const p = single({});
    for (let i = 0; i < N; i += 1) p.push(chunk);
    p.end();
    return drain(p);
  },
  "1,000 per event-loop turn": async ({ single }) => {
    const p = single({ objectMode: true });
    void (async () => {
      for (let i = 0; i < N; i += 1) {
        p.push(i);
        if (i % 1000 === 999) await turn();
      }
      p.end();
    })();
    return drain(p);
  },
  "push + await onEmpty({ signal }) per value": async ({ single }) => {
    // With a signal: it-pushable's onEmpty() without one resolves without waiting (see docs/interop.md).
    const signal = new AbortController().signal;
    const p = single({ objectMode: true });
    void (async () => {
      for (let i = 0; i < N; i += 1) {
        p.push(i);
        await p.onEmpty({ signal });
      }
      p.end();
    })();
    return drain(p);
  },
  "pushableV burst (batch reads)": async ({ batch }) => {
    const p = batch({ objectMode: true });
    for (let i = 0; i < N; i += 1) p.push(i);
    setImmediate(() => p.end()); // after the first read: it-pushable's pushableV folds a batch read after end() into done
    return drain(p);
  },
};

async function floor(): Promise<number> {
  async function* values(): AsyncGenerator<number> {
    for (let i = 0; i < N; i += 1) yield i;
  }
  let count = 0;
  for await (const _ of values()) count += 1;
  return count;
}

async function channelBurst(): Promise<number> {
  const ch = channel<number>();
  for (let i = 0; i < N; i += 1) ch.push(i);
  ch.end();
  let count = 0;
  for await (const _ of ch) count += 1;
  return count;
}

async function sluiceSend(): Promise<number> {
  const p = pushable<number>({ objectMode: true, highWaterMark: 0 });
  void (async () => {
    for (let i = 0; i < N; i += 1) if (!(await p.send(i))) return;
    p.end();
  })();
  let count = 0;
  for await (const _ of p) count += 1;
  return count;
}

const cases: Array<[string, () => Promise<number>]> = [
  ["async function* (floor)", floor],
  ["sluice channel burst (the core)", channelBurst],
  ["sluice pushable, await send() at hwm 0", sluiceSend],
];
for (const [mode, run] of Object.entries(modes)) {
  for (const [library, make] of Object.entries(libraries)) cases.push([`${mode} | ${library}`, () => run(make)]);
}

const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, fn] of cases) await fn(); // warm-up
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, fn] of cases) {
    const start = performance.now();
    const count = await fn();
    if (count !== N) throw new Error(`${name}: ${count} values, expected ${N}`);
    samples.get(name)?.push(((performance.now() - start) * 1e6) / N);
  }
}
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ns = (name: string): number => median(samples.get(name) ?? []);
const base = ns("async function* (floor)");

console.log(`Node ${process.version}, N=${N}, median of ${ROUNDS} rounds; ns per value, and its ratio to a plain async function*`);
console.log(`| case | ns per value | × floor |\n|---|---:|---:|`);
for (const [name] of cases.slice(0, 3)) console.log(`| ${name} | ${ns(name).toFixed(1)} | ${(ns(name) / base).toFixed(2)} |`);
console.log(`\n| mode | it-pushable ns | sluice ns | sluice / it-pushable |\n|---|---:|---:|---:|`);
for (const mode of Object.keys(modes)) {
  const a = ns(`${mode} | it-pushable`);
  const b = ns(`${mode} | sluice`);
  console.log(`| ${mode} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)}× |`);
}
