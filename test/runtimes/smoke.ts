// The core's contract in a few smoke checks that run anywhere JavaScript runs: browsers, Deno, Bun, and a Node
// `vm` context with no Node globals. No test runner, no Node API: it imports only the three portable subpaths
// (bundled by esbuild for the browser platform, see runtimes.test.ts) and the platform's own web APIs.
import { AbortError, channel, drive, fromReadableStream, mapConcurrent, merge, on, openBridges, pull, subscribe, timeout, toReadableStream } from "../../src/core/index.js";
import { duplex, pushable } from "../../src/interop/index.js";
import { LeakError, assertNoLeaks, withLeakCheck } from "../../src/testing/index.js";

/** What one run reports: where it ran, and each check's outcome. */
export interface SmokeReport {
  readonly environment: Record<string, string>;
  readonly results: ReadonlyArray<{ readonly name: string; readonly ok: boolean; readonly error?: string }>;
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const v of iterable) seen.push(v);
  return seen;
}

const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

const checks: ReadonlyArray<readonly [string, () => Promise<void>]> = [
  [
    "values arrive in push order, then done",
    async () => {
      const ch = channel<number>();
      for (let i = 0; i < 1000; i += 1) ch.push(i);
      ch.end();
      const seen = await collect(ch);
      same(seen.length, 1000, "count");
      assert(seen.every((v, i) => v === i), "order");
    },
  ],
  [
    "concurrent next() calls settle in call order",
    async () => {
      const ch = channel<number>();
      const order: number[] = [];
      const calls = [ch.next(), ch.next(), ch.next()].map((p, i) => p.then((r) => (order.push(i), r.value)));
      [10, 20, 30].forEach(ch.push);
      same(await Promise.all(calls), [10, 20, 30], "values");
      same(order, [0, 1, 2], "settle order");
      await ch.return();
    },
  ],
  [
    "return() during a pending next() settles both at once; teardown runs exactly once",
    async () => {
      let teardowns = 0;
      const source = subscribe<number>(() => () => void (teardowns += 1));
      const pending = source.next();
      await source.return();
      same(await pending, { done: true }, "pending next");
      await source.return();
      same(teardowns, 1, "teardowns");
    },
  ],
  [
    "fail(err) delivers the buffered values before the error",
    async () => {
      const ch = channel<number>();
      ch.push(1);
      ch.push(2);
      const boom = new Error("boom");
      ch.fail(boom);
      const seen: number[] = [];
      let caught: unknown;
      try {
        for await (const v of ch) seen.push(v);
      } catch (error) {
        caught = error;
      }
      same(seen, [1, 2], "values");
      assert(caught === boom, "the error after the values");
    },
  ],
  [
    "an aborted signal rejects next() with an AbortError whose cause is the reason",
    async () => {
      const controller = new AbortController();
      const ch = channel<number>({ signal: controller.signal });
      const pending = ch.next();
      controller.abort("enough");
      const error = await pending.then(() => undefined, (e: unknown) => e);
      assert(error instanceof AbortError, "an AbortError");
      same((error as AbortError).cause, "enough", "cause");
    },
  ],
  [
    "pull: a rendezvous producer, stopped with its signal; stop() waits for it",
    async () => {
      let exited = false;
      const numbers = pull<number>(async (send) => {
        try {
          for (let i = 0; ; i += 1) if (!(await send(i))) return;
        } finally {
          exited = true;
        }
      });
      const seen: number[] = [];
      for await (const n of numbers) if (seen.push(n) === 5) break;
      same(seen, [0, 1, 2, 3, 4], "values");
      assert(exited, "the producer exited before the loop did");
    },
  ],
  [
    "merge and mapConcurrent",
    async () => {
      const merged = await collect(merge([pull<number>(async (send) => void (await send(1))), pull<number>(async (send) => void (await send(2)))]));
      same(merged.sort(), [1, 2], "merged");
      const doubled = await collect(mapConcurrent(pull<number>(async (send) => { for (const v of [1, 2, 3]) await send(v); }), async (v) => v * 2, { concurrency: 2 }));
      same(doubled, [2, 4, 6], "mapped in order");
    },
  ],
  [
    "timeout() stops a stream that is too slow",
    async () => {
      const slow = channel<number>();
      const error = await timeout(slow, 5).next().then(() => undefined, (e: unknown) => e);
      same((error as { code?: string }).code, "ERR_SLUICE_TIMEOUT", "code");
    },
  ],
  [
    "on(): an EventTarget's events until its end event; listeners removed",
    async () => {
      const target = new EventTarget();
      const events = on<Event>(target, "tick", { endOn: "done" });
      target.dispatchEvent(new Event("tick"));
      target.dispatchEvent(new Event("tick"));
      target.dispatchEvent(new Event("done"));
      same((await collect(events)).length, 2, "events");
      target.dispatchEvent(new Event("tick")); // nobody listens any more: nothing happens
    },
  ],
  [
    "web streams both ways: order, and a stop cancels the stream",
    async () => {
      const source = pull<number>(async (send) => { for (let i = 0; i < 20; i += 1) if (!(await send(i))) return; });
      const roundTrip = await collect(fromReadableStream(toReadableStream(source)));
      same(roundTrip.length, 20, "count");
      let cancelled = 0;
      const endless = new ReadableStream<number>({ pull: (c) => c.enqueue(1), cancel: () => void (cancelled += 1) });
      for await (const _ of fromReadableStream(endless)) break;
      same(cancelled, 1, "cancels");
    },
  ],
  [
    "drive() into a WritableStream: every value, then close",
    async () => {
      const written: number[] = [];
      let closed = false;
      const stream = new WritableStream<number>({ write: (v) => void written.push(v), close: () => void (closed = true) });
      await drive(pull<number>(async (send) => { for (const v of [1, 2, 3]) await send(v); }), stream);
      same(written, [1, 2, 3], "written");
      assert(closed, "closed");
    },
  ],
  [
    "sluice/interop: pushable delivers the buffered values before end(err); duplex pipes through",
    async () => {
      const p = pushable<number>({ objectMode: true });
      p.push(1);
      p.push(2);
      p.end(new Error("late"));
      const seen: number[] = [];
      let caught = "";
      try {
        for await (const v of p) seen.push(v);
      } catch (error) {
        caught = (error as Error).message;
      }
      same([seen, caught], [[1, 2], "late"], "values then error");
      const end = duplex<number>();
      end.outgoing.push(7);
      end.outgoing.end();
      same(await collect(end.source), [7], "duplex source");
      await end.sink([8]);
      same(await collect(end.incoming), [8], "duplex sink");
      await end.close();
    },
  ],
  [
    "sluice/testing: a planted leak fails assertNoLeaks, a clean twin passes withLeakCheck",
    async () => {
      channel<number>({ name: "planted" });
      const error = await assertNoLeaks().then(() => undefined, (e: unknown) => e);
      assert(error instanceof LeakError, "a LeakError");
      assert(error.message.includes('channel "planted"'), "names the bridge");
      await withLeakCheck(async () => {
        const ch = channel<number>();
        ch.push(1);
        ch.end();
        await collect(ch);
      });
    },
  ],
  [
    "nothing is left open",
    async () => {
      await turn();
      same(openBridges().map((b) => b.name), [], "open bridges");
    },
  ],
];

/** The checks' names, in the order they run. */
export const checkNames: readonly string[] = checks.map(([name]) => name);

/** Runs every check in order and reports; never throws. */
export async function runSmoke(): Promise<SmokeReport> {
  const g = globalThis as Record<string, unknown>;
  const environment: Record<string, string> = {};
  for (const name of ["process", "Buffer", "require", "setImmediate", "global", "window", "Deno", "Bun"]) environment[name] = typeof g[name];
  const results: Array<{ name: string; ok: boolean; error?: string }> = [];
  for (const [name, check] of checks) {
    try {
      await check();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return { environment, results };
}
