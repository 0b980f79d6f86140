import { stopOpenBridges } from "../core/registry.js";
import { InvalidArgumentError } from "../core/errors.js";
import { checkLeaks, leakBaseline, resolveLeakOptions, type AssertNoLeaksOptions } from "./assert-no-leaks.js";

/**
 * Wraps a fast-check property predicate so that a bridge left open by one run fails that run, and
 * fast-check shrinks the inputs to the smallest that still leaks.
 *
 * Each run is checked with one event-loop turn (`turns: 1`) unless `options` says otherwise. A run that
 * fails on its own has the bridges it opened stopped, so that its error, not a leak report, is what
 * fast-check shrinks.
 * @param predicate - the property, sync or async; `false` or a throw fails the run as usual.
 * @param options - `turns` and `stopLeaked`, as for {@link assertNoLeaks}.
 * @throws {@link sluice!InvalidArgumentError | InvalidArgumentError} at once when `predicate` is not a function or an option is invalid.
 * @example
 * ```ts
 * test.prop([fc.array(fc.integer())])("an early break never leaks", leakChecked(async (values) => {
 *   const numbers = pull<number>(async (send) => {
 *     for (const value of values) if (!(await send(value))) return;
 *   });
 *   for await (const value of numbers) if (value < 0) break;
 * }));
 * // With fc.assert: fc.asyncProperty(fc.nat(), leakChecked(async (n) => { … }))
 * ```
 */
export function leakChecked<Args extends unknown[]>(
  predicate: (...args: Args) => boolean | void | PromiseLike<boolean | void>,
  options: Omit<AssertNoLeaksOptions, "baseline"> = {},
): (...args: Args) => Promise<boolean | void> {
  if (typeof predicate !== "function") throw new InvalidArgumentError("predicate", "a function", predicate);
  const { turns, stopLeaked } = resolveLeakOptions(options, false, 1);
  return async function checked(...args: Args) {
    const baseline = leakBaseline();
    let verdict: boolean | void;
    try {
      verdict = await predicate(...args);
    } catch (error) {
      // The run failed on its own: release what it opened so that its error, not a leak report, is what shows.
      await stopOpenBridges(baseline.lastId);
      throw error;
    }
    await checkLeaks({ turns, stopLeaked, baseline }, checked); // the report's stack starts in fast-check, not here
    return verdict;
  };
}
