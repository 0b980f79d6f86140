// fromReadableStream and toReadableStream (WHATWG streams), and the hangs of the stream's own iterator.
import { describe, expect, test } from "vitest";
import { AbortError, InvalidArgumentError, channel, fromReadableStream, openBridges, pull, toReadableStream } from "../../src/core/index.js";
import { flush, settledState } from "../helpers.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const v of iterable) seen.push(v);
  return seen;
}

/** A pull-based stream of 0..count-1 that records its pulls and its cancel. */
function counting(count: number, highWaterMark = 1) {
  const stats = { pulled: 0, cancelled: [] as unknown[] };
  const stream = new ReadableStream<number>(
    {
      pull(controller) {
        if (stats.pulled === count) return controller.close();
        controller.enqueue(stats.pulled);
        stats.pulled += 1;
      },
      cancel(reason) {
        stats.cancelled.push(reason);
      },
    },
    new CountQueuingStrategy({ highWaterMark }),
  );
  return { stream, stats };
}

describe("fromReadableStream", () => {
  test("every chunk in order, then done; the lock is released", async () => {
    const { stream } = counting(100);
    expect(await collect(fromReadableStream(stream))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(stream.locked).toBe(false);
  });

  test("pull-based backpressure: a slow consumer is never more than the two buffers behind the stream's pulls", async () => {
    const { stream, stats } = counting(200, 2);
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of fromReadableStream(stream, { highWaterMark: 4 })) {
      consumed += 1;
      maxAhead = Math.max(maxAhead, stats.pulled - consumed);
      await flush(1);
    }
    expect(consumed).toBe(200);
    expect(maxAhead).toBeLessThanOrEqual(4 + 2 + 1);
  });

  test("an error fails the iterator after the chunks already buffered", async () => {
    let controller!: ReadableStreamDefaultController<number>;
    const stream = new ReadableStream<number>({ start: (c) => void (controller = c) });
    const chunks = fromReadableStream(stream, { lazy: false });
    controller.enqueue(1);
    controller.enqueue(2);
    await flush();
    controller.error(new Error("broken"));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of chunks) seen.push(v);
      })(),
    ).rejects.toThrow("broken");
    expect(seen).toEqual([1, 2]);
    expect(stream.locked).toBe(false);
  });

  test("stopping cancels the stream with an AbortError whose cause is the reason, and releases the lock", async () => {
    const { stream, stats } = counting(Infinity);
    const chunks = fromReadableStream(stream);
    await chunks.next();
    await chunks.stop("enough");
    expect(stats.cancelled).toHaveLength(1);
    expect(stats.cancelled[0]).toBeInstanceOf(AbortError);
    expect((stats.cancelled[0] as AbortError).cause).toBe("enough");
    expect(stream.locked).toBe(false);
  });

  test("a byte stream through a default reader yields its Uint8Array chunks", async () => {
    const bytes = new ReadableStream({
      type: "bytes",
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2]));
        controller.enqueue(new Uint8Array([3]));
        controller.close();
      },
    });
    const chunks = await collect(fromReadableStream<Uint8Array>(bytes));
    expect(chunks.flatMap((c) => [...c])).toEqual([1, 2, 3]);
  });

  test("a locked stream, or something else, is refused", () => {
    const stream = new ReadableStream();
    const reader = stream.getReader();
    expect(() => fromReadableStream(stream)).toThrow(InvalidArgumentError);
    reader.releaseLock();
    expect(() => fromReadableStream({} as ReadableStream)).toThrow(InvalidArgumentError);
  });
});

