import { BridgeCore } from "./bridge.js";
import { BridgeHandle, type BridgeIterator } from "./bridge-iterator.js";
import { InvalidArgumentError } from "./errors.js";
import { type SourceOptions, resolveOptions } from "./options.js";
import { trackBridge } from "./registry.js";
import { makeSink } from "./sink.js";
import { closeIterator } from "./source.js";
import type { Setup } from "./subscribe.js";

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
  if (typeof setup !== "function") throw new InvalidArgumentError("setup", "a function", setup);
  const resolved = resolveOptions(options, { name: kind, highWaterMark: defaults.highWaterMark });
  const core = new BridgeCore<T>(resolved, kind);
  let started = false; // setup ran: from then on its teardown owns the sources
  core.setStart(() => {
    started = true;
    core.runSetup(() => setup(makeSink(core)));
  });
  // The producer's signal aborts on every consumer stop, including before the start and a pre-aborted `signal` option.
  const stopped = core.signal;
  const abandon = (): void => {
    if (!started) void Promise.allSettled(sources.map((source) => openAndClose(source)));
  };
  if (stopped.aborted) abandon();
  else stopped.addEventListener("abort", abandon, { once: true });
  const handle = new BridgeHandle(core);
  if (!core.closed) trackBridge(handle, core, caller);
  if (!resolved.lazy) core.begin();
  return handle;
}

function openAndClose(source: AsyncIterable<unknown>): Promise<unknown> {
  try {
    return closeIterator(source[Symbol.asyncIterator]());
  } catch (error) {
    return Promise.reject(error);
  }
}
