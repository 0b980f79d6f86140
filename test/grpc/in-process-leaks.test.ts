// The leak rules (docs/semantics.md) for the in-process client: an in-process call is in the leak registry from start
// until its status reached the caller (or it was cancelled), and a call left open fails
// assertNoLeaks() with its method, kind, how it is stuck and what to do. Each planted leak has a
// clean twin that passes.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { openBridges } from "../../src/core/index.js";
import { createInProcessClient } from "../../src/grpc/index.js";
import { LeakError, assertNoLeaks, leakBaseline } from "../../src/testing/index.js";
import { deferred, settleStream, settleUnary } from "./call-helpers.js";
import { interopHandlers } from "./fixtures/interop-handlers.js";
import { TestService } from "./fixtures/test-service.js";
import type { TestServiceClient, TestServiceHandlers } from "./fixtures/test-service.js";

const { status: Status } = grpc;
const listStrings = "/grpc.testing.TestService/ListStrings";
const clients: grpc.Client[] = [];

function inProcess(handlers: TestServiceHandlers): TestServiceClient {
  const client = createInProcessClient(TestService, { ...interopHandlers, ...handlers });
  clients.push(client);
  return client;
}

/** A handler that writes `count` messages, honouring 'drain', then ends; reports 'cancelled'. */
function pumping(count: number, cancelled?: () => void): TestServiceHandlers["ListStrings"] {
  return (call) => {
    call.on("cancelled", () => cancelled?.());
    let sent = 0;
    const pump = (): void => {
      while (sent < count) {
        sent += 1;
        if (!call.write({ value: String(sent) })) {
          call.once("drain", pump);
          return;
        }
      }
      call.end();
    };
    pump();
  };
}

async function leakOf(baseline: ReturnType<typeof leakBaseline>): Promise<LeakError | undefined> {
  return assertNoLeaks({ baseline }).then(
    () => undefined,
    (error: unknown) => error as LeakError,
  );
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe("in-process calls in the leak registry", () => {
  it("a server stream the caller neither reads to the end nor cancels is reported, then cancelled by the check", async () => {
    const cancelled = deferred();
    const client = inProcess({ ListStrings: pumping(100, () => cancelled.resolve()) });
    const baseline = leakBaseline();
    const stream = client.ListStrings({});
    const errors: unknown[] = [];
    stream.on("error", (e) => errors.push(e));
    stream.pause();
    const error = await leakOf(baseline);
    expect(error).toBeInstanceOf(LeakError);
    const [leak, ...others] = error?.bridges ?? [];
    expect(others).toEqual([]);
    expect(leak).toMatchObject({ kind: "grpc-call", name: listStrings, phase: "open" });
    expect(leak?.state).toMatch(/^server-streaming call; the handler has not ended the call.*; the caller is not reading; no deadline$/);
    expect(leak?.state).toContain("waiting for the caller to read");
    expect(error?.message).toContain(`grpc-call "${listStrings}"`);
    expect(error?.message).toContain("call `call.cancel()`");
    // assertNoLeaks stopped it: the call is cancelled on both sides and leaves the registry.
    await cancelled.promise;
    await assertNoLeaks({ baseline });
    expect(errors).toHaveLength(1);
    expect((errors[0] as grpc.ServiceError).code).toBe(Status.CANCELLED);
  });

  it("clean twin: the same stream read to its end leaves nothing open", async () => {
    const client = inProcess({ ListStrings: pumping(100) });
    const baseline = leakBaseline();
    const stream = client.ListStrings({});
    expect(openBridges().filter((b) => b.id > baseline.lastId).map((b) => b.name)).toEqual([listStrings]);
    const outcome = await settleStream(stream);
    expect(outcome.messages).toHaveLength(100);
    await assertNoLeaks({ baseline });
  });

  it("stopping a leaked stream nobody listens to for 'error' does not throw its CANCELLED error", async () => {
    const cancelled = deferred();
    const client = inProcess({ ListStrings: pumping(40, () => cancelled.resolve()) });
    const baseline = leakBaseline();
    client.ListStrings({}).pause();
    const error = await leakOf(baseline);
    expect(error?.bridges.map((b) => `${b.kind} ${b.name}`)).toEqual([`grpc-call ${listStrings}`]);
    await cancelled.promise;
    await assertNoLeaks({ baseline }); // and vitest fails the run on an uncaught exception
  });

  it("a cancelled call leaves the registry", async () => {
    const client = inProcess({ ListStrings: pumping(1000) });
    const baseline = leakBaseline();
    const stream = client.ListStrings({});
    const outcome = settleStream(stream);
    stream.cancel();
    expect((await outcome).status?.code).toBe(Status.CANCELLED);
    await assertNoLeaks({ baseline });
  });

  it("a unary handler that never answers is reported with the handler's advice; its twin with a deadline is not", async () => {
    const client = inProcess({ UnaryCall() {} });
    const baseline = leakBaseline();
    const outcome = settleUnary((cb) => client.UnaryCall({}, cb));
    const error = await leakOf(baseline);
    expect(error?.bridges[0]?.state).toMatch(/^unary call; the handler has not ended the call \(no status sent\); the caller is waiting for a response; no deadline$/);
    expect(error?.message).toContain("The handler never ended the call");
    expect((await outcome).error?.code).toBe(Status.CANCELLED);

    const twin = leakBaseline();
    const timedOut = await settleUnary((cb) => client.UnaryCall({}, { deadline: Date.now() + 20 }, cb));
    expect(timedOut.error?.code).toBe(Status.DEADLINE_EXCEEDED);
    await assertNoLeaks({ baseline: twin });
  });

  it("a client stream the caller never ends is reported as such; its ended twin is not", async () => {
    const client = inProcess({});
    const baseline = leakBaseline();
    const outcome = settleUnary(
      (cb) => client.StreamingInputCall(cb),
      (call) => call.write({ payload: { body: Buffer.from([1]) } }),
    );
    const error = await leakOf(baseline);
    expect(error?.bridges[0]?.state).toContain("client-streaming call");
    expect(error?.bridges[0]?.state).toContain("the caller has not ended its requests (no end())");
    expect(error?.message).toContain("call `call.end()`");
    expect((await outcome).error?.code).toBe(Status.CANCELLED);

    const twin = leakBaseline();
    const ended = await settleUnary(
      (cb) => client.StreamingInputCall(cb),
      (call) => {
        call.write({ payload: { body: Buffer.from([1]) } });
        call.end();
      },
    );
    expect(ended.value).toEqual({ aggregated_payload_size: 1 });
    await assertNoLeaks({ baseline: twin });
  });

  const gc = (globalThis as { gc?: () => void }).gc;

  it.runIf(gc !== undefined)("GC backstop: a stream dropped by its caller while its handler waits for 'drain' is reported by the GC backstop", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      const client = inProcess({ ListStrings: pumping(100) });
      const baseline = leakBaseline();
      await (async () => {
        const stream = client.ListStrings({});
        stream.pause();
        // Let the registry start watching the caller's call object (it waits one timer turn).
        await new Promise((resolve) => setTimeout(resolve, 5));
      })();
      for (let i = 0; i < 50 && !warnings.some((w) => w.name === "SluiceLeakWarning"); i += 1) {
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const warning = warnings.find((w) => w.name === "SluiceLeakWarning");
      expect(warning?.message).toContain(`grpc-call "${listStrings}" was garbage-collected while open`);
      const error = await leakOf(baseline);
      expect(error?.message).toContain("garbage-collected while open");
    } finally {
      process.off("warning", onWarning);
    }
  });
});
