import type fc from "fast-check";
import { type BridgeIterator, pull } from "../../src/core/index.js";

/** What a scheduled source did. */
export interface ScheduledStats {
  started: number; // producer runs started
  exits: number; // producer runs finished (returned or threw)
  sent: number; // values accepted by the consumer side
}

export interface ScheduledPlan {
  /** Throw this error after `failAt` values (when failAt <= values.length). */
  readonly failAt?: number;
  readonly error?: unknown;
  /** Microtask jitter before each value (cycled). */
  readonly jitter?: readonly number[];
  readonly label?: string;
}

/**
 * A `pull` source whose every step waits for the fast-check scheduler: the scheduler decides how the
 * sources and the consumer interleave.
 */
export function scheduledSource<T>(s: fc.Scheduler, values: readonly T[], plan: ScheduledPlan = {}): { it: BridgeIterator<T>; stats: ScheduledStats } {
  const stats: ScheduledStats = { started: 0, exits: 0, sent: 0 };
  const it = pull<T>(
    async (send) => {
      stats.started += 1;
      try {
        for (const [i, value] of values.entries()) {
          if (plan.failAt === i) throw plan.error;
          await s.schedule(Promise.resolve(), `${plan.label ?? "source"} before ${String(value)}`);
          for (let k = 0; k < (plan.jitter?.[i % plan.jitter.length] ?? 0); k += 1) await Promise.resolve();
          if (!(await send(value))) return;
          stats.sent += 1;
        }
        if (plan.failAt !== undefined && plan.failAt >= values.length) throw plan.error;
      } finally {
        stats.exits += 1;
      }
    },
    { name: plan.label ?? "scheduled-source" },
  );
  return { it, stats };
}

/** `xs` is a prefix of `ys`. */
export function isPrefix<T>(xs: readonly T[], ys: readonly T[]): boolean {
  return xs.length <= ys.length && xs.every((x, i) => Object.is(x, ys[i]));
}

/** How many property runs: `SLUICE_NUM_RUNS` (the soak script raises it), else `fallback`. */
export const numRuns = (fallback = 100): number => Number(process.env["SLUICE_NUM_RUNS"] ?? fallback);
