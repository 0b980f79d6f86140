// sluice/testing: fail a test when a bridge was left open.

// For users
export { assertNoLeaks, leakBaseline, withLeakCheck, LeakError } from "./assert-no-leaks.js";
export type { AssertNoLeaksOptions, LeakBaseline } from "./assert-no-leaks.js";
export { leakChecked } from "./fast-check.js";
export { configureLeakTracking, openBridges } from "../core/registry.js";
export type { BridgeInfo, LeakTrackingOptions } from "../core/registry.js";
