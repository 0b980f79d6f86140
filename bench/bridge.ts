// Per-value cost of push→pull bridges: sluice beside its peers, in four modes, plus bytes per buffered value.
//
//   npm run bench:bridge             full run (N = 1,000,000; writes bench/results/bridge.{md,svg})
//   npx tsx bench/bridge.ts --quick  a smoke run (tiny N, one round, nothing written)
//
// Every case returns the sum of what it consumed and is checked against the expected sum, so a broken
// adapter fails loudly instead of looking fast. Nothing here is asserted about time.
import { EventEmitter, on } from "node:events";
import { Readable } from "node:stream";
import { FixedBuffer, Repeater } from "@repeaterjs/repeater";
import { Effect, Queue, Stream } from "effect";
import { pushable } from "it-pushable";
import { channel, pull } from "../src/core/index.js";
import { barChart, collectGarbage, formatNumber, machine, markdownTable, median, roundRobin, writeResult } from "./lib/report.js";

const quick = process.argv.includes("--quick");
const N = quick ? 2_000 : Number(process.env["BENCH_N"] ?? 1_000_000);
const SMALL_N = quick ? 2_000 : Math.min(N, 100_000); // for peers whose queues are quadratic (Array#shift)
const ROUNDS = quick ? 1 : Number(process.env["BENCH_ROUNDS"] ?? 5);
const CHUNK = 1_000;

type Mode = "burst" | "chunked" | "rendezvous" | "batch";
const modes: readonly Mode[] = ["burst", "chunked", "rendezvous", "batch"];
const modeTitles: Record<Mode, string> = {
  burst: "burst (all pushed at once)",
  chunked: `chunked (${CHUNK.toLocaleString("en")} per event-loop turn)`,
  rendezvous: "rendezvous (producer awaits each value)",
  batch: "batch reads",
};

interface Peer {
  readonly name: string;
  /** Runs N values through in this mode and returns their sum. */
  readonly modes: Partial<Record<Mode, (n: number) => Promise<number>>>;
  /** Fills the bridge with n values and returns how to release it (for bytes per buffered value). */
  readonly fill?: (n: number) => Promise<() => Promise<void>>;
  /** Queue is O(n) per shift: timed at SMALL_N. */
  readonly quadratic?: boolean;
  /** What a mode means for this peer, when it is not obvious. */
  readonly notes?: Partial<Record<Mode, string>>;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** CPU time (user + system, all threads) since `start`, in ns. */
function cpuNs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1_000;
}

async function sum(iterable: AsyncIterable<number>): Promise<number> {
  let total = 0;
  for await (const v of iterable) total += v;
  return total;
}

/** Produces 0..n-1 in chunks of CHUNK per event-loop turn into `push`, then calls `end`. */
function produceChunked(n: number, push: (v: number) => unknown, end: () => void): void {
  void (async () => {
    for (let i = 0; i < n; i += 1) {
      push(i);
      if (i % CHUNK === CHUNK - 1) await turn();
    }
    end();
  })();
}

const floor: Peer = {
  name: "async function* (floor)",
  modes: {
    burst: (n) =>
      sum(
        (async function* () {
          for (let i = 0; i < n; i += 1) yield i;
        })(),
      ),
    chunked: (n) =>
      sum(
        (async function* () {
          for (let i = 0; i < n; i += 1) {
            yield i;
            if (i % CHUNK === CHUNK - 1) await turn();
          }
        })(),
      ),
    rendezvous: (n) =>
      sum(
        (async function* () {
          for (let i = 0; i < n; i += 1) yield i;
        })(),
      ),
    batch: (n) =>
      sum(
        (async function* () {
          for (let i = 0; i < n; i += 1) yield i;
        })(),
      ),
  },
  notes: { batch: "one value per next(): generators have no batch read" },
};

const sluice: Peer = {
  name: "sluice",
  modes: {
    burst: async (n) => {
      const ch = channel<number>();
      for (let i = 0; i < n; i += 1) ch.push(i);
      ch.end();
      return sum(ch);
    },
    chunked: async (n) => {
      const ch = channel<number>();
      produceChunked(n, ch.push, ch.end);
      return sum(ch);
    },
    rendezvous: (n) =>
      sum(
        pull<number>(async (send) => {
          for (let i = 0; i < n; i += 1) if (!(await send(i))) return;
        }),
      ),
    batch: async (n) => {
      const ch = channel<number>();
      for (let i = 0; i < n; i += 1) ch.push(i);
      ch.end();
      let total = 0;
      for (let r = await ch.nextBatch(); r.done !== true; r = await ch.nextBatch()) for (const v of r.value) total += v;
      return total;
    },
  },
  fill: async (n) => {
    const ch = channel<number>();
    for (let i = 0; i < n; i += 1) ch.push(i);
    return () => ch.stop();
  },
  notes: { rendezvous: "pull(), highWaterMark 0", batch: "nextBatch()" },
};

