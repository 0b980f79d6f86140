// The queue under every bridge, against an array model: any mix of push, shift, take, peek, drain and clear
// keeps FIFO order and length. Batches of thousands of pushes carry it past its largest array (4,096 slots),
// into the spilled segments and back, and wrap its circular array at every offset.
import { fc } from "@fast-check/vitest";
import { expect, test } from "vitest";
import { RingBuffer } from "../../src/core/ring-buffer.js";
import { numRuns, property } from "../property/helpers.js";

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

property([fc.integer({ min: 0, max: 5_000 }), fc.array(op, { maxLength: 30 })], { numRuns: Math.min(numRuns, 300) })(
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

/** A queue of consecutive integers and the next integer to push and to expect: every removal is checked against them. */
function counted(capacity?: number) {
  const queue = new RingBuffer<number>(capacity);
  let pushed = 0;
  let removed = 0;
  const expected = (n: number): number[] => Array.from({ length: n }, (_, i) => removed + i);
  return {
    queue,
    push(n: number): void {
      for (let i = 0; i < n; i += 1) queue.push(pushed++);
    },
    take(n: number): void {
      expect(queue.take(n)).toEqual(expected(n));
      removed += n;
      expect(queue.length).toBe(pushed - removed);
    },
    shift(n: number): void {
      const shifted: number[] = [];
      for (let i = 0; i < n; i += 1) shifted.push(queue.shift());
      expect(shifted).toEqual(expected(n));
      removed += n;
      expect(queue.length).toBe(pushed - removed);
    },
  };
}

test("take wraps around the end of the circular array: from every head position, any count", () => {
  for (let head = 0; head < 8; head += 1) {
    for (let size = 1; size <= 8; size += 1) {
      for (let first = 1; first <= size; first += 1) {
        const q = counted(8);
        q.push(head);
        q.shift(head); // an empty queue whose next item goes to slot `head`
        q.push(size); // fills the 8 slots from `head` on, wrapping to slot 0
        q.take(first);
        q.take(size - first);
      }
    }
  }
});

test("a take that empties the circular array exactly while items are spilled goes on with the spilled items", () => {
  const q = counted();
  q.push(5_000); // 4,096 in the circular array, 904 spilled
  q.take(4_096);
  q.shift(1);
  q.take(3);
  q.push(10);
  q.take(910);
  expect(q.queue.length).toBe(0);
});

test("a take larger than what is left of a wrapped circular array goes on with the spilled items", () => {
  for (const offset of [1, 100, 4_000, 4_095]) {
    const q = counted();
    q.push(4_096);
    q.shift(offset);
    q.push(offset + 300); // the circular array fills again, wrapping to slot 0; 300 items spill
    q.take(4_096 - offset); // up to the end of the array: `offset` items left in it, from slot 0
    q.take(offset + 150); // the rest of the array and 150 spilled items
    q.take(150);
  }
});

test("a queue streamed deep, recycling its arrays, keeps order as it wraps around once shallow again", () => {
  for (const capacity of [undefined, 4_097, 5_000]) {
    // Each number of rounds leaves a different array (the first circular one, or a segment's) as the last segment.
    for (let rounds = 0; rounds < 16; rounds += 1) {
      const q = counted(capacity);
      q.push(13_000); // the circular array and spilled segments
      for (let i = 0; i < rounds; i += 1) {
        q.push(1_000);
        q.take(1_000); // emptied arrays are reused for the segments of later pushes
      }
      q.take(q.queue.length - 100); // the last segment becomes the circular array
      // Pushes and takes of unaligned sizes wrap it around at many offsets.
      for (let i = 0; i < 8; i += 1) {
        q.push(1_777);
        q.take(1_500);
        q.shift(277);
      }
      q.take(q.queue.length);
    }
  }
});

test("drain stops when its callback empties the queue", () => {
  const queue = new RingBuffer<number>();
  for (let i = 0; i < 5; i += 1) queue.push(i);
  const seen: number[] = [];
  queue.drain((item) => {
    seen.push(item);
    if (item === 1) queue.take(queue.length);
  });
  expect(seen).toEqual([0, 1]);
  expect(queue.length).toBe(0);
});

test("a capacity hint below 2 (one, zero, negative) still gives a working queue", () => {
  for (const capacity of [1, 0, -1, -100]) {
    const q = counted(capacity);
    q.push(3);
    q.shift(2);
    q.push(40);
    q.take(41);
  }
});

test("a push while items are spilled goes after them, even once the queue is shallow again", () => {
  const q = counted();
  q.push(5_000); // 4,096 in the circular array, 904 spilled
  q.take(4_000); // 96 left in the array, 904 spilled: 1,000 in all
  q.push(10);
  q.take(1_010);
});

test("clear empties the queue at any size, and it keeps working afterwards", () => {
  for (const size of [1, 5, 8, 9, 5_000]) {
    const queue = new RingBuffer<number>();
    for (let i = 0; i < size; i += 1) queue.push(i);
    queue.clear();
    expect(queue.length).toBe(0);
    queue.push(-1);
    expect(queue.take(1)).toEqual([-1]);
  }
});
