import { BridgeCore } from "./bridge.js";
import { BridgeHandle, type BridgeIterator } from "./bridge-iterator.js";
import { type SourceOptions, resolveOptions } from "./options.js";
import { trackBridge } from "./registry.js";

/**
 * Opens a bridge whose producer starts on the first `next()` (or at once with `lazy: false`): the one way
 * `pull`, `subscribe` and every combinator are built, so options, tracking and start-up agree everywhere.
 * @param start - starts the producer on the bridge; runs at most once.
 * @param caller - the public function opening it: creation stacks start at its caller.
 * @param onStoppedBeforeStart - runs if the bridge is stopped (or its `signal` aborted) before it started,
 *   when no teardown exists yet to release what the bridge was given (a combinator's sources, say).
 * @internal
 */
export function openSource<T>(
  kind: string,
  options: SourceOptions | undefined,
  defaultHighWaterMark: number,
  start: (core: BridgeCore<T>) => void,
  caller: (...args: never[]) => unknown,
  onStoppedBeforeStart?: () => void,
): BridgeIterator<T> {
  const resolved = resolveOptions(options, { name: kind, highWaterMark: defaultHighWaterMark });
  const core = new BridgeCore<T>(resolved, kind);
  let started = false; // the producer started: from then on its teardown owns what it was given
  core.setStart(() => {
    started = true;
    start(core);
  });
  if (onStoppedBeforeStart !== undefined) {
    // The producer's signal aborts on every consumer stop, including before the start and a pre-aborted `signal`.
    const stopped = core.signal;
    const abandon = (): void => {
      if (!started) onStoppedBeforeStart();
    };
    if (stopped.aborted) abandon();
    else stopped.addEventListener("abort", abandon, { once: true });
  }
  const handle = new BridgeHandle(core);
  if (!core.closed) trackBridge(handle, core, caller);
  if (!resolved.lazy) core.begin();
  return handle;
}