const itPushable: Peer = {
  name: "it-pushable",
  modes: {
    burst: async (n) => {
      const p = pushable<number>({ objectMode: true });
      for (let i = 0; i < n; i += 1) p.push(i);
      p.end();
      return sum(p);
    },
    chunked: async (n) => {
      const p = pushable<number>({ objectMode: true });
      produceChunked(n, (v) => p.push(v), () => p.end());
      return sum(p);
    },
    rendezvous: async (n) => {
      const p = pushable<number>({ objectMode: true });
      // With a signal: it-pushable's onEmpty() without one resolves at once even with values buffered
      // (Promise.race with an undefined entry), so the producer would never wait (test/interop/pushable.test.ts).
      const signal = new AbortController().signal;
      void (async () => {
        for (let i = 0; i < n; i += 1) {
          p.push(i);
          await p.onEmpty({ signal });
        }
        p.end();
      })();
      return sum(p);
    },
  },
  fill: async (n) => {
    const p = pushable<number>({ objectMode: true });
    for (let i = 0; i < n; i += 1) p.push(i);
    return async () => void p.end();
  },
  notes: { rendezvous: "push + await onEmpty({ signal })" },
};

const repeater: Peer = {
  name: "@repeaterjs/repeater",
  quadratic: true,
  modes: {
    burst: (n) =>
      sum(
        new Repeater<number>((push, stop) => {
          for (let i = 0; i < n; i += 1) void push(i);
          stop();
        }, new FixedBuffer(n)),
      ),
    chunked: (n) =>
      sum(
        new Repeater<number>((push, stop) => {
          produceChunked(n, (v) => void push(v), () => stop());
        }, new FixedBuffer(n)),
      ),
    rendezvous: (n) =>
      sum(
        new Repeater<number>(async (push, stop) => {
          for (let i = 0; i < n; i += 1) await push(i);
          stop();
        }),
      ),
  },
  fill: async (n) => {
    const r = new Repeater<number>((push) => {
      for (let i = 0; i < n; i += 1) void push(i);
    }, new FixedBuffer(n));
    void r.next(); // starts the executor
    await turn();
    return async () => void (await r.return());
  },
  notes: { burst: "FixedBuffer(N): more than 1,024 unbuffered pushes throw", rendezvous: "await push()" },
};

const eventsOn: Peer = {
  name: "events.on",
  modes: {
    burst: async (n) => {
      const emitter = new EventEmitter();
      const iterator = on(emitter, "data", { close: ["end"] }) as AsyncIterableIterator<[number]>;
      for (let i = 0; i < n; i += 1) emitter.emit("data", i);
      emitter.emit("end");
      let total = 0;
      for await (const [v] of iterator) total += v;
      return total;
    },
    chunked: async (n) => {
      const emitter = new EventEmitter();
      const iterator = on(emitter, "data", { close: ["end"] }) as AsyncIterableIterator<[number]>;
      produceChunked(n, (v) => emitter.emit("data", v), () => emitter.emit("end"));
      let total = 0;
      for await (const [v] of iterator) total += v;
      return total;
    },
  },
  fill: async (n) => {
    const emitter = new EventEmitter();
    const iterator = on(emitter, "data") as AsyncIterableIterator<[number]>;
    for (let i = 0; i < n; i += 1) emitter.emit("data", i);
    return async () => void (await iterator.return?.());
  },
  notes: { rendezvous: "no backpressure" },
};

const readable: Peer = {
  name: "Readable",
  modes: {
    burst: async (n) => {
      const r = new Readable({ objectMode: true, read() {} });
      for (let i = 0; i < n; i += 1) r.push(i);
      r.push(null);
      return sum(r);
    },
    chunked: async (n) => {
      const r = new Readable({ objectMode: true, read() {} });
      produceChunked(n, (v) => r.push(v), () => r.push(null));
      return sum(r);
    },
    rendezvous: async (n) => {
      let i = 0;
      const r = new Readable({
        objectMode: true,
        highWaterMark: 0,
        read() {
          this.push(i < n ? i++ : null);
        },
      });
      return sum(r);
    },
  },
  fill: async (n) => {
    const r = new Readable({ objectMode: true, read() {} });
    for (let i = 0; i < n; i += 1) r.push(i);
    return async () => void r.destroy();
  },
  notes: { rendezvous: "read() on demand, highWaterMark 0" },
};

