/**
 * Fail a test when a bridge (a `channel`, `pull`, `subscribe`, combinator, gRPC adapter or in-process
 * call) was left open: assertions, a fast-check wrapper, and the leak registry's switches. For vitest,
 * the setup file `sluice/testing/vitest-setup` applies the check to every test. See docs/leaks.md.
 * @example
 * ```ts
 * // In a test file, or in a setup file of your own:
 * afterEach(() => assertNoLeaks());
 * ```
 * @module sluice/testing
 */

// For users
export { assertNoLeaks, leakBaseline, withLeakCheck, LeakError } from "./assert-no-leaks.js";
export type { AssertNoLeaksOptions, LeakBaseline } from "./assert-no-leaks.js";
export { leakChecked } from "./fast-check.js";
export { configureLeakTracking, openBridges } from "../core/registry.js";
export type { BridgeInfo, LeakTrackingOptions } from "../core/registry.js";
