// The core's hot paths beside their baselines, in one process, round-robin, as same-run ratios against targets:
//   - push 10,000 objects into channel({ highWaterMark: Infinity }) and drain them with nextBatch(), vs pushing them
//     into an array and slicing it (the batch read, and the in-process gRPC direct path's way in and out)  <= 3×
//   - burst (push N, then for await) and chunked (1,000 per event-loop turn) vs a plain async function*  <= 0.8×, 0.7×,
//     burst beside a minimal queue (N values in arrays of 4,096, each read with one settled promise): a generator
//     holds no values, and buffering N of them costs GC work that no queue avoids
//   - rendezvous (pull, highWaterMark 0: the producer awaits every send) vs async function*               <= 1.0×,
//     beside a hand-written minimal rendezvous (one promise per side per value, no bookkeeping): the floor of any
//     bridge written in JavaScript, where a generator's suspension is the engine's own
//   - leak tracking on vs off with 1 and 10 values per bridge (its cost is per bridge)                  <= 5%
// Time is CPU time (user + system, all threads, so GC helpers count) per value: on a shared machine, wall time also
// counts the other processes. Each case checks the sum it consumed. Prints; asserts nothing.
//
//   npm run bench:core          (BENCH_N values per case, default 300,000; BENCH_ROUNDS rounds, default 15)
import { channel, configureLeakTracking, pull } from "../src/core/index.js";
import { formatNumber, machine, markdownTable, median, roundRobin } from "./lib/report.js";

const N = Number(process.env["BENCH_N"] ?? 300_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 15);
const BATCH = Math.min(N, 10_000);
const BATCHES = Math.max(1, Math.floor(N / BATCH));
const CHUNK = 1_000;
const sumTo = (n: number): number => (n * (n - 1)) / 2;

/** Runs `run` and returns its CPU time in ns per value, after checking the total it returns. */
async function cpuPerValue(name: string, values: number, expected: number, run: () => Promise<number>): Promise<number> {
  const start = process.cpuUsage();
  const total = await run();
  const used = process.cpuUsage(start);
  if (total !== expected) throw new Error(`${name}: consumed ${total}, expected ${expected}`);
  return ((used.user + used.system) * 1_000) / values;
}

const items = Array.from({ length: BATCH }, (_, i) => ({ i }));
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function sum(iterable: AsyncIterable<number>): Promise<number> {
  let total = 0;
  for await (const v of iterable) total += v;
  return total;
}

