import type { BridgeIterator } from "./bridge-iterator.js";
import type { SourceOptions } from "./options.js";
import { openAndClose } from "./source.js";
import { type Setup, createSubscription } from "./subscribe.js";

/**
 * `createSubscription` for combinators that own their sources: the same bridge, plus the sources are
 * finished when the combinator is stopped before it ever started (its setup, and so its teardown, never
 * ran). Otherwise a sluice bridge handed to `merge([a, b])` and never read would stay open.
 *
 * Stopping before the start does not wait for the sources' `return()` (there is no teardown to carry
 * it); their errors are dropped, since nobody is left to receive them.
 * @param caller - the public function creating it: creation stacks start at its caller.
 * @internal
 */
export function createCombinator<T>(
  kind: string,
  setup: Setup<T>,
  sources: readonly AsyncIterable<unknown>[],
  options: SourceOptions | undefined,
  caller: (...args: never[]) => unknown,
  defaults: { readonly highWaterMark: number } = { highWaterMark: 16 },
): BridgeIterator<T> {
  const abandon = (): void => void Promise.allSettled(sources.map((source) => openAndClose(source)));
  return createSubscription<T>(kind, setup, options, caller, defaults, abandon);
}
