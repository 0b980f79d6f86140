// The direct path's targets, as ratios measured side by side in one process (cases interleaved round-robin):
//
// - ListStrings (10,000 x 100 B), `serverStreaming` generator handler, `for await` through asyncClient in-process,
//   against a bare `for await` over the same generator called as a plain function (target <= 1.3x), and x TCP;
// - the same read with `batches()` from a plain handler writing with `call.write`, against that handler writing into
//   an array (target <= 2x);
// - unary through asyncClient in-process against the drop-in in-process unary call (target <= 1/5);
// - leak tracking on vs off on these (target <= 5%);
// - the rendezvous the direct path uses (the handler runs as the caller pulls) against running the handler ahead
//   into a bridge of 16 (the alternative the design weighed).
//
//   npm run bench:direct          full run, writes bench/results/grpc-direct.md
//   npx tsx bench/grpc-direct.ts --quick   a smoke run (fewer rounds, nothing written)
//
// Times are CPU time (user + system, all threads): on a shared machine wall time also counts other processes. Runs
// the TypeScript through tsx, whose keepNames adds a defineProperty per named closure; that inflates per-call
// costs a little (docs/grpc.md). Ratios are what this reports.
import * as grpc from "@grpc/grpc-js";
import { batches, configureLeakTracking, pull } from "../src/core/index.js";
import { asyncClient, createInProcessClient, serverStreaming, unary } from "../src/grpc/index.js";
import { type ListStringsRequest, type StringValue, listStrings, stringsClientClass, stringsImplementation } from "../src/examples/list-strings/service.js";
import { jsonServiceClient } from "../test/grpc/fixtures/json-service.js";
import { machine, markdownTable, median, writeResult } from "./lib/report.js";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 3 : Number(process.env["BENCH_ROUNDS"] ?? 25);
const COUNT = quick ? 1000 : 10_000;
const UNARY_CALLS = quick ? 500 : 5000;
const request: ListStringsRequest = { count: COUNT, size: 100, prefix: "" };

/** The handler's own generator: what the direct path pulls, and what the baseline iterates bare. */
async function* strings({ count, size, prefix }: ListStringsRequest): AsyncGenerator<StringValue> {
  const value = prefix + "x".repeat(Math.max(0, size - prefix.length));
  for (let i = 0; i < count; i += 1) yield { value };
}

type Api = { ListStrings(request: ListStringsRequest, options?: object): AsyncIterable<StringValue> & { nextBatch(): unknown } };
type UnaryApi = { SayHello(request: { name: string }): Promise<{ message: string }> };

const Strings = stringsClientClass();
const generatorImplementation = { ListStrings: serverStreaming<ListStringsRequest, StringValue>(strings) } as unknown as grpc.UntypedServiceImplementation;
const direct = asyncClient(createInProcessClient(Strings, generatorImplementation)) as unknown as Api;
const dropIn = asyncClient(createInProcessClient(Strings, generatorImplementation, { direct: false })) as unknown as Api;
const directPlain = asyncClient(createInProcessClient(Strings, stringsImplementation)) as unknown as Api;

// A unary service (JSON messages: only share mode is measured, serializers never run).
const Greeter = jsonServiceClient("bench.Greeter", { SayHello: { requestStream: false, responseStream: false } });
const greeterImplementation = { SayHello: unary<{ name: string }, { message: string }>((request) => ({ message: request.name })) };
const greeterClient = createInProcessClient(Greeter, greeterImplementation);
const unaryDirect = asyncClient(greeterClient) as unknown as UnaryApi;
const dropInClient = createInProcessClient(Greeter, greeterImplementation, { direct: false }) as unknown as grpc.Client & {
  SayHello(request: { name: string }, callback: (error: grpc.ServiceError | null, reply?: { message: string }) => void): grpc.ClientUnaryCall;
};
const unaryViaDropIn = asyncClient(dropInClient) as unknown as UnaryApi;

async function count(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of stream) n += 1;
  return n;
}

