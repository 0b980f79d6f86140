// sluice through real it-pipe 3.0.1: sluice iterators as pipe sources, `duplex()` at the end and in the
// middle of a pipe, early stops (the upstream producer has exited and nothing leaks), errors in every
// position, and bounded buffering with a slow sink. No timers: "slow" is one event-loop turn per value.
import { pipe } from "it-pipe";
import type { Source } from "it-stream-types";
import { describe, expect, test } from "vitest";
import { type BridgeIterator, channel, merge, pull, subscribe } from "../../src/core/index.js";
import { duplex, pushable } from "../../src/interop/index.js";
import { assertNoLeaks, leakBaseline } from "../../src/testing/index.js";

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function collect<T>(source: Source<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of source) values.push(value);
  return values;
}

/** A transform stage, as libp2p code writes them. */
function map<A, B>(fn: (value: A) => B): (source: Source<A>) => AsyncGenerator<B> {
  return async function* (source) {
    for await (const value of source) yield fn(value);
  };
}

/** A `pull` source of 0..count-1 that records how far it got and whether it exited. */
function counting(count = Infinity, failAfter?: number): { source: BridgeIterator<number>; stats: { produced: number; exited: boolean; aborted: boolean } } {
  const stats = { produced: 0, exited: false, aborted: false };
  const source = pull<number>(
    async (send, signal) => {
      try {
        for (let i = 0; i < count; i += 1) {
          if (i === failAfter) throw new Error(`failed after ${i}`);
          if (!(await send(i))) return;
          stats.produced += 1;
        }
      } finally {
        stats.exited = true;
        stats.aborted = signal.aborted;
      }
    },
    { name: "counting" },
  );
  return { source, stats };
}

/** A fake remote peer on a duplex: answers each value it receives with `answer(value)`, then ends. */
function serve<A, B>(remote: ReturnType<typeof duplex<B, A>>, answer: (value: A) => B, slow = false): Promise<void> {
  return (async () => {
    for await (const value of remote.incoming) {
      if (slow) await turn();
      if (!(await remote.outgoing.send(answer(value)))) return; // whoever reads `source` stopped
    }
    remote.outgoing.end();
  })();
}

describe("sluice iterators as it-pipe sources", () => {
  test("channel, pull, subscribe, merge and pushable are sources (async iterables) a pipe reads to the end", async () => {
    const ch = channel<number>();
    ch.push(1);
    ch.push(2);
    ch.end();
    const pulled = pull<number>(async (send) => {
      for (const v of [3, 4]) if (!(await send(v))) return;
    });
    const subscribed = subscribe<number>((sink) => {
      sink.push(5);
      sink.end();
    });
    const merged = merge([pull<number>(async (send) => void (await send(6)))]);
    const pushed = pushable<number>({ objectMode: true }).push(7).end();
    const results = await Promise.all([ch, pulled, subscribed, merged, pushed].map((source) => pipe(source, map((v: number) => v * 10), collect)));
    expect(results).toEqual([[10, 20], [30, 40], [50], [60], [70]]);
  });

  test("a sink that stops early stops the sluice source: its producer has exited when pipe() resolves", async () => {
    const { source, stats } = counting();
    const firstThree = await pipe(source, map((v: number) => v + 1), async (values) => {
      const seen: number[] = [];
      for await (const v of values) if (seen.push(v) === 3) break;
      return seen;
    });
    expect(firstThree).toEqual([1, 2, 3]);
    expect(stats).toEqual({ produced: 3, exited: true, aborted: true });
  });

  test("a source error reaches the sink through the pipe, after the values before it", async () => {
    const { source, stats } = counting(10, 2);
    const seen: number[] = [];
    const piped = pipe(source, map((v: number) => v * 2), async (values) => {
      for await (const v of values) seen.push(v);
    });
    await expect(piped).rejects.toThrow("failed after 2");
    expect(seen).toEqual([0, 2]);
    expect(stats.exited).toBe(true);
  });

  test("a transform or sink that throws stops the sluice source", async () => {
    for (const where of ["transform", "sink"] as const) {
      const { source, stats } = counting();
      const transform = map((v: number) => {
        if (where === "transform" && v === 2) throw new Error("transform failed");
        return v;
      });
      const piped = pipe(source, transform, async (values) => {
        for await (const v of values) if (where === "sink" && v === 2) throw new Error("sink failed");
      });
      await expect(piped).rejects.toThrow(`${where} failed`);
      expect(stats).toMatchObject({ exited: true, aborted: true });
    }
  });

  test("backpressure: with a slow sink, a pull source runs at most one value ahead of each stage", async () => {
    const { source, stats } = counting(30);
    let consumed = 0;
    let maxAhead = 0;
    await pipe(source, map((v: number) => v), async (values) => {
      for await (const _ of values) {
        consumed += 1;
        maxAhead = Math.max(maxAhead, stats.produced - consumed);
        await turn();
      }
    });
    expect(consumed).toBe(30);
    // pull's rendezvous (highWaterMark 0): send() resolves (and `produced` counts) only once the map stage
    // took the value, so the only value ahead of the sink is the one the map generator holds.
    expect(maxAhead).toBeLessThanOrEqual(1);
  });
});

