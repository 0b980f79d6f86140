// sluice/node: fromReadable and toReadable, and the hangs of Node's own adapters they remove.
import { execFileSync } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, test } from "vitest";
import { InvalidArgumentError, channel, openBridges, pull } from "../../src/core/index.js";
import { fromReadable, toReadable } from "../../src/node/index.js";
import { flush, settledState } from "../helpers.js";

const listenerTotal = (emitter: Readable): number => emitter.eventNames().reduce((n, name) => n + emitter.listenerCount(name), 0);

/** A Readable that produces `count` numbers on demand, counting what was produced. */
function counter(count: number, highWaterMark = 4) {
  const stats = { produced: 0 };
  const readable = new Readable({
    objectMode: true,
    highWaterMark,
    read() {
      if (stats.produced === count) return void this.push(null);
      this.push(stats.produced);
      stats.produced += 1;
    },
  });
  return { readable, stats };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const v of iterable) seen.push(v);
  return seen;
}

describe("fromReadable", () => {
  test("every chunk in order, then done at 'end'; no listener left", async () => {
    const { readable } = counter(100);
    expect(await collect(fromReadable<number>(readable))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(listenerTotal(readable)).toBe(0);
  });

  test("strings after setEncoding, Buffers otherwise", async () => {
    // Like Node's own iterator, read() hands over everything buffered at once: chunk boundaries are not kept.
    expect((await collect(fromReadable<string>(Readable.from(["ab", "cd"], { objectMode: false }).setEncoding("utf8")))).join("")).toBe("abcd");
    const buffers = await collect(fromReadable<Buffer>(Readable.from([Buffer.from("x")], { objectMode: false })));
    expect(Buffer.concat(buffers).toString()).toBe("x");
  });

  test("backpressure: a slow consumer pauses the stream; it never reads more than the two buffers ahead", async () => {
    const { readable, stats } = counter(200, 4);
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of fromReadable<number>(readable, { highWaterMark: 8 })) {
      consumed += 1;
      maxAhead = Math.max(maxAhead, stats.produced - consumed);
      await flush(1);
    }
    expect(consumed).toBe(200);
    expect(maxAhead).toBeLessThanOrEqual(8 + 4 + 1); // the bridge's buffer, the stream's buffer, one in flight
  });

  test("an 'error' fails the iterator after the chunks already buffered", async () => {
    const readable = new Readable({ objectMode: true, read() {} });
    const chunks = fromReadable<number>(readable);
    readable.push(1);
    readable.push(2);
    await flush();
    readable.destroy(new Error("disk gone"));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of chunks) seen.push(v);
      })(),
    ).rejects.toThrow("disk gone");
    expect(seen).toEqual([1, 2]);
  });

  test("destroyed without an error before its end: a premature-close error, not a silent end", async () => {
    const readable = new Readable({ objectMode: true, read() {} });
    const chunks = fromReadable(readable);
    readable.destroy();
    await expect(chunks.next()).rejects.toMatchObject({ code: "ERR_STREAM_PREMATURE_CLOSE" });
  });

  test("stopping destroys the stream and removes every listener; destroyOnReturn: false only pauses it", async () => {
    const first = counter(Infinity);
    for await (const v of fromReadable<number>(first.readable)) if (v === 3) break;
    await flush();
    expect(first.readable.destroyed).toBe(true);
    expect(listenerTotal(first.readable)).toBe(1); // the no-op 'error' guard for a failing _destroy

    const second = counter(Infinity);
    for await (const v of fromReadable<number>(second.readable, { destroyOnReturn: false })) if (v === 3) break;
    expect(second.readable.destroyed).toBe(false);
    expect(second.readable.isPaused()).toBe(true);
    expect(listenerTotal(second.readable)).toBe(0);
    second.readable.destroy();
  });

  test("an already ended or already errored stream", async () => {
    const ended = Readable.from([]);
    await collect(ended);
    expect(await collect(fromReadable(ended))).toEqual([]);
    const errored = new Readable({ read() {} });
    errored.on("error", () => undefined);
    errored.destroy(new Error("before"));
    await flush();
    await expect(fromReadable(errored).next()).rejects.toThrow("before");
  });

  test("arguments are checked before anything is attached", () => {
    expect(() => fromReadable({} as Readable)).toThrow(InvalidArgumentError);
    const { readable } = counter(1);
    expect(() => fromReadable(readable, { highWaterMark: -1 })).toThrow(InvalidArgumentError);
    expect(() => fromReadable(readable, { destroyOnReturn: 1 as unknown as boolean })).toThrow(InvalidArgumentError);
    expect(listenerTotal(readable)).toBe(0);
  });
});

