// The bundle's entry: runs the smoke checks, leaves the report on globalThis (for the browser and the vm
// context) and prints it as one JSON line plus the usual "N passed, N failed" line (for Deno and Bun).
import { runSmoke } from "./smoke.js";

// deadline()/timeout() unref their timers (they must not keep a process alive), so a runtime whose only pending
// work is such a timer would exit mid-check: hold the event loop open until the report is in.
const keepAlive = setInterval(() => undefined, 1_000);
const done = runSmoke().then((report) => {
  clearInterval(keepAlive);
  const passed = report.results.filter((r) => r.ok).length;
  console.log(JSON.stringify(report));
  console.log(`smoke: ${passed} passed, ${report.results.length - passed} failed`);
  return report;
});
(globalThis as { __sluiceSmoke?: Promise<unknown> }).__sluiceSmoke = done;
