import { type BridgeIterator, subscribe } from "../../src/core/index.js";

/** What a test source did: how often its teardown ran, how many values it handed over. */
export interface SourceStats {
  teardowns: number;
  sent: number;
  /** Set when teardown started; `stopped` once its (async) work finished. */
  stopping: boolean;
  stopped: boolean;
}

export interface SourcePlan {
  /** Microtask ticks to wait before each value (jitter); cycles when shorter than the values. */
  readonly ticks?: readonly number[];
  /** Fail with this error after the values (instead of ending). */
  readonly error?: unknown;
  /** Never end after the values: wait until stopped. */
  readonly endless?: boolean;
  /** Teardown awaits this many macrotask turns, to check that stop() waits for it. */
  readonly slowTeardown?: number;
  readonly name?: string;
}

export const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await Promise.resolve();
};

export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A `subscribe` source that sends `values` with backpressure and counts its teardowns. */
export function source<T>(values: readonly T[], plan: SourcePlan = {}): { it: BridgeIterator<T>; stats: SourceStats } {
  const stats: SourceStats = { teardowns: 0, sent: 0, stopping: false, stopped: false };
  const it = subscribe<T>(
    (sink) => {
      let live = true;
      void (async () => {
        for (const [i, value] of values.entries()) {
          await ticks(plan.ticks?.[i % plan.ticks.length] ?? 0);
          if (!live || !(await sink.send(value))) return;
          stats.sent += 1;
        }
        if (!live) return;
        if (plan.endless === true) return; // the teardown is the only way out
        if (plan.error !== undefined) sink.fail(plan.error);
        else sink.end();
      })();
      return async () => {
        live = false;
        stats.teardowns += 1;
        stats.stopping = true;
        for (let i = 0; i < (plan.slowTeardown ?? 0); i += 1) await turn();
        stats.stopped = true;
      };
    },
    { name: plan.name ?? "test-source", highWaterMark: 0 },
  );
  return { it, stats };
}

/** Reads everything (or up to `limit` values) and returns the values and the error, if any. */
export async function collect<T>(it: AsyncIterable<T>, limit = Infinity): Promise<{ values: T[]; error: unknown; errors: number }> {
  const values: T[] = [];
  let error: unknown;
  let errors = 0;
  try {
    for await (const value of it) {
      values.push(value);
      if (values.length >= limit) break;
    }
  } catch (caught) {
    error = caught;
    errors += 1;
  }
  return { values, error, errors };
}
