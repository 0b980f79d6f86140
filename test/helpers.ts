/** Shared test helpers. */

/** Lets every queued microtask and one macrotask turn run. */
export async function flush(turns = 2): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Whether a promise has settled yet, without waiting for it. */
export async function settledState(promise: Promise<unknown>): Promise<"pending" | "fulfilled" | "rejected"> {
  let state: "pending" | "fulfilled" | "rejected" = "pending";
  promise.then(
    () => (state = "fulfilled"),
    () => (state = "rejected"),
  );
  await flush(1);
  return state;
}

/** A `log` function for examples that print, and the lines it received (trimmed). */
export function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => void lines.push(line.trim()) };
}
