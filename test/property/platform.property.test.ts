// Properties of the platform adapters: Node streams both ways, drive() into a Writable or a WritableStream, and
// web streams both ways. In every run, whatever the interleaving and whoever stops or fails: values in order,
// none lost unless a side stopped, errors reach the other side once, teardown once, nothing left open.
import { Readable, Writable } from "node:stream";
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { drive, fromReadableStream, pull, toReadableStream } from "../../src/core/index.js";
import { fromReadable, toReadable } from "../../src/node/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { isPrefix, numRuns } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

const ticks = (n: number): Promise<void> => {
  let p = Promise.resolve();
  for (let i = 0; i < n; i += 1) p = p.then(() => undefined);
  return p;
};
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const values = fc.array(fc.integer({ min: 0, max: 1_000 }), { maxLength: 25 });
const jitter = fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 5 });
const at = fc.option(fc.nat({ max: 30 }), { nil: undefined });
const options = { numRuns: numRuns(100), timeout: 5_000 };

/** A sluice source of `xs` that fails before index `failAt`, with microtask jitter; counts its exits and stops. */
function source(xs: readonly number[], failAt: number | undefined, delays: readonly number[]) {
  const stats = { exits: 0, stopped: 0, completed: false };
  const error = new Error("source broke");
  const it = pull<number>(
    async (send, signal) => {
      try {
        for (const [i, x] of xs.entries()) {
          if (i === failAt) throw error;
          await ticks(delays[i % delays.length] ?? 0);
          if (!(await send(x))) return;
        }
        if (failAt === xs.length) throw error;
        stats.completed = true;
      } finally {
        stats.exits += 1;
        if (signal.aborted) stats.stopped += 1;
      }
    },
    { name: "property-source" },
  );
  return { it, stats, error };
}