describe("toReadable", () => {
  test("every value in order, then 'end'; a sync iterable too", async () => {
    const values = Array.from({ length: 50 }, (_, i) => ({ i }));
    expect(await collect(toReadable(values))).toEqual(values);
    const ch = channel<number>();
    [1, 2, 3].forEach(ch.push);
    ch.end();
    expect(await collect(toReadable(ch))).toEqual([1, 2, 3]);
  });

  test("byte mode: Buffers and strings", async () => {
    const text: string[] = [];
    await pipeline(
      toReadable((async function* () { yield "a"; yield Buffer.from("b"); })(), { objectMode: false }),
      new Writable({ write: (chunk: Buffer, _e, cb) => (text.push(chunk.toString()), cb()) }),
    );
    expect(text.join("")).toBe("ab");
  });

  test("pulled only as the stream's consumer reads: never more than highWaterMark ahead", async () => {
    let pulled = 0;
    let consumed = 0;
    let maxAhead = 0;
    const source = pull<number>(async (send) => {
      for (let i = 0; i < 100; i += 1) {
        pulled += 1;
        maxAhead = Math.max(maxAhead, pulled - consumed);
        if (!(await send(i))) return;
      }
    });
    for await (const _ of toReadable(source, { highWaterMark: 5 })) {
      consumed += 1;
      await flush(1);
    }
    expect(consumed).toBe(100);
    expect(maxAhead).toBeLessThanOrEqual(5 + 2);
  });

  test("the source's error destroys the stream with it, after the values its consumer read", async () => {
    const source = (async function* () {
      yield 1;
      throw new Error("source broke");
    })();
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const v of toReadable(source, { highWaterMark: 0 })) seen.push(v);
      })(),
    ).rejects.toThrow("source broke");
    expect(seen).toEqual([1]); // with a buffer, destroy() drops what the stream still holds, as for every Readable
  });

  test("destroying the stream stops the source (return() once) and 'close' follows", async () => {
    let returns = 0;
    const ch = channel<number>();
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => ch.next(), return: async () => ((returns += 1), ch.return()) }),
    };
    const readable = toReadable(source);
    readable.on("data", () => undefined);
    ch.push(1);
    await flush();
    const closed = new Promise((resolve) => readable.once("close", resolve));
    readable.destroy();
    await closed;
    expect(returns).toBe(1);
    expect(openBridges()).toEqual([]);
  });

  test("a stream destroyed before it was ever read still stops its sluice source", async () => {
    const ch = channel<number>({ name: "never-read" });
    const readable = toReadable(ch);
    readable.destroy();
    await new Promise((resolve) => readable.once("close", resolve));
    expect(openBridges()).toEqual([]);
  });

  test("null in object mode destroys the stream with a TypeError and stops the source", async () => {
    const ch = channel<number | null>();
    ch.push(null);
    const readable = toReadable(ch);
    await expect(collect(readable)).rejects.toThrow(TypeError);
    expect(openBridges()).toEqual([]);
  });

  test("pipeline(toReadable(source), writable): a failing writable stops the source", async () => {
    let stopped = false;
    const source = pull<number>(async (send, signal) => {
      signal.addEventListener("abort", () => (stopped = true));
      for (let i = 0; ; i += 1) if (!(await send(i))) return;
    });
    const failing = new Writable({ objectMode: true, write: (v: number, _e, cb) => cb(v === 5 ? new Error("disk full") : null) });
    await expect(pipeline(toReadable(source), failing)).rejects.toThrow("disk full");
    expect(stopped).toBe(true);
  });

  test("arguments are checked", () => {
    expect(() => toReadable(42 as unknown as Iterable<number>)).toThrow(InvalidArgumentError);
    expect(() => toReadable([], { highWaterMark: -1 })).toThrow(InvalidArgumentError);
    expect(() => toReadable([], { objectMode: "no" as unknown as boolean })).toThrow(InvalidArgumentError);
  });
});

