// The five-options comparison behind `npm run demo`: every option delivers every message and closes what it opened.
import { expect, test } from "vitest";
import { compareOptions, formatComparison } from "../../src/examples/list-strings/compare.js";
import { callOptions } from "../../src/examples/list-strings/options.js";

test("every way of calling ListStrings delivers every message; the table lists each with its ratio to TCP", async () => {
  const results = await compareOptions({ count: 300, size: 100, calls: 1 });
  expect(results.map((r) => r.option.name)).toEqual(callOptions().map((o) => o.name));
  for (const { ms } of results) expect(ms).toBeGreaterThan(0);
  const table = formatComparison(results, { count: 300, size: 100 });
  expect(table).toContain("grpc-js over 127.0.0.1");
  expect(table).toMatch(/sluice drop-in \(share\)\s+[\d.]+\s+[\d.]+x/);
  expect(table).toMatch(/sluice direct: pull the handler\s+[\d.]+\s+[\d.]+x/);
}, 30_000);

test("an option that loses a message fails the comparison instead of reporting a time, and is still closed", async () => {
  let closed = false;
  const lossy = {
    name: "lossy",
    keeps: "",
    givesUp: "a message",
    open: async () => ({ listStrings: async (r: { count: number }) => r.count - 1, close: async () => void (closed = true) }),
  };
  await expect(compareOptions({ count: 5, calls: 1, options: [lossy] })).rejects.toThrow("lossy: expected 5 messages, got 4");
  expect(closed).toBe(true);
});