property([values, fc.integer({ min: 1, max: 8 }), fc.nat({ max: 8 }), fc.constantFrom("end", "error", "destroy"), at, jitter], options)(
  "fromReadable: chunks in order, none lost before the end, the error after them, listeners gone, destroyed at most once",
  leakChecked(async (xs, streamHighWaterMark, bridgeHighWaterMark, ending, breakAfter, delays) => {
    const readable = new Readable({ objectMode: true, highWaterMark: streamHighWaterMark, read() {} });
    let destroys = 0;
    const destroy = readable.destroy.bind(readable);
    readable.destroy = (error?: Error) => ((destroys += 1), destroy(error));
    const boom = new Error("boom");
    const chunks = fromReadable<number>(readable, { highWaterMark: bridgeHighWaterMark });
    const producing = (async () => {
      for (const [i, x] of xs.entries()) {
        await ticks(delays[i % delays.length] ?? 0);
        if (readable.destroyed) return;
        readable.push(x);
      }
      await turn();
      if (readable.destroyed) return;
      if (ending === "end") readable.push(null);
      else if (ending === "error") destroy(boom);
      else destroy();
    })();
    const seen: number[] = [];
    let outcome = "done";
    try {
      for await (const x of chunks) {
        seen.push(x);
        if (seen.length === breakAfter) break;
        await ticks(delays[seen.length % delays.length] ?? 0);
      }
    } catch (error) {
      outcome = error === boom ? "error" : (error as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE" ? "premature" : `unexpected ${String(error)}`;
    }
    await producing;
    expect(isPrefix(seen, xs)).toBe(true);
    const broke = breakAfter !== undefined && seen.length === breakAfter;
    if (!broke) {
      expect(outcome).toBe(ending === "end" ? "done" : ending === "error" ? "error" : "premature");
      if (ending !== "destroy") expect(seen).toEqual(xs); // nothing lost: the error comes after every chunk
    }
    expect(destroys).toBeLessThanOrEqual(1);
    if (broke && ending === "end" && seen.length < xs.length) expect(destroys).toBe(1);
    for (const event of ["data", "end", "close"]) expect(readable.listenerCount(event)).toBe(0);
  }),
);

property([values, at, at, fc.nat({ max: 4 }), jitter], options)(
  "toReadable: values in order, the source's error destroys the stream, destroying stops the source once, nothing open",
  leakChecked(async (xs, failAt, destroyAfter, highWaterMark, delays) => {
    const src = source(xs, failAt, delays);
    const readable = toReadable(src.it, { highWaterMark });
    const closed = new Promise((resolve) => readable.once("close", resolve));
    const seen: number[] = [];
    let outcome = "done";
    try {
      for await (const x of readable) {
        seen.push(x as number);
        if (seen.length === destroyAfter) readable.destroy();
        await ticks(delays[seen.length % delays.length] ?? 0);
      }
    } catch (error) {
      outcome = error === src.error ? "error" : (error as { code?: string }).code === "ABORT_ERR" || (error as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE" ? "destroyed" : `unexpected ${String(error)}`;
    }
    await closed;
    expect(isPrefix(seen, xs)).toBe(true);
    expect(src.stats.exits).toBe(1);
    const fails = failAt !== undefined && failAt <= xs.length;
    const destroyed = destroyAfter !== undefined && seen.length === destroyAfter;
    if (!destroyed) {
      expect(outcome).toBe(fails ? "error" : "done");
      if (!fails) expect(seen).toEqual(xs);
      else expect(src.stats.stopped).toBe(0);
    }
  }),
);

property([values, fc.constantFrom("writable", "web"), fc.integer({ min: 1, max: 4 }), at, at, jitter], options)(
  "drive into a Writable or a WritableStream: written in order, each failure reaches the other side once, source stopped, nothing open",
  leakChecked(async (xs, kind, highWaterMark, sourceFailAt, sinkFailAt, delays) => {
    const src = source(xs, sourceFailAt, delays);
    const written: number[] = [];
    const sinkError = new Error("sink broke");
    const log: string[] = [];
    let index = 0;
    const write = async (x: number): Promise<void> => {
      if (index++ === sinkFailAt) throw sinkError;
      await ticks(delays[index % delays.length] ?? 0);
      written.push(x);
    };
    const destination =
      kind === "writable"
        ? new Writable({
            objectMode: true,
            highWaterMark,
            write: (x: number, _encoding, callback) => void write(x).then(() => callback(), callback),
            final: (callback) => ((log.push("end"), callback())),
            destroy: (error, callback) => ((log.push(error === null ? "destroy" : `destroy ${error.message}`), callback(error))),
          })
        : new WritableStream<number>(
            { write, close: () => void log.push("end"), abort: (reason: unknown) => void log.push(`destroy ${(reason as Error).message}`) },
            new CountQueuingStrategy({ highWaterMark }),
          );
    if (destination instanceof Writable) destination.on("error", () => undefined); // the test's own view comes from drive()
    let outcome = "done";
    try {
      await drive(src.it, destination);
    } catch (error) {
      outcome = error === src.error ? "source" : error === sinkError ? "sink" : `unexpected ${String(error)}`;
    }
    await turn();
    await turn();
    expect(isPrefix(written, xs)).toBe(true);
    expect(src.stats.exits).toBe(1);
    const sourceFails = sourceFailAt !== undefined && sourceFailAt <= xs.length;
    const sinkFails = sinkFailAt !== undefined && sinkFailAt < Math.min(xs.length, sourceFails ? sourceFailAt : Infinity);
    if (!sourceFails && !sinkFails) {
      expect(outcome).toBe("done");
      expect(written).toEqual(xs);
      expect(log).toContain("end");
    } else {
      // Only a side that failed is reported; when both did, whichever drive saw first.
      expect(outcome).toBe(sourceFails && !sinkFails ? "source" : !sourceFails ? "sink" : outcome === "sink" ? "sink" : "source");
      expect(log).not.toContain("end");
      if (outcome === "source" && !sinkFails) expect(log).toContain("destroy source broke");
    }
    expect(log.filter((entry) => entry.startsWith("destroy")).length).toBeLessThanOrEqual(1);
    if (kind === "web") expect((destination as WritableStream).locked).toBe(false);
  }),
);

property([values, at, at, fc.nat({ max: 4 }), fc.nat({ max: 4 }), jitter], options)(
  "web streams both ways: toReadableStream then fromReadableStream keeps order, carries the error, and a stop reaches the source once",
  leakChecked(async (xs, failAt, breakAfter, streamHighWaterMark, bridgeHighWaterMark, delays) => {
    const src = source(xs, failAt, delays);
    const chunks = fromReadableStream(toReadableStream(src.it, { highWaterMark: streamHighWaterMark }), { highWaterMark: bridgeHighWaterMark });
    const seen: number[] = [];
    let outcome = "done";
    try {
      for await (const x of chunks) {
        seen.push(x);
        if (seen.length === breakAfter) break;
        await ticks(delays[seen.length % delays.length] ?? 0);
      }
    } catch (error) {
      outcome = error === src.error ? "error" : `unexpected ${String(error)}`;
    }
    expect(isPrefix(seen, xs)).toBe(true);
    expect(src.stats.exits).toBe(1);
    const fails = failAt !== undefined && failAt <= xs.length;
    const broke = breakAfter !== undefined && seen.length === breakAfter;
    if (!broke) {
      expect(outcome).toBe(fails ? "error" : "done");
      expect(seen).toEqual(fails ? xs.slice(0, failAt) : xs);
    } else if (!fails && !src.stats.completed) {
      expect(src.stats.stopped).toBe(1); // unless the streams had already read it all ahead of the consumer
    }
  }),
);
