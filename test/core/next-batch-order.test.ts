// Found by test/property/pushable.property.test.ts (pushableV), open in the core: concurrent nextBatch()
// calls do not always settle in call order. A nextBatch() that finds the buffer empty waits through an
// inner next() and then maps its result (one step more), so a later nextBatch() served from the buffer
// settles first. Its TSDoc promises "the same ordering rules as next()" (C2). `test.fails` while open.
import { expect, test } from "vitest";
import { channel } from "../../src/core/index.js";

test.fails("open: a nextBatch() waiting on an empty buffer settles before a later nextBatch() served from the buffer (C2)", async () => {
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