const readableStream: Peer = {
  name: "ReadableStream",
  quadratic: true,
  modes: {
    burst: (n) =>
      sum(
        new ReadableStream<number>({
          start(controller) {
            for (let i = 0; i < n; i += 1) controller.enqueue(i);
            controller.close();
          },
        }) as unknown as AsyncIterable<number>,
      ),
    chunked: (n) =>
      sum(
        new ReadableStream<number>({
          start(controller) {
            produceChunked(n, (v) => controller.enqueue(v), () => controller.close());
          },
        }) as unknown as AsyncIterable<number>,
      ),
    rendezvous: (n) => {
      let i = 0;
      return sum(
        new ReadableStream<number>(
          {
            pull(controller) {
              if (i < n) controller.enqueue(i++);
              else controller.close();
            },
          },
          { highWaterMark: 0 },
        ) as unknown as AsyncIterable<number>,
      );
    },
  },
  fill: async (n) => {
    const stream = new ReadableStream<number>({
      start(controller) {
        for (let i = 0; i < n; i += 1) controller.enqueue(i);
      },
    });
    return () => stream.cancel();
  },
  notes: { rendezvous: "pull() on demand, highWaterMark 0" },
};

const effect: Peer = {
  name: "Effect Stream",
  modes: {
    burst: (n) =>
      sum(
        Stream.toAsyncIterable(
          Stream.callback<number>((queue) =>
            Effect.sync(() => {
              for (let i = 0; i < n; i += 1) Queue.offerUnsafe(queue, i);
              Queue.endUnsafe(queue);
            }),
          ),
        ),
      ),
    chunked: (n) =>
      sum(
        Stream.toAsyncIterable(
          Stream.callback<number>((queue) =>
            Effect.sync(() => produceChunked(n, (v) => Queue.offerUnsafe(queue, v), () => Queue.endUnsafe(queue))),
          ),
        ),
      ),
    rendezvous: (n) =>
      sum(
        Stream.toAsyncIterable(
          Stream.callback<number>(
            (queue) =>
              Effect.gen(function* () {
                for (let i = 0; i < n; i += 1) yield* Queue.offer(queue, i);
                yield* Queue.end(queue);
              }),
            { bufferSize: 1, strategy: "suspend" },
          ),
        ),
      ),
  },
  fill: async (n) => {
    const queue = Effect.runSync(Queue.unbounded<number>());
    for (let i = 0; i < n; i += 1) Queue.offerUnsafe(queue, i);
    return async () => void Effect.runSync(Queue.shutdown(queue));
  },
  notes: {
    burst: "Stream.callback + toAsyncIterable",
    rendezvous: "Queue.offer, bufferSize 1, suspend",
  },
};

const peers: readonly Peer[] = [floor, sluice, itPushable, repeater, eventsOn, readable, readableStream, effect];

function sizeFor(peer: Peer): number {
  return peer.quadratic === true ? SMALL_N : N;
}

/** The heap in use once the garbage is gone: GC, a turn (objects kept alive for the current job are released only
 * after it, and pending finalizers run), GC again. */
