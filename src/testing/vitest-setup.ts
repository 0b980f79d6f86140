/**
 * A vitest setup file: fails every test that leaves a bridge open.
 *
 * Add it to `vitest.config.ts`; it exports nothing. Bridges that were already open when a test started
 * (opened in `beforeAll`, say) are not blamed on that test. After each test it runs
 * {@link sluice/testing!assertNoLeaks | assertNoLeaks} with its defaults, so a leak fails that test and the
 * leaked bridges are stopped.
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ["sluice/testing/vitest-setup"] } });
 * ```
 * @module sluice/testing/vitest-setup
 */
import { afterEach, beforeEach } from "vitest";
import { checkLeaks, leakBaseline, resolveLeakOptions, type LeakBaseline } from "./assert-no-leaks.js";

let baseline: LeakBaseline | undefined; // bridges open before the current test started

beforeEach(() => {
  baseline = leakBaseline();
});

afterEach(async function checkAfterEach() {
  const since = baseline;
  baseline = undefined;
  // The report's stack leaves out this hook: no frame of it would point at the test's code.
  await checkLeaks(resolveLeakOptions(since === undefined ? {} : { baseline: since }, true), checkAfterEach);
});
