// Core behaviours found while building the combinators, kept as regression examples after the fix:
// under a drop policy, send() is false only once the consumer stopped (docs/semantics.md, backpressure), so producers keep going.
import { EventEmitter } from "node:events";
import { expect, test } from "vitest";
import { channel, pull, subscribe } from "../../src/core/index.js";
import { collect } from "../helpers/sources.js";

test(
  "regression: send() under a drop policy resolves true while the consumer still reads (false only once it stopped)",
  async () => {
    const ch = channel<number>({ highWaterMark: 1, overflow: "drop-newest" });
    try {
      // Accepted into the buffer (it is delivered below), and nobody stopped: the contract says true.
      expect(await ch.send(1)).toBe(true);
    } finally {
      ch.end();
      expect((await collect(ch)).values).toEqual([1]);
    }
  },
);

test(
  "regression: a pull producer written `if (!(await send(v))) return` does not end early under a drop policy",
  async () => {
    // With a slow consumer the buffer fills, send() resolves false, and the producer returns after the
    // first value: the stream ends with 1 of 5 values although the consumer never stopped (a drop policy
    // should lose values only while the buffer is full, not end the stream).
    const stream = pull<number>(
      async (send) => {
        for (let i = 0; i < 5; i += 1) if (!(await send(i))) return;
      },
      { highWaterMark: 1, overflow: "drop-newest" },
    );
    const got: number[] = [];
    for await (const v of stream) {
      got.push(v);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(got.length).toBeGreaterThan(1);
  },
);

test(
  "regression: a teardown written `() => emitter.off(…)` type-checks and runs once (found by the pack test: the README's own example did not compile)",
  async () => {
    const emitter = new EventEmitter();
    const lines = subscribe<string>((sink) => {
      emitter.on("line", sink.push);
      return () => emitter.off("line", sink.push); // returns the emitter, which is not a promise: ignored
    });
    const first = lines.next();
    emitter.emit("line", "a");
    expect(await first).toEqual({ done: false, value: "a" });
    await lines.return();
    expect(emitter.listenerCount("line")).toBe(0);
  },
);