async function countBatches(stream: Parameters<typeof batches>[0]): Promise<number> {
  let n = 0;
  for await (const batch of batches(stream)) n += batch.length;
  return n;
}

function arrayFloor(): number {
  const out: StringValue[] = [];
  listStrings({ request, write: (message) => (out.push(message), true), once: () => undefined, end: () => undefined });
  return out.length;
}

/** CPU time (user + system, all threads, so GC helpers count) since `start`, in ms: other processes' load does not count. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Runs a call `calls` times in sequence; returns CPU µs per call. */
async function perCall(calls: number, call: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i += 1) await call();
  return (cpuMsSince(start) * 1000) / calls;
}

interface Case {
  readonly key: string;
  readonly label: string;
  /** ms for one ListStrings call, or µs per unary call. */
  readonly run: () => Promise<number>;
  readonly tracking?: boolean;
}

const time = async (work: () => unknown): Promise<number> => {
  const start = process.cpuUsage();
  const n = await work();
  const ms = cpuMsSince(start);
  if (n !== COUNT) throw new Error(`expected ${COUNT} messages, got ${String(n)}`);
  return ms;
};

const streamCases: Case[] = [
  { key: "bare", label: "bare `for await` over the handler's generator (no gRPC)", run: () => time(() => count(strings(request))) },
  { key: "direct", label: "direct path: asyncClient pulls the `serverStreaming` generator", run: () => time(() => count(direct.ListStrings(request))) },
  {
    key: "directDeadline",
    label: "the same, with a deadline (every `next()` cancellable)",
    run: () => time(() => count(direct.ListStrings(request, { deadline: Date.now() + 60_000 }))),
  },
  {
    key: "directUntracked",
    label: "the same, leak tracking off",
    run: () => time(() => count(direct.ListStrings(request))),
    tracking: false,
  },
  {
    key: "ahead",
    label: "the handler run ahead into a bridge of 16 (the alternative)",
    run: () =>
      time(() =>
        count(
          pull<StringValue>(
            async (send) => {
              for await (const value of strings(request)) if (!(await send(value))) return;
            },
            { highWaterMark: 16 },
          ),
        ),
      ),
  },
  { key: "dropIn", label: "asyncClient on the drop-in path (`direct: false`)", run: () => time(() => count(dropIn.ListStrings(request))) },
  { key: "floor", label: "plain handler writing into an array (no gRPC)", run: () => time(() => arrayFloor()) },
  { key: "batches", label: "direct path: plain handler (`call.write`), read with `batches()`", run: () => time(() => countBatches(directPlain.ListStrings(request) as never)) },
  {
    key: "batchesWide",
    label: "the same, `highWaterMark: 1024`",
    run: () => time(() => countBatches(directPlain.ListStrings(request, { highWaterMark: 1024 }) as never)),
  },
  { key: "plainForAwait", label: "direct path: plain handler, read with `for await`", run: () => time(() => count(directPlain.ListStrings(request))) },
];

const dropInCall = (): Promise<unknown> => new Promise((resolve, reject) => dropInClient.SayHello({ name: "x" }, (error, reply) => (error ? reject(error) : resolve(reply))));
const unaryCases: Case[] = [
  { key: "unaryDirect", label: "direct path: `await api.SayHello()` (a `unary` handler)", run: () => perCall(UNARY_CALLS, () => unaryDirect.SayHello({ name: "x" })) },
  {
    key: "unaryDirectUntracked",
    label: "the same, leak tracking off",
    run: () => perCall(UNARY_CALLS, () => unaryDirect.SayHello({ name: "x" })),
    tracking: false,
  },
  { key: "unaryDropIn", label: "drop-in in-process call (`client.SayHello(req, callback)`)", run: () => perCall(UNARY_CALLS, dropInCall) },
  { key: "unaryViaDropIn", label: "asyncClient on the drop-in path (`direct: false`)", run: () => perCall(UNARY_CALLS, () => unaryViaDropIn.SayHello({ name: "x" })) },
];

