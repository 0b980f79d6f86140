// duplex() under any interleaving the fast-check scheduler picks: both directions keep order and lose
// nothing they were not told to drop, every stop reaches the other side, sink() settles and its input's
// producer exits, and no bridge is left open.
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { openBridges } from "../../src/core/index.js";
import { duplex } from "../../src/interop/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { isPrefix, numRuns, scheduledSource } from "../helpers/scheduled.js";
import { property } from "./helpers.js";

const values = (label: string) => fc.nat({ max: 8 }).map((n) => Array.from({ length: n }, (_, i) => `${label}${i}`));
/** Where a reader stops: after that many values (`undefined`: it reads to the end). */
const stopAfter = fc.option(fc.nat({ max: 8 }), { nil: undefined });

property(
  [fc.scheduler(), fc.constantFrom(0, 1, 2, 16), values("in"), values("out"), stopAfter, stopAfter, fc.boolean()],
  { numRuns: numRuns(), timeout: 5_000 },
)(
  "duplex: order and no loss both ways, stops reach the other side, sink() settles, its input exits, nothing left open",
  leakChecked(async (s, highWaterMark, inbound, outbound, sourceStopsAfter, incomingStopsAfter, closeEarly) => {
    const peer = duplex<string>({ highWaterMark, name: "dx" });
    const input = scheduledSource(s, inbound, { label: "in" });

    // The pipe's side: it writes `inbound` through sink() and reads `source`.
    const sinking = peer.sink(input.it).then(
      () => "resolved",
      (error: unknown) => `rejected ${String(error)}`,
    );
    const readFromSource: string[] = [];
    const readingSource = (async () => {
      for await (const value of peer.source) {
        if (readFromSource.length === sourceStopsAfter) break;
        readFromSource.push(value);
        await s.schedule(Promise.resolve(), `pipe read ${value}`);
      }
    })();

    // Your side: write `outbound` with backpressure, read what sink() received.
    let writerStoppedEarly = false;
    const writing = (async () => {
      for (const value of outbound) {
        await s.schedule(Promise.resolve(), `you write ${value}`);
        if (!(await peer.outgoing.send(value))) {
          writerStoppedEarly = true;
          return;
        }
      }
      peer.outgoing.end();
    })();
    const received: string[] = [];
    const readingIncoming = (async () => {
      for await (const value of peer.incoming) {
        if (received.length === incomingStopsAfter) break;
        received.push(value);
        await s.schedule(Promise.resolve(), `you read ${value}`);
      }
    })();
    // What each reader had when close() resolved: a closed duplex delivers nothing more (at most the value
    // a reader had already been handed when the close began).
    let atClose: { source: number; incoming: number } | undefined;
    const closing = closeEarly
      ? s.schedule(Promise.resolve(), "close").then(async () => {
          const before = { source: readFromSource.length, incoming: received.length };
          await peer.close("enough");
          atClose = before;
        })
      : Promise.resolve();

    const [sinkOutcome] = await s.waitFor(Promise.all([sinking, readingSource, writing, readingIncoming, closing]));

    expect(isPrefix(readFromSource, outbound)).toBe(true);
    expect(isPrefix(received, inbound)).toBe(true);
    expect(sinkOutcome).toBe("resolved"); // no signal: only an input error could reject it, and there is none
    expect(input.stats.exits).toBe(input.stats.started); // sink() settled only after its input's producer exited
    if (atClose !== undefined) {
      expect(readFromSource.length).toBeLessThanOrEqual(atClose.source + 1);
      expect(received.length).toBeLessThanOrEqual(atClose.incoming + 1);
    }
    if (!closeEarly) {
      if (sourceStopsAfter === undefined) {
        expect(readFromSource).toEqual(outbound);
        expect(writerStoppedEarly).toBe(false);
      }
      if (incomingStopsAfter === undefined) expect(received).toEqual(inbound);
      // Every direction was read to the end or stopped by its reader: the duplex finished by itself.
      expect(openBridges().map((bridge) => bridge.name)).toEqual([]);
    }
    if (sourceStopsAfter !== undefined && sourceStopsAfter < outbound.length && !closeEarly) {
      // The pipe stopped reading before the end: your writer was told (send() false), unless it had
      // already handed over everything it wanted to write within highWaterMark.
      expect(writerStoppedEarly || outbound.length - sourceStopsAfter <= highWaterMark + 1).toBe(true);
    }
    await peer.close(); // idempotent; leakChecked fails the run if anything is still open
  }),
);