describe("toReadableStream", () => {
  test("every value in order, then close; from a sluice bridge as well", async () => {
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < 50; i += 1) yield i;
    }
    expect(await collect(toReadableStream(numbers()))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const ch = channel<string>();
    ["a", "b"].forEach(ch.push);
    ch.end();
    expect(await collect(toReadableStream(ch))).toEqual(["a", "b"]);
  });

  test("pulled only as its reader reads: never more than highWaterMark ahead", async () => {
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
    const reader = toReadableStream(source, { highWaterMark: 4 }).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      consumed += 1;
      await flush(1);
    }
    expect(consumed).toBe(100);
    expect(maxAhead).toBeLessThanOrEqual(3 + 3); // the queue; the chunk being read; the value in send(); the next one counted
  });

  test("the source's error errors the stream after the values", async () => {
    const source = (async function* () {
      yield 1;
      throw new Error("source broke");
    })();
    const reader = toReadableStream(source).getReader();
    expect(await reader.read()).toEqual({ value: 1, done: false });
    await expect(reader.read()).rejects.toThrow("source broke");
  });

  // Found by the web-streams property (counterexample [[0,0,0,0],4,undefined,2,0,[1]]): erroring the stream at once
  // dropped a chunk still in its queue.
  test("the source's error waits for the chunks already queued in the stream: none is dropped", async () => {
    const source = (async function* () {
      yield* [1, 2, 3];
      throw new Error("late");
    })();
    const reader = toReadableStream(source, { highWaterMark: 4 }).getReader();
    await flush(); // the stream reads ahead: 1, 2, 3 queued, and its fourth pull meets the failure
    const seen: number[] = [];
    await expect(
      (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) seen.push(r.value);
      })(),
    ).rejects.toThrow("late");
    expect(seen).toEqual([1, 2, 3]);
  });

  test("cancel stops the source (return() once), even with a read pending, and waits for it", async () => {
    let returns = 0;
    const ch = channel<number>();
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => ch.next(), return: async () => ((returns += 1), ch.return()) }),
    };
    const reader = toReadableStream(source).getReader();
    const pending = reader.read();
    await flush();
    await reader.cancel("bye");
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(returns).toBe(1);
    expect(openBridges()).toEqual([]);
  });

  test("a stream cancelled before its first pull still stops its sluice source", async () => {
    const ch = channel<number>({ name: "never-pulled" });
    await toReadableStream(ch, { highWaterMark: 0 }).cancel();
    expect(openBridges()).toEqual([]);
  });

  test("type: 'bytes' makes a byte stream that a BYOB reader can read", async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
      yield new Uint8Array([4]);
    }
    const reader = toReadableStream(chunks(), { type: "bytes" }).getReader({ mode: "byob" });
    const got: number[] = [];
    for (let r = await reader.read(new Uint8Array(2)); !r.done; r = await reader.read(new Uint8Array(2))) got.push(...r.value);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  test("arguments are checked", () => {
    expect(() => toReadableStream([] as unknown as AsyncIterable<number>)).toThrow(InvalidArgumentError);
    const ch = channel<number>();
    expect(() => toReadableStream(ch, { highWaterMark: -1 })).toThrow(InvalidArgumentError);
    expect(() => toReadableStream(ch, { type: "byob" as "bytes" })).toThrow(InvalidArgumentError);
    return ch.return();
  });
});

describe("regressions: the ReadableStream's own async iterator", () => {
  test("return() racing a pending next() hangs both on an idle stream; fromReadableStream settles both at once and cancels", async () => {
    const peerStream = new ReadableStream<number>();
    const peer = peerStream[Symbol.asyncIterator]();
    const peerNext = peer.next();
    const peerReturn = peer.return!();
    await flush(3);
    expect(await settledState(peerNext)).toBe("pending");
    expect(await settledState(peerReturn)).toBe("pending");

    const cancelled: unknown[] = [];
    const idle = new ReadableStream<number>({ cancel: (reason) => void cancelled.push(reason) });
    const chunks = fromReadableStream(idle);
    const next = chunks.next();
    const stopped = chunks.return();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(await stopped).toEqual({ done: true, value: undefined });
    expect(cancelled).toHaveLength(1);
    expect(idle.locked).toBe(false);
  });

  test("ReadableStream.from(asyncGenerator): cancel() while a pull is pending waits for the generator; toReadableStream(bridge) cancels at once", async () => {
    let release!: () => void;
    const peer = ReadableStream.from(
      (async function* () {
        await new Promise<void>((resolve) => (release = resolve));
        yield 1;
      })(),
    );
    const peerReader = peer.getReader();
    const peerRead = peerReader.read();
    await flush();
    const peerCancel = peerReader.cancel();
    await flush(3);
    expect(await settledState(peerCancel)).toBe("pending");
    release();
    await Promise.allSettled([peerRead, peerCancel]);

    const ours = toReadableStream(channel<number>()).getReader();
    const read = ours.read();
    await flush();
    await ours.cancel();
    expect(await read).toEqual({ done: true, value: undefined });
    expect(openBridges()).toEqual([]);
  });
});