describe("duplex() in a pipe", () => {
  test("pipe(sluiceSource, transform, duplex, sink): the remote end answers every value, in order", async () => {
    const { source, stats } = counting(5);
    const remote = duplex<string, number>({ name: "remote" });
    const serving = serve(remote, (n) => `answer ${n}`);
    const answers = await pipe(source, map((v: number) => v * 10), remote, collect);
    await serving;
    expect(answers).toEqual(["answer 0", "answer 10", "answer 20", "answer 30", "answer 40"]);
    expect(stats.exited).toBe(true);
    await assertNoLeaks(); // both directions finished by themselves: nothing to close
  });

  test("duplex at the end: pipe() resolves with sink(); incoming delivers every value, then done", async () => {
    const { source } = counting(4);
    const local = duplex<never, number>();
    const reading = collect(local.incoming);
    await pipe(source, map((v: number) => v + 1), local);
    expect(await reading).toEqual([1, 2, 3, 4]);
    local.outgoing.end(); // nothing to send: this direction is finished too once read
    expect(await collect(local.source)).toEqual([]);
  });

  test("duplex at the start: its source feeds the pipe; sink() is never called, so close() it", async () => {
    const baseline = leakBaseline();
    const local = duplex<number>();
    void (async () => {
      for (const v of [1, 2, 3]) if (!(await local.outgoing.send(v))) return;
      local.outgoing.end();
    })();
    expect(await pipe(local, map((v: number) => -v), collect)).toEqual([-1, -2, -3]);
    await expect(assertNoLeaks({ baseline, stopLeaked: false })).rejects.toThrow(/channel "duplex\.sink"/);
    await local.close();
    await assertNoLeaks({ baseline });
  });

  test("cancellation: a sink that stops early after a duplex unwinds the pipe: the remote sees send() false, the upstream producer exits", async () => {
    const { source, stats } = counting();
    const remote = duplex<number>({ highWaterMark: 1 });
    const serving = serve(remote, (n) => n * 2);
    const firstThree = await pipe(source, remote, async (values) => {
      const seen: number[] = [];
      for await (const v of values) if (seen.push(v) === 3) break;
      return seen;
    });
    expect(firstThree).toEqual([0, 2, 4]);
    // it-merge (inside it-pipe) returns the duplex's source without waiting: the remote learns it from
    // send(), stops reading incoming, and sink() then stops pulling the upstream source.
    await serving;
    await remote.close(); // resolves once sink()'s input has been returned
    expect(stats).toMatchObject({ exited: true, aborted: true });
    await assertNoLeaks();
  });

  test("cancellation: the local reader of incoming breaking out stops sink() and the upstream producer", async () => {
    const { source, stats } = counting();
    const local = duplex<never, number>({ highWaterMark: 2 });
    const sinking = pipe(source, map((v: number) => v), local);
    const seen: number[] = [];
    for await (const v of local.incoming) if (seen.push(v) === 4) break;
    await sinking; // resolves, not rejects: the reader stopping is a normal end
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(stats).toMatchObject({ exited: true, aborted: true });
    await local.close();
  });

  test("errors: an upstream error rejects sink() and reaches incoming after the values before it", async () => {
    const { source } = counting(10, 3);
    const local = duplex<never, number>();
    const reading = collect(local.incoming).catch((error: unknown) => error);
    await expect(pipe(source, local)).rejects.toThrow("failed after 3");
    expect(await reading).toEqual(new Error("failed after 3"));
    await local.close();
  });

  test("errors: the remote failing its outgoing side rejects the pipe's reader", async () => {
    const { source, stats } = counting();
    const remote = duplex<number>();
    void (async () => {
      for await (const v of remote.incoming) if (v === 2) return remote.outgoing.fail(new Error("remote reset"));
    })();
    await expect(pipe(source, remote, collect)).rejects.toThrow("remote reset");
    await remote.close();
    expect(stats.exited).toBe(true);
  });

  test("backpressure: with a slow remote, the upstream source runs at most highWaterMark + 1 values ahead", async () => {
    const { source, stats } = counting(40);
    const highWaterMark = 3;
    const remote = duplex<number>({ highWaterMark });
    let consumed = 0;
    let maxAhead = 0;
    const serving = (async () => {
      for await (const v of remote.incoming) {
        consumed += 1;
        maxAhead = Math.max(maxAhead, stats.produced - consumed);
        await turn(); // a slow remote
        if (!(await remote.outgoing.send(v))) return;
      }
      remote.outgoing.end();
    })();
    const echoed = await pipe(source, remote, collect);
    await serving;
    expect(echoed).toHaveLength(40);
    // Taken from the source and not yet read by the remote: at most highWaterMark unread in incoming, plus
    // the one drive() holds between its next() and its write (pull's send() counts a value once taken).
    expect(maxAhead).toBeLessThanOrEqual(highWaterMark + 1);
  });
});
