import { describe, expect, test } from "vitest";
import { InvalidArgumentError, batches, channel, merge } from "../../src/core/index.js";
import { source } from "../helpers/sources.js";

describe("batches", () => {
  test("on a bridge: every buffered value in one batch, at most `max`", async () => {
    const ch = channel<number>({ highWaterMark: Infinity });
    for (let i = 0; i < 10; i += 1) ch.push(i);
    ch.end();
    const got: number[][] = [];
    for await (const batch of batches(ch, { max: 4 })) got.push(batch);
    expect(got).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  test("without max: everything buffered at once; waits for the next value when empty", async () => {
    const ch = channel<number>({ highWaterMark: Infinity });
    ch.push(1);
    ch.push(2);
    const it = batches(ch);
    expect(await it.next()).toEqual({ value: [1, 2], done: false });
    const pending = it.next();
    ch.push(3);
    expect(await pending).toEqual({ value: [3], done: false });
    ch.end();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  test("on any other async iterable: one-value batches", async () => {
    async function* gen(): AsyncGenerator<string> {
      yield* ["a", "b", "c"];
    }
    const got: string[][] = [];
    for await (const batch of batches(gen(), { max: 10 })) got.push(batch);
    expect(got).toEqual([["a"], ["b"], ["c"]]);
  });

  test("a combinator is a bridge: batches use nextBatch", async () => {
    const ch = channel<number>({ highWaterMark: Infinity });
    for (let i = 0; i < 5; i += 1) ch.push(i);
    ch.end();
    const merged = merge([ch]);
    const flat: number[] = [];
    for await (const batch of batches(merged)) flat.push(...batch);
    expect(flat).toEqual([0, 1, 2, 3, 4]);
  });

  test("break stops the source, even with a next() pending; errors surface once", async () => {
    const s = source([1, 2, 3], { endless: true });
    for await (const batch of batches(s.it)) if (batch.includes(1)) break;
    expect(s.stats.teardowns).toBe(1);

    const boom = new Error("boom");
    const failing = batches(source([1], { error: boom }).it);
    expect(await failing.next()).toEqual({ value: [1], done: false });
    await expect(failing.next()).rejects.toBe(boom);
    expect(await failing.next()).toEqual({ value: undefined, done: true });
  });

  test("return() before reading finishes a bridge source", async () => {
    const s = source([1]);
    await batches(s.it).return();
    expect(s.stats.sent).toBe(0);
  });

  test("validates its arguments", () => {
    expect(() => batches([1, 2] as never)).toThrow("Expected `source` to be an async iterable");
    const empty = (async function* () {})();
    expect(() => batches(empty, { max: 0 })).toThrow("Expected `max` to be an integer >= 1 or Infinity");
    expect(() => batches(empty, 5 as never)).toThrow(InvalidArgumentError);
  });
});
