// The queue under every bridge, against an array model: any mix of push, shift, take, peek, drain and clear
// keeps FIFO order and length. Batches of thousands of pushes carry it past its largest array (4,096 slots),
// into the spilled segments and back, and wrap its circular array at every offset.
import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { RingBuffer } from "../../src/core/ring-buffer.js";
import { numRuns } from "../property/helpers.js";

type Op =
  | { readonly op: "push"; readonly count: number }
  | { readonly op: "shift"; readonly count: number }
  | { readonly op: "take"; readonly count: number }
  | { readonly op: "peek" }
  | { readonly op: "drain" }
  | { readonly op: "clear" };

const count = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 10_000 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("push" as const), count }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("shift" as const), count }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("take" as const), count }) },
  { weight: 1, arbitrary: fc.constant({ op: "peek" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "drain" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "clear" as const }) },
);

test.prop([fc.integer({ min: 0, max: 5_000 }), fc.array(op, { maxLength: 30 })], { numRuns: Math.min(numRuns, 300) })(
  "any sequence of operations keeps FIFO order and length, across segments",
  (capacity, ops) => {
    const queue = new RingBuffer<number>(capacity);
    let model: number[] = [];
    let next = 0;
    for (const step of ops) {
      switch (step.op) {
        case "push":
          for (let i = 0; i < step.count; i += 1) {
            queue.push(next);
            model.push(next);
            next += 1;
          }
          break;
        case "shift": {
          const n = Math.min(step.count, model.length);
          const shifted: number[] = [];
          for (let i = 0; i < n; i += 1) shifted.push(queue.shift());
          expect(shifted).toEqual(model.slice(0, n));
          model = model.slice(n);
          break;
        }
        case "take": {
          const n = Math.min(step.count, model.length);
          if (n === 0) break;
          const taken = queue.take(n);
          expect(taken).toEqual(model.slice(0, n));
          model = model.slice(n);
          break;
        }
        case "peek":
          if (model.length > 0) expect(queue.peek()).toBe(model[0]);
          break;
        case "drain": {
          const drained: number[] = [];
          queue.drain((item) => drained.push(item));
          expect(drained).toEqual(model);
          model = [];
          break;
        }
        case "clear":
          queue.clear();
          model = [];
          break;
      }
      expect(queue.length).toBe(model.length);
    }
    expect(queue.take(model.length)).toEqual(model);
  },
);

test("items pushed by drain's callback are kept for later, in order", () => {
  const queue = new RingBuffer<number>();
  for (let i = 0; i < 5_000; i += 1) queue.push(i);
  const seen: number[] = [];
  queue.drain((item) => {
    seen.push(item);
    if (item < 3) queue.push(100 + item);
  });
  expect(seen).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  expect(queue.take(queue.length)).toEqual([100, 101, 102]);
});

test("a deep stream (pushing ahead of taking by more than one segment) keeps order while segments are recycled", () => {
  const queue = new RingBuffer<number>();
  let pushed = 0;
  let taken = 0;
  let outOfOrder = 0;
  while (taken < 100_000) {
    for (let i = 0; i < 3_000; i += 1) queue.push(pushed++);
    if (queue.length < 12_000) continue; // stays more than two segments deep
    for (const item of queue.take(2_500)) if (item !== taken++) outOfOrder += 1;
    for (let i = 0; i < 500; i += 1) if (queue.shift() !== taken++) outOfOrder += 1;
  }
  expect(outOfOrder).toBe(0);
  expect(queue.length).toBe(pushed - taken);
  expect(queue.take(queue.length)).toEqual(Array.from({ length: pushed - taken }, (_, i) => taken + i));
});

const gc = (globalThis as { gc?: () => void }).gc;

test.runIf(gc !== undefined)("an item taken by shift or take is no longer referenced by the queue", async () => {
  const queue = new RingBuffer<object>();
  const refs: Array<WeakRef<object>> = [];
  const fill = (n: number): void => {
    for (let i = 0; i < n; i += 1) {
      const item = { i };
      refs.push(new WeakRef(item));
      queue.push(item);
    }
  };
  fill(5_000); // one full segment and a spilled one
  queue.shift();
  queue.take(3); // one run
  queue.take(4_500); // across the two
  fill(20);
  queue.shift(); // from the array the queue keeps using
  queue.take(9);
  const kept = queue.take(5); // still referenced by the test, not by the queue
  const remaining = queue.length; // these stay in the queue
  for (let i = 0; i < 5; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    gc?.();
  }
  const alive = refs.filter((ref) => ref.deref() !== undefined).length;
  expect(alive).toBe(kept.length + remaining);
  expect(queue.length).toBe(remaining);
});
