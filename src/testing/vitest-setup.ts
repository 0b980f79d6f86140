/**
 * A vitest setup file: fails every test that leaves a bridge open.
 *
 * Add it to `vitest.config.ts`: `test: { setupFiles: ["sluice/testing/vitest-setup"] }`. Bridges that
 * were already open when a test started (opened in `beforeAll`, say) are not blamed on that test.
 */
import { afterEach, beforeEach } from "vitest";
import { assertNoLeaks, leakBaseline, type LeakBaseline } from "./assert-no-leaks.js";

let baseline: LeakBaseline | undefined; // bridges open before the current test started

beforeEach(() => {
  baseline = leakBaseline();
});

afterEach(async () => {
  const since = baseline;
  baseline = undefined;
  await assertNoLeaks(since === undefined ? {} : { baseline: since });
});
