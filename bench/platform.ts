// The platform adapters beside the platform's own: events.on, the Readable and ReadableStream iterators,
// Readable.from, ReadableStream.from and stream.pipeline, each against sluice's adapter for the same job.
//
//   npm run bench:platform              full run (N = 200,000; writes bench/results/platform.md)
//   npx tsx bench/platform.ts --quick   a smoke run (tiny N, one round, nothing written)
//
// Every case returns the sum of what it consumed and is checked against the expected sum, so a broken adapter
// fails loudly instead of looking fast. Nothing here is asserted about time.
import { EventEmitter, on as eventsOn } from "node:events";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { drive, fromReadableStream, on, toReadableStream } from "../src/core/index.js";
import { fromReadable, toReadable } from "../src/node/index.js";
import { formatNumber, machine, markdownTable, median, roundRobin, writeResult } from "./lib/report.js";

const quick = process.argv.includes("--quick");
const N = quick ? 2_000 : Number(process.env["BENCH_N"] ?? 200_000);
const ROUNDS = quick ? 1 : Number(process.env["BENCH_ROUNDS"] ?? 7);
const CHUNK = 1_000; // events emitted per event-loop turn
const expected = (N * (N - 1)) / 2;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function* numbers(): AsyncGenerator<number> {
  for (let i = 0; i < N; i += 1) yield i;
}

/** An object-mode Readable of 0..N-1, produced on demand. */
function countingReadable(): Readable {
  let i = 0;
  return new Readable({
    objectMode: true,
    read() {
      for (let k = 0; k < 64 && i < N; k += 1) this.push(i++);
      if (i === N) this.push(null);
    },
  });
}

/** A pull-based ReadableStream of 0..N-1. */
function countingStream(): ReadableStream<number> {
  let i = 0;
  return new ReadableStream<number>(
    {
      pull(controller) {
        for (let k = 0; k < 64 && i < N; k += 1) controller.enqueue(i++);
        if (i === N) controller.close();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 64 }),
  );
}

/** Emits 0..N-1 on `data`, CHUNK per event-loop turn, then `end`. */
function emitAll(emitter: EventEmitter): void {
  void (async () => {
    for (let i = 0; i < N; ) {
      const stop = Math.min(N, i + CHUNK);
      for (; i < stop; i += 1) emitter.emit("data", i);
      await turn();
    }
    emitter.emit("end");
  })();
}

async function sum(iterable: AsyncIterable<number>): Promise<number> {
  let total = 0;
  for await (const v of iterable) total += v;
  return total;
}

function sumWritable(): { writable: Writable; total: () => number } {
  let total = 0;
  const writable = new Writable({ objectMode: true, highWaterMark: 16, write: (v: number, _e, cb) => ((total += v), cb()) });
  return { writable, total: () => total };
}

async function readAll(stream: ReadableStream<number>): Promise<number> {
  const reader = stream.getReader();
  let total = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value;
  return total;
}

function drain(readable: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let total = 0;
    readable.on("data", (v: number) => (total += v)).once("end", () => resolve(total)).once("error", reject);
  });
}

interface Pair {
  readonly job: string;
  readonly peer: string;
  readonly peerRun: () => Promise<number>;
  readonly sluice: string;
  readonly sluiceRun: () => Promise<number>;
}

