// How sluice and its peers behave on the cases docs/comparison.md tabulates. Each cell of that table is
// one of these tests; if a peer changes, the test (and the table) must change with it.
//
// "Hangs" is established the only way a test can: still pending after many event-loop turns with
// nothing left to run. Every probe cleans up what it opened, so a hang here never leaks into other tests.
import { EventEmitter, on } from "node:events";
import { Readable } from "node:stream";
import { Repeater } from "@repeaterjs/repeater";
import { type Cause, Effect, Queue, Stream } from "effect";
import { pushable } from "it-pushable";
import { describe, expect, test } from "vitest";
import { channel } from "../../src/core/index.js";
import { flush, settledState } from "../helpers.js";

/** A push source seen through one library: push values, end, fail, and the consumer's iterator. */
interface Subject {
  readonly iterator: AsyncIterator<number>;
  push(value: number): unknown;
  end(): void;
  fail(error: Error): void;
  /** Releases everything, whatever state the probe left it in. */
  dispose(): Promise<void>;
}

const subjects: Record<string, () => Subject> = {
  sluice: () => {
    const ch = channel<number>();
    return { iterator: ch, push: ch.push, end: ch.end, fail: ch.fail, dispose: () => ch.stop() };
  },
  "it-pushable": () => {
    const p = pushable<number>({ objectMode: true });
    return { iterator: p, push: (v) => p.push(v), end: () => p.end(), fail: (e) => p.end(e), dispose: async () => void p.end() };
  },
  "@repeaterjs/repeater": () => {
    let push!: (v: number) => Promise<unknown>;
    let stop!: ((error?: unknown) => void) & Promise<unknown>;
    const r = new Repeater<number>((p, s) => {
      push = p;
      stop = s;
    });
    const started = r.next(); // Repeater starts its executor on the first next(); keep that result for the probe
    let first = true;
    const iterator: AsyncIterator<number> = {
      next: () => (first ? ((first = false), started) : r.next()),
      return: () => r.return(),
    };
    return {
      iterator,
      push: (v) => void push(v).catch(() => undefined),
      end: () => stop(),
      fail: (e) => stop(e),
      dispose: async () => {
        stop();
        await r.return().catch(() => undefined);
      },
    };
  },
  "events.on": () => {
    const emitter = new EventEmitter();
    const controller = new AbortController();
    const raw = on(emitter, "data", { close: ["end"], signal: controller.signal }) as AsyncIterableIterator<[number]>;
    const iterator: AsyncIterator<number> = {
      next: async () => {
        const r = await raw.next();
        return r.done === true ? { done: true, value: undefined } : { done: false, value: r.value[0] };
      },
      return: async () => {
        await raw.return?.();
        return { done: true, value: undefined };
      },
    };
    return {
      iterator,
      push: (v) => emitter.emit("data", v),
      end: () => emitter.emit("end"),
      fail: (e) => emitter.emit("error", e),
      dispose: async () => {
        controller.abort();
        await raw.return?.().catch(() => undefined);
      },
    };
  },
  Readable: () => {
    const r = new Readable({ objectMode: true, read() {} });
    // Readable's iterator attaches its 'error' listener on the first next(): destroy(err) before that is an
    // uncaught exception. This listener keeps the error-ordering probe from crashing the run.
    r.on("error", () => undefined);
    const iterator = r[Symbol.asyncIterator]() as AsyncIterator<number>;
    return {
      iterator,
      push: (v) => r.push(v),
      end: () => r.push(null),
      fail: (e) => r.destroy(e),
      dispose: async () => void r.destroy(),
    };
  },
  ReadableStream: () => {
    let controller!: ReadableStreamDefaultController<number>;
    const stream = new ReadableStream<number>({ start: (c) => void (controller = c) });
    const iterator = (stream as unknown as AsyncIterable<number>)[Symbol.asyncIterator]();
    return {
      iterator,
      push: (v) => controller.enqueue(v),
      end: () => controller.close(),
      fail: (e) => controller.error(e),
      dispose: async () => {
        try {
          controller.error(new Error("disposed"));
        } catch {
          // already closed or errored: nothing to release
        }
      },
    };
  },
  "Effect Stream": () => {
    const queue = Effect.runSync(Queue.unbounded<number, Error | Cause.Done>());
    const iterator = Stream.toAsyncIterable(Stream.fromQueue(queue))[Symbol.asyncIterator]();
    return {
      iterator,
      push: (v) => Queue.offerUnsafe(queue, v),
      end: () => void Queue.endUnsafe(queue),
      fail: (e) => void Effect.runSync(Queue.fail(queue, e)),
      dispose: async () => {
        Queue.endUnsafe(queue);
        await iterator.return?.().catch(() => undefined);
      },
    };
  },
};

const names = Object.keys(subjects);

async function withSubject<R>(name: string, probe: (s: Subject) => Promise<R>): Promise<R> {
  const subject = subjects[name]?.();
  if (subject === undefined) throw new Error(`no subject ${name}`);
  try {
    return await probe(subject);
  } finally {
    await subject.dispose();
  }
}