/** Interleaved rounds: every case once per round, so noise hits all alike. */
async function measure(cases: readonly Case[], rounds: number): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.key, []]));
  for (let round = -2; round < rounds; round += 1) {
    for (const c of cases) {
      const before = configureLeakTracking({ enabled: c.tracking ?? true });
      const value = await c.run();
      configureLeakTracking(before);
      if (round >= 0) samples.get(c.key)?.push(value);
    }
  }
  return new Map([...samples].map(([key, xs]) => [key, median(xs)]));
}

/** One ListStrings over TCP, for the x TCP column (slow: a few calls, not interleaved with the rest). */
async function tcpMs(): Promise<number> {
  const server = new grpc.Server();
  server.addService(Strings.service, generatorImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const client = new Strings(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const api = asyncClient(client) as unknown as Api;
  const times: number[] = [];
  try {
    for (let i = -1; i < (quick ? 2 : 7); i += 1) {
      const ms = await time(() => count(api.ListStrings(request)));
      if (i >= 0) times.push(ms);
    }
  } finally {
    client.close();
    server.forceShutdown();
  }
  return median(times);
}

const streams = await measure(streamCases, ROUNDS);
const unaries = await measure(unaryCases, ROUNDS);
const tcp = await tcpMs();
const ms = (key: string): number => streams.get(key) ?? Number.NaN;
const us = (key: string): number => unaries.get(key) ?? Number.NaN;
const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

const targets = [
  ["direct pull / bare `for await`", x(ms("direct"), ms("bare")), "<= 1.3×"],
  ["direct pull, with a deadline / bare", x(ms("directDeadline"), ms("bare")), "(reported)"],
  ["direct `batches()` from a plain handler / array floor", x(ms("batches"), ms("floor")), "<= 2×"],
  ["the same with `highWaterMark: 1024` / array floor", x(ms("batchesWide"), ms("floor")), "<= 2×"],
  ["direct unary / drop-in unary call", x(us("unaryDirect"), us("unaryDropIn")), "<= 0.2×"],
  ["direct unary / asyncClient on the drop-in path", x(us("unaryDirect"), us("unaryViaDropIn")), "(reported)"],
  ["leak tracking on / off, ListStrings", x(ms("direct"), ms("directUntracked")), "<= 1.05×"],
  ["leak tracking on / off, unary", x(us("unaryDirect"), us("unaryDirectUntracked")), "<= 1.05×"],
  ["rendezvous (direct pull) / run ahead into a bridge of 16", x(ms("direct"), ms("ahead")), "(design choice)"],
  ["direct pull / asyncClient on the drop-in path", x(ms("direct"), ms("dropIn")), "(reported)"],
];
const streamRows = streamCases.map((c) => [c.label, ms(c.key).toFixed(2), x(tcp, ms(c.key))]);
const unaryRows = unaryCases.map((c) => [c.label, us(c.key).toFixed(2)]);
const markdown = [
  "# The direct path: targets",
  "",
  `${machine()}. CPU time (user + system), median of ${ROUNDS} interleaved rounds after 2 warm-up rounds; ListStrings calls of ${COUNT.toLocaleString("en")} messages of 100 B; unary: ${UNARY_CALLS.toLocaleString("en")} sequential calls per sample. Ratios compare cases measured in this run only.`,
  "",
  markdownTable(["ratio", "measured", "target"], targets),
  "",
  "## ListStrings",
  "",
  `grpc-js over 127.0.0.1 (asyncClient, \`for await\`; client and server in this process), measured after the rest: ${tcp.toFixed(1)} ms of CPU per call.`,
  "",
  markdownTable(["way", "CPU ms per call", "× TCP"], streamRows),
  "",
  "## Unary",
  "",
  markdownTable(["way", "CPU µs per call"], unaryRows),
  "",
  "Reproduce: `npm run bench:direct`.",
  "",
].join("\n");
console.log(markdown);
if (!quick) console.log(`wrote ${writeResult("grpc-direct.md", markdown)}`);
greeterClient.close();
dropInClient.close();
