// duplex(): the it-stream-types shape, stop in each direction, close(), the signal option, sink() input
// forms, rendezvous backpressure and leak reports. it-pipe itself is exercised in it-pipe.test.ts.
import type { Duplex, Source } from "it-stream-types";
import { describe, expect, expectTypeOf, test } from "vitest";
import { AbortError, InvalidArgumentError, openBridges } from "../../src/core/index.js";
import { type DuplexEndpoint, duplex } from "../../src/interop/index.js";
import { assertNoLeaks, leakBaseline } from "../../src/testing/index.js";
import { flush, settledState } from "../helpers.js";

/** An endless input that records how far it was read and whether return() reached it. */
function endless(): { input: AsyncIterable<number>; stats: { pulled: number; returned: boolean } } {
  const stats = { pulled: 0, returned: false };
  const input: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => ({ done: false, value: stats.pulled++ }),
      return: async () => {
        stats.returned = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return { input, stats };
}

describe("duplex()", () => {
  test("is an it-stream-types Duplex (a libp2p Stream's shape), with a pre-bound sink", async () => {
    expectTypeOf<DuplexEndpoint<Uint8Array>>().toExtend<Duplex<AsyncIterable<Uint8Array>, Source<Uint8Array>, Promise<void>>>();
    expectTypeOf<DuplexEndpoint<string, number>>().toExtend<Duplex<AsyncIterable<string>, Iterable<number>, Promise<void>>>();
    const d = duplex<number>();
    const { sink } = d; // it-pipe calls it unbound
    await sink([1, 2]);
    expect(await d.incoming.next()).toEqual({ done: false, value: 1 });
    await d.close();
  });

  test("close() stops both directions at once, and resolves once sink()'s input has been returned", async () => {
    const d = duplex<string, number>({ highWaterMark: 1 });
    const { input, stats } = endless();
    const sinking = d.sink(input);
    const reading = d.source.next();
    d.outgoing.push("buffered, then dropped");
    await flush();
    const incoming = d.incoming.next();
    await d.close("bye");
    expect(stats.returned).toBe(true);
    await expect(sinking).resolves.toBeUndefined();
    expect(await reading).toEqual({ done: false, value: "buffered, then dropped" });
    expect(await incoming).toEqual({ done: false, value: 0 });
    expect(await d.incoming.next()).toEqual({ done: true, value: undefined });
    expect(await d.outgoing.send("late")).toBe(false);
    expect(d.outgoing.signal.reason).toMatchObject({ name: "AbortError", cause: "bye" });
    await d.close(); // idempotent
  });

  test("the pipe's reader breaking out of source stops your writer: send() resolves false, signal aborts", async () => {
    const d = duplex<number>();
    const writer = (async () => {
      let sent = 0;
      while (await d.outgoing.send(sent)) sent += 1;
      return sent;
    })();
    for await (const v of d.source) if (v === 20) break;
    expect(await writer).toBeGreaterThanOrEqual(21);
    expect(d.outgoing.signal.aborted).toBe(true);
    await d.close();
  });

  test("at highWaterMark 0, sink() runs at most one value ahead of the reads of incoming", async () => {
    const d = duplex<never, number>({ highWaterMark: 0 });
    const { input, stats } = endless();
    const sinking = d.sink(input);
    await flush();
    expect(stats.pulled).toBe(1); // offered, waiting for a reader
    for (let i = 0; i < 3; i += 1) expect(await d.incoming.next()).toEqual({ done: false, value: i });
    await flush();
    expect(stats.pulled).toBeGreaterThanOrEqual(3);
    expect(stats.pulled).toBeLessThanOrEqual(4);
    await d.incoming.return(); // the reader stops: sink() stops pulling and resolves
    await sinking;
    expect(stats.returned).toBe(true);
    await d.close();
  });

  test("the signal option: reads reject with an AbortError (cause: the reason) and sink() rejects with one", async () => {
    const controller = new AbortController();
    const d = duplex<number>({ signal: controller.signal });
    const { input, stats } = endless();
    const sinking = d.sink(input);
    const reading = d.source.next();
    controller.abort("timeout");
    const error: unknown = await sinking.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe("timeout");
    await expect(reading).rejects.toMatchObject({ name: "AbortError", cause: "timeout" });
    await expect(d.incoming.next()).rejects.toBeInstanceOf(AbortError);
    expect(stats.returned).toBe(true);
    await d.close();
  });

  test("sink() takes sync iterables and generators, returns a sync iterator it stops early, and runs once", async () => {
    const d = duplex<never, number>({ highWaterMark: 0 });
    let returned = false;
    function* numbers(): Generator<number> {
      try {
        for (let i = 0; ; i += 1) yield i;
      } finally {
        returned = true;
      }
    }
    const sinking = d.sink(numbers());
    expect(await d.incoming.next()).toEqual({ done: false, value: 0 });
    const second = d.sink([1]).catch((e: unknown) => e);
    expect(await second).toBeInstanceOf(InvalidArgumentError);
    await d.close();
    await sinking;
    expect(returned).toBe(true);
    const other = duplex<never, number>();
    await expect(other.sink(42 as never)).rejects.toThrow(/Expected `source` to be an async iterable or an iterable, got 42/);
    await other.close();
  });

  test("sink() after close() returns its input at once and resolves", async () => {
    const d = duplex<never, number>();
    await d.close();
    const { input, stats } = endless();
    await d.sink(input);
    expect(stats.returned).toBe(true);
    expect(stats.pulled).toBe(0);
  });

  test("await using closes it", async () => {
    const { input, stats } = endless();
    let sinking: Promise<void> | undefined;
    {
      await using d = duplex<never, number>();
      sinking = d.sink(input);
      await flush();
    }
    await sinking;
    expect(stats.returned).toBe(true);
  });

  test("a direction left open is reported by name; finishing both by hand needs no close()", async () => {
    const baseline = leakBaseline();
    const d = duplex<number>({ name: "peer-7" });
    expect(openBridges().map((b) => b.name).filter((n) => n.startsWith("peer-7"))).toEqual(["peer-7.source", "peer-7.sink"]);
    d.outgoing.end();
    expect(await d.source.next()).toEqual({ done: true, value: undefined });
    await expect(assertNoLeaks({ baseline, stopLeaked: false })).rejects.toThrow(/channel "peer-7\.sink": idle/);
    await d.sink([]);
    expect(await d.incoming.next()).toEqual({ done: true, value: undefined });
    await assertNoLeaks({ baseline });
  });

  test("invalid options throw an InvalidArgumentError", () => {
    expect(() => duplex({ highWaterMark: -1 })).toThrow(/Expected `highWaterMark`/);
    expect(() => duplex({ name: 3 } as never)).toThrow(/Expected `name` to be a string/);
    expect(() => duplex(1 as never)).toThrow(/Expected `options` to be an object/);
  });

  test("a pending sink() stays pending while nobody reads incoming (backpressure, not a busy loop)", async () => {
    const d = duplex<never, number>({ highWaterMark: 2 });
    const { input, stats } = endless();
    const sinking = d.sink(input);
    await flush(3);
    expect(await settledState(sinking)).toBe("pending");
    expect(stats.pulled).toBe(2); // highWaterMark values unread: drive() waits for room before pulling more
    await d.close();
  });
});
