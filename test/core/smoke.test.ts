import { expect, test } from "vitest";
import { channel } from "../../src/core/index.js";

test("a channel delivers pushed values, then done", async () => {
  const ch = channel<number>();
  ch.push(1);
  ch.end();
  expect(await ch.next()).toEqual({ value: 1, done: false });
  expect(await ch.next()).toEqual({ value: undefined, done: true });
});
