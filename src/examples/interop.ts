// sluice in code that was written for it-pushable, it-pipe and Effect.
import { EventEmitter } from "node:events";
import { Effect, Fiber, Stream } from "effect";
import { pipe } from "it-pipe";
import { pushable as itPushable } from "it-pushable";
import { openBridges, subscribe } from "../core/index.js";
import { fromStream, toStream } from "../interop/effect.js";
import { duplex, pushable } from "../interop/index.js";

/** Whether a promise settles within a few event-loop turns (it-pushable's hang never does). */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** The same two concurrent reads on it-pushable and on sluice's drop-in. */
export async function pushableExample(log: (line: string) => void): Promise<void> {
  const theirs = itPushable<string>({ objectMode: true });
  const ours = pushable<string>({ objectMode: true });
  for (const [name, source] of [["it-pushable", theirs], ["sluice/interop", ours]] as const) {
    const first = source.next();
    const second = source.next();
    source.push("a").push("b");
    const firstSettled = await settlesSoon(first);
    const secondSettled = await settlesSoon(second);
    const outcome = async (read: Promise<IteratorResult<string, unknown>>, settled: boolean): Promise<string> =>
      settled ? String((await read).value) : "still pending";
    log(`  ${name}: first next() → ${await outcome(first, firstSettled)}, second next() → ${await outcome(second, secondSettled)}`);
    await source.return();
  }
}

/** A fake remote peer as an it-stream-types duplex, in the middle of an it-pipe pipeline. */
export async function duplexExample(log: (line: string) => void): Promise<void> {
  await using peer = duplex<string>({ name: "echo peer" });
  void (async () => {
    for await (const request of peer.incoming) if (!(await peer.outgoing.send(request.toUpperCase()))) break;
    peer.outgoing.end();
  })();
  const answers = await pipe(["ping", "pong"], peer, async (source) => {
    const all: string[] = [];
    for await (const answer of source) all.push(answer);
    return all;
  });
  log(`  pipe(["ping", "pong"], peer, collect) → ${JSON.stringify(answers)}`);
}

/** Effect fibers and sluice bridges stop each other, and each waits for the other side's cleanup. */
export async function effectExample(log: (line: string) => void): Promise<void> {
  // A bridge over an event source, run as an Effect stream; interrupting the fiber detaches the listener.
  const ticker = new EventEmitter();
  const ticks = subscribe<number>(
    (sink) => {
      ticker.on("tick", sink.push);
      return () => void ticker.off("tick", sink.push);
    },
    { name: "ticks" },
  );
  const seen: number[] = [];
  const fiber = Effect.runFork(Stream.runForEach(toStream(ticks), (tick) => Effect.sync(() => seen.push(tick))));
  for (let i = 1; i <= 3; i += 1) {
    ticker.emit("tick", i);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Effect.runPromise(Fiber.interrupt(fiber));
  log(`  toStream: the fiber saw ${JSON.stringify(seen)}; after Fiber.interrupt, ${ticker.listenerCount("tick")} listeners are left`);

  // An Effect stream as a for-await loop; break interrupts its fiber, and its finalizer has run by then.
  const events: string[] = [];
  const numbers = Stream.range(1, 1_000_000).pipe(Stream.ensuring(Effect.sync(() => log("  fromStream: the stream's finalizer ran"))));
  for await (const n of fromStream(numbers, { highWaterMark: 8, name: "numbers" })) {
    if (n === 3) break;
    events.push(`got ${n}`);
  }
  log(`  fromStream: ${events.join(", ")}, then break; ${openBridges().length} bridges open`);
}
