import { expect, test } from "vitest";
import { type Channel, channel, mapConcurrent, merge, openBridges } from "../../src/core/index.js";
import { LeakError, assertNoLeaks } from "../../src/testing/index.js";

const gc = (globalThis as { gc?: () => void }).gc;

/** Opens a combinator over `source`, reads one value and drops the handle without stopping it. */
async function abandon(open: (source: Channel<number>) => AsyncIterator<number>): Promise<Channel<number>> {
  const source = channel<number>();
  source.push(1);
  const it = open(source);
  await it.next();
  return source; // `it` goes out of scope here, still open
}

test.runIf(gc !== undefined)("an abandoned merge or mapConcurrent is collected (combinators hold no consumer handle), reported, and stops its sources", async () => {
  const sources = [await abandon((s) => merge([s], { name: "abandoned-merge" })), await abandon((s) => mapConcurrent(s, (v) => v, { name: "abandoned-map" }))];
  for (let i = 0; i < 10 && openBridges().some((b) => b.name.startsWith("abandoned")); i += 1) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const error: unknown = await assertNoLeaks().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LeakError);
  const names = (error as LeakError).bridges.map((b) => b.name);
  expect(names).toContain("abandoned-merge");
  expect(names).toContain("abandoned-map");
  for (const s of sources) expect(s.signal.aborted).toBe(true); // the GC backstop stopped them through the combinator's teardown
});
