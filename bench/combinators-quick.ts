// Quick combinator costs beside a plain `async function*`, in one process. Run: npx tsx bench/combinators-quick.ts
// Prints ns per value (median of ROUNDS after a warm-up) and the ratio to the baseline. Never asserted anywhere.
import { batches, channel, merge } from "../src/core/index.js";

const ROUNDS = Number(process.env["ROUNDS"] ?? 5);
const TOTAL = 1_000_000;
const SOURCES = 4;

/** A pre-filled, ended channel: filling is not timed, only reading. */
function filled(count: number, offset = 0): ReturnType<typeof channel<number>> {
  const ch = channel<number>({ highWaterMark: Infinity });
  for (let i = 0; i < count; i += 1) ch.push(offset + i);
  ch.end();
  return ch;
}

async function* generator(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i += 1) yield i;
}

interface Case {
  readonly name: string;
  /** Prepares (untimed) and returns the timed part, which resolves to the number of values read. */
  readonly setup: () => () => Promise<number>;
}

const cases: Case[] = [
  {
    name: "baseline: async function* + for await",
    setup: () => async () => {
      let n = 0;
      for await (const _ of generator(TOTAL)) n += 1;
      return n;
    },
  },
  {
    name: "channel + for await (next per value)",
    setup: () => {
      const ch = filled(TOTAL);
      return async () => {
        let n = 0;
        for await (const _ of ch) n += 1;
        return n;
      };
    },
  },
  {
    name: `merge of ${SOURCES} pre-filled channels + for await`,
    setup: () => {
      const sources = Array.from({ length: SOURCES }, (_, i) => filled(TOTAL / SOURCES, i * (TOTAL / SOURCES)));
      return async () => {
        let n = 0;
        for await (const _ of merge(sources)) n += 1;
        return n;
      };
    },
  },
  {
    name: `merge of ${SOURCES} pre-filled channels, highWaterMark 256`,
    setup: () => {
      const sources = Array.from({ length: SOURCES }, (_, i) => filled(TOTAL / SOURCES, i * (TOTAL / SOURCES)));
      return async () => {
        let n = 0;
        for await (const _ of merge(sources, { highWaterMark: 256 })) n += 1;
        return n;
      };
    },
  },
  {
    name: `merge of ${SOURCES} async function* + for await`,
    setup: () => async () => {
      let n = 0;
      for await (const _ of merge(Array.from({ length: SOURCES }, () => generator(TOTAL / SOURCES)))) n += 1;
      return n;
    },
  },
  {
    name: `merge of ${SOURCES} pre-filled channels + batches()`,
    setup: () => {
      const sources = Array.from({ length: SOURCES }, (_, i) => filled(TOTAL / SOURCES, i * (TOTAL / SOURCES)));
      return async () => {
        let n = 0;
        for await (const batch of batches(merge(sources))) n += batch.length;
        return n;
      };
    },
  },
  {
    name: "channel + nextBatch(256)",
    setup: () => {
      const ch = filled(TOTAL);
      return async () => {
        let n = 0;
        for (let r = await ch.nextBatch(256); r.done !== true; r = await ch.nextBatch(256)) n += r.value.length;
        return n;
      };
    },
  },
  {
    name: "channel + nextBatch() (everything buffered at once)",
    setup: () => {
      const ch = filled(TOTAL);
      return async () => {
        let n = 0;
        for (let r = await ch.nextBatch(); r.done !== true; r = await ch.nextBatch()) n += r.value.length;
        return n;
      };
    },
  },
  {
    name: "batches(channel, { max: 256 }) + for await",
    setup: () => {
      const ch = filled(TOTAL);
      return async () => {
        let n = 0;
        for await (const batch of batches(ch, { max: 256 })) n += batch.length;
        return n;
      };
    },
  },
];

async function measure(c: Case): Promise<number> {
  const run = c.setup();
  const start = process.hrtime.bigint();
  const count = await run();
  const elapsed = Number(process.hrtime.bigint() - start);
  if (count !== TOTAL) throw new Error(`${c.name}: read ${count} values, expected ${TOTAL}`);
  return elapsed / count;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  for (const c of cases) await measure(c); // warm-up round
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const c of cases) samples.get(c.name)?.push(await measure(c)); // interleaved: drift hits every case alike
  }
  const baseline = median(samples.get(cases[0]?.name ?? "") ?? []);
  console.log(`node ${process.version}, ${TOTAL.toLocaleString("en")} values, median of ${ROUNDS} rounds after a warm-up`);
  console.log(`${"case".padEnd(54)} ${"ns/value".padStart(9)} ${"x baseline".padStart(11)}`);
  for (const c of cases) {
    const ns = median(samples.get(c.name) ?? []);
    console.log(`${c.name.padEnd(54)} ${ns.toFixed(1).padStart(9)} ${(ns / baseline).toFixed(2).padStart(11)}`);
  }
}

await main();
