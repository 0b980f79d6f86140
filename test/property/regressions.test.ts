// Named regression examples: the minimal counterexamples the properties found. A `test.fails` is a bug
// still open in src/core (see known-bugs.ts); when it is fixed, flip it to `test` and clear the flag.
import { expect, test } from "vitest";
import { channel } from "../../src/core/index.js";

test.fails("regression: push under drop-oldest returns true for a value it kept (hwm 1, empty buffer)", async () => {
  const ch = channel<number>({ highWaterMark: 1, overflow: "drop-oldest" });
  try {
    // Sink#push: "Under a drop policy, `false` means the value was dropped." Nothing was dropped here.
    expect(ch.push(0)).toBe(true);
  } finally {
    await ch.stop();
  }
});

test.fails("regression: send under drop-newest resolves true for a value it kept (hwm 1, empty buffer)", async () => {
  const ch = channel<number>({ highWaterMark: 1, overflow: "drop-newest" });
  try {
    // Sink#send: "resolves `true` once the value is within highWaterMark". It is, and it is delivered below.
    const accepted = await ch.send(0);
    expect(await ch.next()).toEqual({ value: 0, done: false });
    expect(accepted).toBe(true);
  } finally {
    await ch.stop();
  }
});

test.fails("regression: push under drop-newest at hwm 0 returns true when a waiting next() took the value", async () => {
  const ch = channel<number>({ highWaterMark: 0, overflow: "drop-newest" });
  try {
    const pending = ch.next();
    const kept = ch.push(0);
    expect(await pending).toEqual({ value: 0, done: false });
    expect(kept).toBe(true);
  } finally {
    await ch.stop();
  }
});