/** Three un-awaited next() calls, then three values: do all three settle, in order, with the right values? */
async function concurrentNext(s: Subject): Promise<"in order" | "hangs" | "wrong values"> {
  const calls = [s.iterator.next(), s.iterator.next(), s.iterator.next()];
  await flush();
  for (const v of [1, 2, 3]) s.push(v);
  await flush(5);
  const states = await Promise.all(calls.map((c) => settledState(c)));
  if (states.some((st) => st === "pending")) return "hangs";
  const values = await Promise.all(calls.map((c) => c.then((r) => r.value).catch(() => "error")));
  return JSON.stringify(values) === "[1,2,3]" ? "in order" : "wrong values";
}

/** return() while a next() is pending: do both settle? */
async function returnDuringNext(s: Subject): Promise<"both settle" | "hangs"> {
  const s0 = s.iterator.next();
  await flush();
  // it-pushable's return() answers synchronously, without a promise: normalise.
  const returned = Promise.resolve(s.iterator.return?.() ?? { done: true, value: undefined });
  await flush(5);
  const states = [await settledState(s0), await settledState(returned)];
  return states.includes("pending") ? "hangs" : "both settle";
}

/** fail(error) with two values buffered: are the values delivered before the error? */
async function errorOrder(s: Subject): Promise<"values, then error" | "error first" | "error lost"> {
  s.push(1);
  s.push(2);
  s.fail(new Error("boom"));
  await flush();
  const seen: unknown[] = [];
  for (let i = 0; i < 3; i += 1) {
    const r = await Promise.race([
      s.iterator.next().then(
        (x) => (x.done === true ? "done" : x.value),
        () => "error",
      ),
      flush(5).then(() => "pending"),
    ]);
    seen.push(r);
    if (r === "error" || r === "done" || r === "pending") break;
  }
  if (seen[0] === "error") return "error first";
  return seen.includes("error") ? "values, then error" : "error lost";
}

describe("peers: concurrent next()", () => {
  const expected: Record<string, string> = {
    sluice: "in order",
    "it-pushable": "hangs",
    "@repeaterjs/repeater": "in order",
    "events.on": "in order",
    Readable: "in order",
    ReadableStream: "in order",
    "Effect Stream": "hangs",
  };
  for (const name of names) {
    test(`concurrent next(): ${name} → ${expected[name]}`, async () => {
      expect(await withSubject(name, concurrentNext)).toBe(expected[name]);
    });
  }
});

describe("peers: return() during a pending next()", () => {
  const expected: Record<string, string> = {
    sluice: "both settle",
    "it-pushable": "both settle",
    "@repeaterjs/repeater": "both settle",
    "events.on": "both settle",
    Readable: "hangs",
    ReadableStream: "hangs",
    "Effect Stream": "both settle",
  };
  for (const name of names) {
    test(`return() during next(): ${name} → ${expected[name]}`, async () => {
      expect(await withSubject(name, returnDuringNext)).toBe(expected[name]);
    });
  }
});

describe("peers: buffered values before the error", () => {
  const expected: Record<string, string> = {
    sluice: "values, then error",
    "it-pushable": "error first",
    "@repeaterjs/repeater": "values, then error",
    "events.on": "values, then error",
    Readable: "error first",
    ReadableStream: "error first",
    "Effect Stream": "values, then error",
  };
  for (const name of names) {
    test(`error ordering: ${name} → ${expected[name]}`, async () => {
      expect(await withSubject(name, errorOrder)).toBe(expected[name]);
    });
  }
});

/** After the consumer's return(), does the producer learn it on its next push? */
async function pushAfterStop(s: Subject): Promise<"told (false)" | "told (throws)" | "not told"> {
  s.push(1);
  const first = s.iterator.next();
  await flush();
  await first;
  await Promise.resolve(s.iterator.return?.());
  await flush();
  try {
    const result: unknown = s.push(2);
    if (result === false) return "told (false)";
    if (result instanceof Promise) {
      const settled = await Promise.race([result.then((v: unknown) => v, () => "rejected"), flush(5).then(() => "pending")]);
      if (settled === false || settled === "rejected") return "told (false)";
    }
    return "not told";
  } catch {
    return "told (throws)";
  }
}

describe("peers: push after the consumer stopped", () => {
  const expected: Record<string, string> = {
    sluice: "told (false)",
    "it-pushable": "not told",
    "@repeaterjs/repeater": "not told",
    "events.on": "told (false)", // emit() returns false: on() removed its listener
    Readable: "told (false)",
    ReadableStream: "told (throws)",
    "Effect Stream": "not told", // Stream.fromQueue over a queue the caller owns: stopping the stream does not close it
  };
  for (const name of names) {
    test(`push after stop: ${name} → ${expected[name]}`, async () => {
      expect(await withSubject(name, pushAfterStop)).toBe(expected[name]);
    });
  }
});

test("push after stop: Effect Stream.callback (queue scoped to the stream) → told (false)", async () => {
  let queue: Queue.Queue<number, Cause.Done> | undefined;
  const iterator = Stream.toAsyncIterable(
    Stream.callback<number>((q) =>
      Effect.sync(() => {
        queue = q;
        Queue.offerUnsafe(q, 1);
      }),
    ),
  )[Symbol.asyncIterator]();
  expect(await iterator.next()).toEqual({ done: false, value: 1 });
  await iterator.return?.();
  await flush();
  expect(queue === undefined ? "no queue" : Queue.offerUnsafe(queue, 2)).toBe(false);
});
