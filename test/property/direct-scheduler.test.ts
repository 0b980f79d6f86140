// Scheduler test of the direct path's pulled responses: a `serverStreaming` generator handler and a scripted
// caller (un-awaited next() calls, stop/return/dispose, aborts of `signal`) interleaved by fast-check's
// scheduler, with and without a deadline. The caller sees a bridge's contract: values in order, no loss or
// duplicate, next() calls settled in call order, the handler's error once, stop settling every pending next(),
// the abort error for every next() after an abort; and the handler runs as the caller pulls, its `finally` runs
// exactly once, its signal has aborted when it ends, and nothing is left open.
import { fc, test } from "@fast-check/vitest";
import * as grpc from "@grpc/grpc-js";
import { jsonServiceClient } from "../grpc/fixtures/json-service.js";
import { expect } from "vitest";
import { GrpcError, asyncClient, createInProcessClient, serverStreaming } from "../../src/grpc/index.js";
import type { BridgeIterator } from "../../src/core/index.js";
import { leakChecked } from "../../src/testing/index.js";
import { Consumer, consumerScript } from "./consumer.js";
import { numRuns, runTimeout } from "./helpers.js";

const Numbers = jsonServiceClient("property.Numbers", { Count: { requestStream: false, responseStream: true } });

const scenario = fc.record({
  values: fc.nat({ max: 6 }),
  /** How the handler ends after its values. */
  ending: fc.constantFrom("return" as const, "grpc-error" as const, "throw" as const),
  /** A far deadline makes every next() cancellable while the handler is busy (the "controlled" mode). */
  deadline: fc.boolean(),
  script: consumerScript,
});

test.prop([fc.scheduler(), scenario], { numRuns, timeout: runTimeout })(
  "direct path, pulled generator: the bridge contract for the caller, and the handler runs as pulled and exits once",
  leakChecked(async (s, sc) => {
    let started = false;
    let finallyRuns = 0;
    let signalAbortedAtExit: boolean | undefined;
    let produced = 0;
    let pulls = 0;
    const handler = serverStreaming<unknown, number>(async function* (_request, ctx) {
      started = true;
      try {
        for (let v = 0; v < sc.values; v += 1) {
          await s.schedule(Promise.resolve(), `handler step ${v}`);
          produced += 1;
          yield v;
        }
        await s.schedule(Promise.resolve(), "handler ends");
        if (sc.ending === "grpc-error") throw new GrpcError(grpc.status.FAILED_PRECONDITION, "scripted");
        if (sc.ending === "throw") throw new Error("scripted");
      } finally {
        finallyRuns += 1;
        signalAbortedAtExit = ctx.signal.aborted;
      }
    });
    const client = createInProcessClient(Numbers, { Count: handler });
    const api = asyncClient(client) as unknown as { Count(request: object, options: object): BridgeIterator<number> };
    const consumer = new Consumer(
      () => undefined,
      () => started && finallyRuns === 0,
    );
    consumer.it = api.Count({}, { signal: consumer.controller.signal, ...(sc.deadline ? { deadline: Date.now() + 60_000 } : {}) });
    // Every value handed out was asked for: the handler never runs ahead of the caller's next() calls.
    const pulled = consumer.it.next.bind(consumer.it);
    consumer.it.next = () => {
      pulls += 1;
      return pulled();
    };
    try {
      await consumer.run(s, sc.script);
    } finally {
      client.close();
    }
    const producerError =
      sc.ending === "grpc-error" ? "Error: 9 FAILED_PRECONDITION: scripted" : sc.ending === "throw" ? "Error: 2 UNKNOWN: Unknown error" : undefined;
    consumer.checkOutcomes({ ...(producerError === undefined ? {} : { producerError }), total: sc.values });
    consumer.checkAbort();
    expect(produced, "the handler only yields what was pulled").toBeLessThanOrEqual(pulls);
    expect(finallyRuns, "the handler's finally ran exactly once if it started").toBe(started ? 1 : 0);
    if (started) expect(signalAbortedAtExit, "the handler's signal has aborted by the time it exits (stopped), or right after (ended)").toBeDefined();
  }),
);
