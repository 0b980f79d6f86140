/**
 * Effect streams ⇄ sluice bridges: `toStream` turns a bridge into an Effect `Stream` whose interruption
 * stops the bridge; `fromStream` turns an Effect `Stream` into a bridge whose stop interrupts the
 * stream's fiber. Each waits for the other side's cleanup before it reports done.
 *
 * Needs `effect` 4 (an optional peer dependency); this is the only module of sluice that imports it, so
 * `sluice/interop` works without Effect installed. Semantics, error mapping and cost:
 * docs/interop-effect.md.
 * @example
 * ```ts
 * import { Console, Effect, Fiber, Stream } from "effect";
 * import { subscribe } from "sluice";
 * import { fromStream, toStream } from "sluice/interop/effect";
 *
 * const ticks = subscribe<number>((sink) => {
 *   const timer = setInterval(() => sink.push(Date.now()), 100);
 *   return () => clearInterval(timer);
 * });
 * const fiber = Effect.runFork(Stream.runForEach(toStream(ticks), (t) => Console.log(t)));
 * await Effect.runPromise(Fiber.interrupt(fiber)); // the interval is cleared by now
 *
 * for await (const n of fromStream(Stream.range(1, 100))) if (n === 3) break; // interrupts the stream's fiber
 * ```
 * @module sluice/interop/effect
 */

// For users
export { toStream } from "./effect/to-stream.js";
export type { ToStreamOptions } from "./effect/to-stream.js";
export { fromStream } from "./effect/from-stream.js";
export type { FromStreamOptions } from "./effect/from-stream.js";
