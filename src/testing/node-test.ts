/**
 * A setup module for Node's own test runner (`node:test`): fails every test that leaves a bridge open.
 *
 * Load it before the test files with `--import`; it exports nothing. As the vitest setup file does, it
 * remembers which bridges were open before each test (opened in a `before` hook, say, they are not blamed
 * on that test) and after each test runs {@link sluice/testing!assertNoLeaks | assertNoLeaks} with its
 * defaults, so a leak fails that test (its `afterEach` hook) and the leaked bridges are stopped.
 * Importing it at the top of one test file applies it to that file only.
 * @example
 * ```sh
 * node --test --import sluice/testing/node-test
 * ```
 * @module sluice/testing/node-test
 */
import { afterEach, beforeEach } from "node:test";
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