async function settledHeap(): Promise<number> {
  collectGarbage();
  await turn();
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

async function bytesPerValue(peer: Peer, n: number): Promise<number | undefined> {
  if (peer.fill === undefined) return undefined;
  const before = await settledHeap();
  const release = await peer.fill(n);
  const after = await settledHeap();
  await release();
  return (after - before) / n;
}

async function main(): Promise<void> {
  const cases = peers.flatMap((peer) =>
    modes.flatMap((mode) => {
      const run = peer.modes[mode];
      if (run === undefined) return [];
      const n = sizeFor(peer);
      const expected = (n * (n - 1)) / 2;
      return [
        {
          key: `${peer.name}|${mode}`,
          run: async () => {
            const start = process.cpuUsage();
            const total = await run(n);
            const elapsed = cpuNs(start);
            if (total !== expected) throw new Error(`${peer.name} ${mode}: consumed sum ${total}, expected ${expected}`);
            return elapsed / n;
          },
        },
      ];
    }),
  );
  const samples = await roundRobin(cases, ROUNDS, (round) => {
    if (!quick) process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
  });
  const ns = (peer: Peer, mode: Mode): number | undefined => {
    const xs = samples.get(`${peer.name}|${mode}`);
    return xs === undefined ? undefined : median(xs);
  };
  // Depth: cost per value of draining a shallow vs a deep buffer. Flat for an O(1) queue; grows for Array#shift queues.
  // The minimum of a few runs after a warm-up: a 10,000-value run lasts about a millisecond, and one GC pause left by
  // an earlier case (several ms on the bench VM) would otherwise decide it.
  const depths = quick ? [500, 2_000] : [10_000, 100_000];
  const depthRuns = quick ? 1 : 5;
  const depth = new Map<string, number[]>();
  for (const peer of peers) {
    const burst = peer.modes.burst;
    if (burst === undefined || peer === floor) continue;
    const perValue: number[] = [];
    for (const d of depths) {
      const xs: number[] = [];
      for (let i = -1; i < depthRuns; i += 1) {
        const start = process.cpuUsage();
        const total = await burst(d);
        if (i >= 0) xs.push(cpuNs(start) / d);
        if (total !== (d * (d - 1)) / 2) throw new Error(`${peer.name} depth ${d}: wrong sum ${total}`);
      }
      perValue.push(Math.min(...xs));
    }
    depth.set(peer.name, perValue);
  }
  const memory = new Map<string, number | undefined>();
  const memoryN = quick ? 2_000 : 1_000_000;
  for (const peer of peers) memory.set(peer.name, await bytesPerValue(peer, memoryN));

  const header = ["bridge", ...modes.map((m) => `${m} ns/value (× floor)`), "bytes / buffered value"];
  const rows = peers.map((peer) => [
    peer.name === "sluice" ? "**sluice**" : peer.name,
    ...modes.map((mode) => {
      const v = ns(peer, mode);
      const base = ns(floor, mode);
      if (v === undefined || base === undefined) return peer.notes?.[mode] === undefined ? "n/a" : `n/a (${peer.notes[mode]})`;
      return `${formatNumber(v)} (${(v / base).toFixed(2)}×)`;
    }),
    (() => {
      const b = memory.get(peer.name);
      return b === undefined ? "n/a" : formatNumber(b);
    })(),
  ]);
  const notes = peers.flatMap((peer) =>
    Object.entries(peer.notes ?? {}).map(([mode, note]) => `- ${peer.name}, ${mode}: ${note}`),
  );
  const quadratic = peers.filter((p) => p.quadratic === true).map((p) => p.name);
  const sluiceVs = (other: Peer): string =>
    modes
      .map((mode) => {
        const a = ns(sluice, mode);
        const b = ns(other, mode);
        return a === undefined || b === undefined ? undefined : `${mode} ${(b / a).toFixed(1)}×`;
      })
      .filter((s) => s !== undefined)
      .join(", ");
  const markdown = [
    "# Push→pull bridges: cost per value",
    "",
    `${machine()}. N = ${N.toLocaleString("en")} values per run (${quadratic.join(" and ")}: ${SMALL_N.toLocaleString("en")}, their queues shift arrays and turn quadratic); median of ${ROUNDS} round-robin rounds after a warm-up. Lower is better; times are CPU time (user + system, all threads, so GC helpers count), not wall time, which on a shared machine also counts the other processes; × floor is the ratio to a plain \`async function*\` yielding the same values in the same run. Bytes per buffered value: heap growth after GC with ${memoryN.toLocaleString("en")} small integers buffered (so it is the queue's own overhead).`,
    "",
    markdownTable(header, rows),
    "",
    `sluice is faster than it-pushable by: ${sluiceVs(itPushable)}.`,
    "",
    `Queue depth: burst cost per value with ${depths.map((d) => d.toLocaleString("en")).join(" vs ")} values buffered (minimum of ${depthRuns} runs after a warm-up: one GC pause would decide a millisecond run). An O(1) queue grows only by the GC work of holding more values at once; a queue that shifts an array grows with depth.`,
    "",
    markdownTable(
      ["bridge", ...depths.map((d) => `${d.toLocaleString("en")} buffered, ns/value`), "deep ÷ shallow"],
      [...depth].map(([name, [a = NaN, b = NaN]]) => [name === "sluice" ? "**sluice**" : name, formatNumber(a), formatNumber(b), `${(b / a).toFixed(2)}×`]),
    ),
    "",
    "What each mode means per peer:",
    "",
    ...notes,
    "",
    "Reproduce: `npm run bench:bridge`.",
    "",
  ].join("\n");
  const svg = barChart({
    title: "Push→pull bridge: ns per value (lower is better)",
    unit: `ns per value, N = ${N.toLocaleString("en")} (quadratic peers: ${SMALL_N.toLocaleString("en")})`,
    note: machine(),
    log: true,
    highlight: "sluice",
    groups: modes.map((mode) => ({
      label: modeTitles[mode],
      bars: peers.map((peer) => ({ name: peer.quadratic === true ? `${peer.name} (N = ${SMALL_N.toLocaleString("en")})` : peer.name, value: ns(peer, mode) })),
    })),
  });
  if (quick) {
    console.log(markdown);
    return;
  }
  console.log(markdown);
  console.log(`wrote ${writeResult("bridge.md", markdown)}`);
  console.log(`wrote ${writeResult("bridge.svg", svg)}`);
}

await main();
