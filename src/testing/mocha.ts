/**
 * Root hooks for mocha (and runners built on it, such as aegir): fail every test that leaves a bridge open.
 *
 * Give it to mocha with `--require` (or `require` in `.mocharc`); mocha finds its `mochaHooks` export. As the
 * vitest setup file does, it remembers which bridges were open before each test (opened in a `before` hook,
 * they are not blamed on that test) and after each test runs
 * {@link sluice/testing!assertNoLeaks | assertNoLeaks} with its defaults, so a leak fails that test and the
 * leaked bridges are stopped.
 * @example
 * ```sh
 * mocha --require sluice/testing/mocha "test/**\/*.spec.js"
 * ```
 * @module sluice/testing/mocha
 */
import { assertNoLeaks, leakBaseline, type LeakBaseline } from "./assert-no-leaks.js";

let baseline: LeakBaseline | undefined; // bridges open before the current test started

/**
 * mocha's root hook plugin: a `beforeEach` that takes a leak baseline and an `afterEach` that checks it.
 * @example
 * ```ts
 * // .mocharc.cjs: module.exports = { require: ["sluice/testing/mocha"] };
 * // or, merged with hooks of your own:
 * import { mochaHooks as sluiceHooks } from "sluice/testing/mocha";
 * export const mochaHooks = { ...sluiceHooks, beforeAll: () => console.log("suite starts") };
 * ```
 */
export const mochaHooks = {
  /** Remembers the bridges open before the test. */
  beforeEach(): void {
    baseline = leakBaseline();
  },
  /** Fails the test if it left a bridge open (and stops what it left). */
  async afterEach(): Promise<void> {
    const since = baseline;
    baseline = undefined;
    await assertNoLeaks(since === undefined ? {} : { baseline: since });
  },
};
