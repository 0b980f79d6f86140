// One ListStrings server-streaming call (10,000 messages of 100 B, and of 1 KiB), fully consumed, through every
// way of calling your own service. CPU ms per call (median after warm-up, options interleaved round-robin), ratio to
// grpc-js over 127.0.0.1, and JS heap allocated per call. Times are CPU time of this process (client and server both).
//
//   npm run bench:grpc             full run (writes bench/results/grpc.{md,svg})
//   npx tsx bench/grpc.ts --quick  a smoke run (small calls, nothing written)
import { GCProfiler } from "node:v8";
import { type CallOption, type OpenedOption, callOptions } from "../src/examples/list-strings/options.js";
import { barChart, formatNumber, machine, markdownTable, median, writeResult } from "./lib/report.js";

const quick = process.argv.includes("--quick");
const CALLS = quick ? 2 : Number(process.env["BENCH_CALLS"] ?? 12);
const COUNT = quick ? 200 : 10_000;
const SIZES = [100, 1024];
const ALLOCATION_CALLS = quick ? 1 : 3; // after the timed calls, with the GC profiler on

interface Measured {
  readonly option: CallOption;
  readonly ms: number[];
  readonly allocated: number[];
}

/**
 * Runs one call and measures its CPU time (user + system, all threads: client and server run in this process; on a
 * shared machine wall time also counts other processes).
 */
async function timeCall(open: OpenedOption, size: number): Promise<number> {
  const start = process.cpuUsage();
  const received = await open.listStrings({ count: COUNT, size, prefix: "" });
  const used = process.cpuUsage(start);
  if (received !== COUNT) throw new Error(`expected ${COUNT} messages, got ${received}`);
  return (used.user + used.system) / 1000;
}

/**
 * Runs one call and measures the JS heap it allocated (live growth plus what GCs reclaimed meanwhile). Apart from
 * the timed calls: the GC profiler's bookkeeping at every collection would be counted as the call's CPU time, and it
 * weighed most on the rows that allocate most (2.1–2.8 ms became 2.4–5.1 ms for the direct pull at 100 B).
 */
async function allocationOfCall(open: OpenedOption, size: number): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const heapBefore = process.memoryUsage().heapUsed;
  await open.listStrings({ count: COUNT, size, prefix: "" });
  const heapAfter = process.memoryUsage().heapUsed;
  const stats = profiler.stop();
  let reclaimed = 0;
  for (const gc of stats?.statistics ?? []) reclaimed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return heapAfter - heapBefore + reclaimed;
}

async function run(size: number): Promise<Measured[]> {
  const options = callOptions();
  const opened = await Promise.all(options.map(async (option) => ({ option, open: await option.open() })));
  const results = opened.map(({ option }) => ({ option, ms: [] as number[], allocated: [] as number[] }));
  try {
    for (let warm = 0; warm < (quick ? 1 : 3); warm += 1) for (const { open } of opened) await timeCall(open, size);
    for (let round = 0; round < CALLS; round += 1) {
      for (const [i, { open }] of opened.entries()) results[i]?.ms.push(await timeCall(open, size));
    }
    for (let round = 0; round < ALLOCATION_CALLS; round += 1) {
      for (const [i, { open }] of opened.entries()) results[i]?.allocated.push(await allocationOfCall(open, size));
    }
  } finally {
    await Promise.all(opened.map(({ open }) => open.close()));
  }
  return results;
}

const bySize = new Map<number, Measured[]>();
for (const size of SIZES) {
  if (!quick) process.stderr.write(`ListStrings ${COUNT} x ${size} B ...\n`);
  bySize.set(size, await run(size));
}

const names = (bySize.get(SIZES[0] ?? 100) ?? []).map((m) => m.option.name);
const header = ["option", ...SIZES.flatMap((s) => [`${s} B: CPU ms/call`, `${s} B: vs TCP`, `${s} B: KiB alloc/call`])];
const rows = names.map((name, i) => [
  name.startsWith("sluice") ? `**${name}**` : name,
  ...SIZES.flatMap((size) => {
    const all = bySize.get(size) ?? [];
    const m = all[i];
    const tcp = median(all[0]?.ms ?? []);
    const ms = median(m?.ms ?? []);
    return [formatNumber(ms), `${(tcp / ms).toFixed(1)}×`, formatNumber(median(m?.allocated ?? []) / 1024)];
  }),
]);
const descriptions = names.map((name, i) => {
  const option = bySize.get(SIZES[0] ?? 100)?.[i]?.option;
  return `- **${name}** keeps ${option?.keeps}; gives up ${option?.givesUp}.`;
});
const markdown = [
  "# ListStrings: calling your own gRPC service",
  "",
  `${machine()}. One server-streaming call of ${COUNT.toLocaleString("en")} messages, fully consumed (grpc-js streams read with 'data' events; the sluice async-iterable and direct rows with \`for await\` or \`batches()\`); the same handler everywhere (the grpc-js style handler honouring 'drain', or the same written as a \`serverStreaming\` generator where the row says so). CPU time of the process (client and server both), median of ${CALLS} calls per option after warm-up, options interleaved round-robin in one process. "vs TCP" is the speed-up over grpc-js over 127.0.0.1 measured in the same run. "KiB alloc/call" is JS heap allocated during a call (live growth plus what garbage collections reclaimed meanwhile), the median of ${ALLOCATION_CALLS} more calls per option made with a GC profiler after the timed ones (the profiler's own work is not in the times).`,
  "",
  markdownTable(header, rows),
  "",
  ...descriptions,
  "",
  "Reproduce: `npm run bench:grpc`. The same comparison, shorter, is the first part of `npm run demo`.",
  "",
].join("\n");
const svg = barChart({
  title: "ListStrings: CPU ms per call (lower is better)",
  unit: `one call of ${COUNT.toLocaleString("en")} messages`,
  note: machine(),
  log: true,
  highlight: "sluice direct: pull the handler",
  groups: SIZES.map((size) => ({
    label: `${size} B messages`,
    bars: (bySize.get(size) ?? []).map((m) => ({ name: m.option.name, value: median(m.ms) })),
  })),
});
console.log(markdown);
if (!quick) {
  console.log(`wrote ${writeResult("grpc.md", markdown)}`);
  console.log(`wrote ${writeResult("grpc.svg", svg)}`);
}
