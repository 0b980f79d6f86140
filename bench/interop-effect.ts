// sluice/interop/effect beside Effect's own adapters, in one process, round-robin. Run: npx tsx bench/interop-effect.ts
// Prints ns per value (median of ROUNDS after a warm-up) and the ratio to each direction's baseline. Asserts nothing.
import * as Effect from "effect/Effect";
import * as Stream from "effect/Stream";
import { batches, channel } from "../src/core/index.js";
import { fromStream, toStream } from "../src/interop/effect.js";
import { median, roundRobin } from "./lib/report.js";

const N = Number(process.env["BENCH_N"] ?? 200_000);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);

/** A pre-filled, ended channel: filling is not timed, only reading. */
function filled(): ReturnType<typeof channel<number>> {
  const ch = channel<number>({ highWaterMark: Infinity });
  for (let i = 0; i < N; i += 1) ch.push(i);
  ch.end();
  return ch;
}

async function* generator(): AsyncGenerator<number> {
  for (let i = 0; i < N; i += 1) yield i;
}

/** Sums a stream inside Effect (what a consumer of toStream does). */
const sumStream = (stream: Stream.Stream<number, unknown>): Promise<number> =>
  Effect.runPromise(Stream.runFold(stream, () => 0, (sum, v) => sum + v));

/** Sums an async iterable with for await (what a consumer of fromStream does). */
async function sumIterable(iterable: AsyncIterable<number>): Promise<number> {
  let sum = 0;
  for await (const v of iterable) sum += v;
  return sum;
}

interface Case {
  readonly direction: "bridge → Effect" | "Effect → for await";
  readonly name: string;
  /** Prepares (untimed) and returns the timed part, which resolves to the sum of the values read. */
  readonly setup: () => () => Promise<number>;
}

const source = (): Stream.Stream<number> => Stream.range(0, N - 1); // chunks of 4096

const cases: Case[] = [
  { direction: "bridge → Effect", name: "baseline: Stream.fromIterable(array), no bridge", setup: () => {
    const values = Array.from({ length: N }, (_, i) => i);
    return () => sumStream(Stream.fromIterable(values));
  } },
  { direction: "bridge → Effect", name: "toStream(channel) (nextBatch chunks)", setup: () => {
    const ch = filled();
    return () => sumStream(toStream(ch));
  } },
  { direction: "bridge → Effect", name: "Effect's Stream.fromAsyncIterable(channel)", setup: () => {
    const ch = filled();
    return () => sumStream(Stream.fromAsyncIterable(ch, (e) => e));
  } },
  { direction: "bridge → Effect", name: "toStream(async function*)", setup: () => () => sumStream(toStream(generator())) },
  { direction: "bridge → Effect", name: "Effect's Stream.fromAsyncIterable(async function*)", setup: () => () =>
    sumStream(Stream.fromAsyncIterable(generator(), (e) => e)) },
  { direction: "Effect → for await", name: "baseline: async function* + for await, no Effect", setup: () => () => sumIterable(generator()) },
  { direction: "Effect → for await", name: "fromStream(Stream.range) + for await", setup: () => () => sumIterable(fromStream(source())) },
  { direction: "Effect → for await", name: "fromStream(Stream.range) + batches()", setup: () => async () => {
    let sum = 0;
    for await (const batch of batches(fromStream(source()))) for (const v of batch) sum += v;
    return sum;
  } },
  { direction: "Effect → for await", name: "Effect's Stream.toAsyncIterable(Stream.range) + for await", setup: () => () =>
    sumIterable(Stream.toAsyncIterable(source())) },
];

const expected = (N * (N - 1)) / 2;

async function measure(c: Case): Promise<number> {
  const run = c.setup();
  const start = process.hrtime.bigint();
  const sum = await run();
  const elapsed = Number(process.hrtime.bigint() - start);
  if (sum !== expected) throw new Error(`${c.name}: summed ${sum}, expected ${expected}`);
  return elapsed / N;
}

async function main(): Promise<void> {
  const samples = await roundRobin(
    cases.map((c) => ({ key: c.name, run: () => measure(c) })),
    ROUNDS,
  );
  console.log(`node ${process.version}, ${N.toLocaleString("en")} values, median of ${ROUNDS} rounds after a warm-up`);
  for (const direction of ["bridge → Effect", "Effect → for await"] as const) {
    const group = cases.filter((c) => c.direction === direction);
    const baseline = median(samples.get(group[0]?.name ?? "") ?? []);
    console.log(`\n${direction}`);
    console.log(`${"case".padEnd(62)} ${"ns/value".padStart(9)} ${"x baseline".padStart(11)}`);
    for (const c of group) {
      const ns = median(samples.get(c.name) ?? []);
      console.log(`${c.name.padEnd(62)} ${ns.toFixed(1).padStart(9)} ${(ns / baseline).toFixed(2).padStart(11)}`);
    }
  }
}

await main();