/** The least a JavaScript rendezvous can do: one pending promise for the producer, one settled one for the consumer. */
function minimalRendezvous(producer: (send: (value: number) => Promise<boolean>) => Promise<void>): AsyncIterable<number> {
  const yes = Promise.resolve(true);
  let value = 0;
  let held = false;
  let started = false;
  let ended = false;
  let sender: ((accepted: boolean) => void) | undefined;
  let reader: ((result: IteratorResult<number, undefined>) => void) | undefined;
  const send = (v: number): Promise<boolean> => {
    if (reader !== undefined) {
      const resolve = reader;
      reader = undefined;
      resolve({ value: v, done: false });
      return yes;
    }
    value = v;
    held = true;
    return new Promise((resolve) => (sender = resolve));
  };
  const iterator: AsyncIterableIterator<number, undefined> = {
    next() {
      if (!started) {
        started = true;
        void producer(send).then(() => {
          ended = true;
          reader?.({ value: undefined, done: true });
        });
      }
      if (held) {
        held = false;
        sender?.(true);
        return Promise.resolve({ value, done: false });
      }
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (reader = resolve));
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** The least a buffering bridge can do: N values in arrays of 4,096 (no large-object arrays), one settled promise per read. */
function minimalQueue(n: number): AsyncIterable<number> {
  const chunks: number[][] = [];
  for (let i = 0; i < n; i += 1) {
    if (i % 4_096 === 0) chunks.push([]);
    (chunks[chunks.length - 1] as number[]).push(i);
  }
  let chunk = 0;
  let index = 0;
  const iterator: AsyncIterableIterator<number, undefined> = {
    next() {
      const values = chunks[chunk];
      if (values === undefined) return Promise.resolve({ value: undefined, done: true });
      const value = values[index] as number;
      index += 1;
      if (index === values.length) {
        chunks[chunk] = [];
        chunk += 1;
        index = 0;
      }
      return Promise.resolve({ value, done: false });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** N values through bridges of `perBridge` values each, with leak tracking on or off. */
async function shortBridges(perBridge: number, tracking: boolean): Promise<number> {
  const before = configureLeakTracking({ enabled: tracking });
  try {
    let total = 0;
    for (let b = 0; b < N / perBridge; b += 1) {
      const ch = channel<number>();
      for (let i = 0; i < perBridge; i += 1) ch.push(i);
      ch.end();
      for await (const v of ch) total += v;
    }
    return total;
  } finally {
    configureLeakTracking(before);
  }
}

const cases: ReadonlyArray<{ readonly key: string; readonly values: number; readonly expected: number; readonly run: () => Promise<number> }> = [
  {
    key: "array push + slice (baseline)",
    values: BATCH * BATCHES,
    expected: BATCH * BATCHES,
    run: async () => {
      let total = 0;
      for (let b = 0; b < BATCHES; b += 1) {
        const array: Array<{ i: number }> = [];
        for (let i = 0; i < BATCH; i += 1) array.push(items[i] as { i: number });
        total += array.slice().length;
      }
      return total;
    },
  },
  {
    key: "channel push + nextBatch()",
    values: BATCH * BATCHES,
    expected: BATCH * BATCHES,
    run: async () => {
      let total = 0;
      for (let b = 0; b < BATCHES; b += 1) {
        const ch = channel<{ i: number }>({ highWaterMark: Infinity });
        for (let i = 0; i < BATCH; i += 1) ch.push(items[i] as { i: number });
        ch.end();
        for (let r = await ch.nextBatch(); r.done !== true; r = await ch.nextBatch()) total += r.value.length;
      }
      return total;
    },
  },
  {
    key: "async function* (baseline)",
    values: N,
    expected: sumTo(N),
    run: () =>
      sum(
        (async function* () {
          for (let i = 0; i < N; i += 1) yield i;
        })(),
      ),
  },
  {
    key: "channel burst",
    values: N,
    expected: sumTo(N),
    run: async () => {
      const ch = channel<number>();
      for (let i = 0; i < N; i += 1) ch.push(i);
      ch.end();
      return sum(ch);
    },
  },
  {
    key: "minimal JS queue burst (floor)",
    values: N,
    expected: sumTo(N),
    run: () => sum(minimalQueue(N)),
  },
  {
    key: "async function*, a turn per 1,000 (baseline)",
    values: N,
    expected: sumTo(N),
    run: () =>
      sum(
        (async function* () {
          for (let i = 0; i < N; i += 1) {
            yield i;
            if (i % CHUNK === CHUNK - 1) await turn();
          }
        })(),
      ),
  },
  {
    key: "channel chunked (1,000 per turn)",
    values: N,
    expected: sumTo(N),
    run: async () => {
      const ch = channel<number>();
      void (async () => {
        for (let i = 0; i < N; i += 1) {
          ch.push(i);
          if (i % CHUNK === CHUNK - 1) await turn();
        }
        ch.end();
      })();
      return sum(ch);
    },
  },
  {
    key: "pull rendezvous (hwm 0)",
    values: N,
    expected: sumTo(N),
    run: () =>
      sum(
        pull<number>(async (send) => {
          for (let i = 0; i < N; i += 1) if (!(await send(i))) return;
        }),
      ),
  },
  {
    key: "minimal JS rendezvous (floor)",
    values: N,
    expected: sumTo(N),
    run: () =>
      sum(
        minimalRendezvous(async (send) => {
          for (let i = 0; i < N; i += 1) if (!(await send(i))) return;
        }),
      ),
  },
  ...[1, 10].flatMap((perBridge) =>
    [false, true].map((tracking) => ({
      key: `${perBridge} value${perBridge === 1 ? "" : "s"} per bridge, tracking ${tracking ? "on" : "off"}`,
      values: N,
      expected: (N / perBridge) * sumTo(perBridge),
      run: () => shortBridges(perBridge, tracking),
    })),
  ),
];

const samples = await roundRobin(
  cases.map((c) => ({ key: c.key, run: () => cpuPerValue(c.key, c.values, c.expected, c.run) })),
  ROUNDS,
);
const ns = (key: string): number => median(samples.get(key) ?? []);
/** The median over rounds of a / b: each round's pair ran back to back, so the ratio drifts less than either. */
const ratio = (a: string, b: string): number => {
  const xs = samples.get(a) ?? [];
  const ys = samples.get(b) ?? [];
  return median(xs.map((x, i) => x / (ys[i] ?? Number.NaN)));
};

console.log(`${machine()}`);
console.log(`N = ${N.toLocaleString("en")} values per case (batches of ${BATCH.toLocaleString("en")}); median of ${ROUNDS} round-robin rounds after a warm-up; CPU time per value.`);
console.log("");
console.log(markdownTable(["case", "ns/value"], cases.map((c) => [c.key, formatNumber(ns(c.key))])));
console.log("");
const targets: ReadonlyArray<readonly [string, string, string, number, string]> = [
  ["push N + nextBatch() drain", "channel push + nextBatch()", "array push + slice (baseline)", 3, "×"],
  ["burst", "channel burst", "async function* (baseline)", 0.8, "×"],
  ["(floor) minimal JS queue burst", "minimal JS queue burst (floor)", "async function* (baseline)", Number.NaN, "×"],
  ["(floor) burst vs minimal queue", "channel burst", "minimal JS queue burst (floor)", Number.NaN, "×"],
  ["chunked", "channel chunked (1,000 per turn)", "async function*, a turn per 1,000 (baseline)", 0.7, "×"],
  ["rendezvous", "pull rendezvous (hwm 0)", "async function* (baseline)", 1, "×"],
  ["(floor) minimal JS rendezvous", "minimal JS rendezvous (floor)", "async function* (baseline)", Number.NaN, "×"],
  ["(floor) rendezvous vs minimal", "pull rendezvous (hwm 0)", "minimal JS rendezvous (floor)", Number.NaN, "×"],
  ["tracking on vs off, 1 value per bridge", "1 value per bridge, tracking on", "1 value per bridge, tracking off", 1.05, "%"],
  ["tracking on vs off, 10 values per bridge", "10 values per bridge, tracking on", "10 values per bridge, tracking off", 1.05, "%"],
];
const show = (r: number, unit: string): string => (unit === "%" ? `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)}%` : `${r.toFixed(2)}×`);
console.log(
  markdownTable(
    ["target", "ratio (median of per-round ratios)", "target", "met"],
    targets.map(([label, a, b, limit, unit]) => {
      const r = ratio(a, b);
      return [label, show(r, unit), Number.isNaN(limit) ? "" : `≤ ${show(limit, unit)}`, Number.isNaN(limit) ? "" : r <= limit ? "yes" : "no"];
    }),
  ),
);