// The peers' known hangs, each shown on the peer (so that the test notices if Node fixes it) and fixed by sluice.
describe("regressions: Node's own stream adapters", () => {
  test("Readable's async iterator: return() racing a pending next() hangs both; fromReadable settles both at once", async () => {
    const peerStream = new Readable({ objectMode: true, read() {} });
    const peer = peerStream[Symbol.asyncIterator]();
    const peerNext = peer.next();
    const peerReturn = peer.return?.();
    await flush(3);
    expect(await settledState(peerNext)).toBe("pending");
    expect(await settledState(peerReturn!)).toBe("pending");
    peerStream.push(null); // release the peer's hang so that nothing is left running

    const stream = new Readable({ objectMode: true, read() {} });
    const chunks = fromReadable(stream);
    const next = chunks.next();
    const stopped = chunks.return();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(await stopped).toEqual({ done: true, value: undefined });
    expect(stream.destroyed).toBe(true);
    await Promise.allSettled([peerNext, peerReturn]);
  });

  test("Readable's async iterator: destroy(err) before the first next() is an uncaught exception; fromReadable rejects next() instead", () => {
    const script = (adapter: string): string => `
      import { Readable } from "node:stream";
      ${adapter === "sluice" ? `import { fromReadable } from ${JSON.stringify(new URL("../../src/node/index.ts", import.meta.url).href)};` : ""}
      process.on("uncaughtException", (e) => { console.log("uncaught: " + e.message); process.exit(0); });
      const stream = new Readable({ read() {} });
      const it = ${adapter === "sluice" ? "fromReadable(stream)" : "stream[Symbol.asyncIterator]()"};
      stream.destroy(new Error("early"));
      setTimeout(() => it.next().then(() => console.log("next: done"), (e) => console.log("next rejected: " + e.message)), 20);
    `;
    const run = (adapter: string): string =>
      execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(adapter)], { encoding: "utf8", cwd: new URL("../..", import.meta.url).pathname }).trim();
    expect(run("node")).toBe("uncaught: early");
    expect(run("sluice")).toBe("next rejected: early");
  }, 90_000); // two child processes with tsx: seconds on a busy machine

  test("Readable.from(asyncGenerator): destroy() while a next() is pending never emits 'close'; toReadable(bridge) closes at once", async () => {
    let release!: () => void;
    const peer = Readable.from(
      (async function* () {
        await new Promise<void>((resolve) => (release = resolve));
        yield 1;
      })(),
    );
    peer.on("data", () => undefined);
    await flush();
    let peerClosed = false;
    peer.on("close", () => (peerClosed = true));
    peer.destroy();
    await flush(3);
    expect(peerClosed).toBe(false);
    release(); // let the peer's generator finish, so nothing is left running

    const ch = channel<number>();
    const ours = toReadable(ch);
    ours.on("data", () => undefined);
    await flush();
    let closed = false;
    ours.on("close", () => (closed = true));
    ours.destroy();
    await flush(3);
    expect(closed).toBe(true);
    expect(openBridges()).toEqual([]);
  });
});