const pairs: readonly Pair[] = [
  {
    job: `EventEmitter events → for await (${CHUNK.toLocaleString("en")} per turn)`,
    peer: "events.on(emitter, 'data', { close: ['end'] })",
    peerRun: async () => {
      const emitter = new EventEmitter();
      const it = eventsOn(emitter, "data", { close: ["end"] }) as AsyncIterableIterator<[number]>;
      emitAll(emitter);
      let total = 0;
      for await (const [v] of it) total += v;
      return total;
    },
    sluice: "on(emitter, 'data', { endOn: 'end' })",
    sluiceRun: async () => {
      const emitter = new EventEmitter();
      const it = on<number>(emitter, "data", { endOn: "end" });
      emitAll(emitter);
      return sum(it);
    },
  },
  {
    job: "Node Readable → for await",
    peer: "readable[Symbol.asyncIterator]()",
    peerRun: () => sum(countingReadable()),
    sluice: "fromReadable(readable)",
    sluiceRun: () => sum(fromReadable<number>(countingReadable(), { highWaterMark: 64 })),
  },
  {
    job: "async generator → Node Readable",
    peer: "Readable.from(generator)",
    peerRun: () => drain(Readable.from(numbers())),
    sluice: "toReadable(generator)",
    sluiceRun: () => drain(toReadable(numbers())),
  },
  {
    job: "async generator → Node Writable",
    peer: "stream.pipeline(generator, writable)",
    peerRun: async () => {
      const { writable, total } = sumWritable();
      await pipeline(numbers(), writable);
      return total();
    },
    sluice: "drive(generator, writable)",
    sluiceRun: async () => {
      const { writable, total } = sumWritable();
      await drive(numbers(), writable);
      return total();
    },
  },
  {
    job: "ReadableStream → for await",
    peer: "stream[Symbol.asyncIterator]()",
    peerRun: () => sum(countingStream()),
    sluice: "fromReadableStream(stream)",
    sluiceRun: () => sum(fromReadableStream(countingStream(), { highWaterMark: 64 })),
  },
  {
    job: "async generator → ReadableStream",
    peer: "ReadableStream.from(generator)",
    peerRun: () => readAll(ReadableStream.from(numbers())),
    sluice: "toReadableStream(generator)",
    sluiceRun: () => readAll(toReadableStream(numbers())),
  },
];

function timed(run: () => Promise<number>, label: string): () => Promise<number> {
  return async () => {
    const start = process.hrtime.bigint();
    const total = await run();
    const ns = Number(process.hrtime.bigint() - start);
    if (total !== expected) throw new Error(`${label}: expected a sum of ${expected}, got ${total}`);
    return ns / N;
  };
}

const cases = pairs.flatMap((pair) => [
  { key: `${pair.job}|peer`, run: timed(pair.peerRun, pair.peer) },
  { key: `${pair.job}|sluice`, run: timed(pair.sluiceRun, pair.sluice) },
]);

const header = machine();
console.log(header);
const samples = await roundRobin(cases, ROUNDS, (round) => process.stderr.write(`round ${round + 1}/${ROUNDS}\r`));
const rows = pairs.map((pair) => {
  const peer = median(samples.get(`${pair.job}|peer`) ?? []);
  const ours = median(samples.get(`${pair.job}|sluice`) ?? []);
  return [pair.job, `\`${pair.peer}\``, formatNumber(peer), `\`${pair.sluice}\``, formatNumber(ours), `${(peer / ours).toFixed(2)}×`];
});
const table = markdownTable(["job", "Node's own", "ns/value", "sluice", "ns/value", "sluice faster by"], rows);
console.log(table);
if (!quick) {
  const path = writeResult(
    "platform.md",
    [
      "# Platform adapters: cost per value beside the platform's own",
      "",
      `${header}. N = ${N.toLocaleString("en")} values per run, median of ${ROUNDS} round-robin rounds after a warm-up (\`npm run bench:platform\`). ` +
        "Lower ns/value is better; \"sluice faster by\" is Node's own ÷ sluice, measured side by side in the same run. " +
        "Every run checks the sum of what arrived.",
      "",
      table,
      "",
      "What differs besides speed: `events.on` has no bound on its buffer and no leak report; the `Readable` and " +
        "`ReadableStream` iterators hang when `return()` meets a pending `next()`; `Readable.from` and `ReadableStream.from` " +
        "wait for a generator stuck in an `await` before they close (the regression tests in test/platform/ show each).",
      "",
    ].join("\n"),
  );
  console.log(`wrote ${path}`);
}
