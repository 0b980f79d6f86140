// Found by test/property/pushable.property.test.ts (pushableV): a nextBatch() that found the buffer empty
// waited through an inner next() and then mapped its result (one step more), so a later nextBatch() served
// from the buffer settled first, against the call-order rule ("the same ordering rules as next()").
import { expect, test } from "vitest";
import { channel } from "../../src/core/index.js";

test("regression: a nextBatch() waiting on an empty buffer settles before a later nextBatch() served from the buffer (call order)", async () => {
  const ch = channel<number>();
  const order: string[] = [];
  const first = ch.nextBatch().then((r) => order.push(`first ${JSON.stringify(r.value)}`));
  ch.push(1); // handed to the waiting call
  ch.push(2); // buffered: the second call takes it at once
  const second = ch.nextBatch().then((r) => order.push(`second ${JSON.stringify(r.value)}`));
  await Promise.all([first, second]);
  await ch.stop();
  expect(order).toEqual(["first [1]", "second [2]"]);
});

test("regression: a nextBatch() and a next() waiting together settle in call order", async () => {
  const ch = channel<number>();
  const order: string[] = [];
  const batch = ch.nextBatch().then((r) => order.push(`batch ${JSON.stringify(r.value)}`));
  const single = ch.next().then((r) => order.push(`next ${JSON.stringify(r.value)}`));
  ch.push(1);
  ch.push(2);
  const later = ch.nextBatch().then((r) => order.push(`later ${JSON.stringify(r)}`));
  ch.end();
  await Promise.all([batch, single, later]);
  expect(order).toEqual(["batch [1]", "next 2", 'later {"done":true}']);
});
