// Differential property test: random handler scripts run over grpc-js on 127.0.0.1 (the oracle)
// and in-process in each message mode; what the caller observes must be identical. Handlers send
// fully populated messages, so that `share`/`clone` (which skip proto-loader defaults, a declared
// difference) are comparable too.
import { fc } from "@fast-check/vitest";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { settleStream, settleUnary } from "./call-helpers.js";
import type { StreamOutcome, UnaryOutcome } from "./call-helpers.js";
import { interopHandlers } from "./fixtures/interop-handlers.js";
import type { TestServiceClient, TestServiceHandlers } from "./fixtures/test-service.js";
import { inProcess, pipe, tcp } from "./transports.js";
import { property } from "../property/helpers.js";

/** One step of a handler script. Scripts run synchronously inside the handler. */
type Step =
  | { readonly kind: "write"; readonly value: string }
  | { readonly kind: "header"; readonly value: string; readonly binary: boolean }
  | { readonly kind: "end"; readonly trailer: string | undefined }
  | { readonly kind: "error"; readonly code: number; readonly details: string; readonly trailer: string | undefined }
  | { readonly kind: "throw" };

const token = fc.stringMatching(/^[a-z0-9]{0,8}$/);
const details = fc.oneof(token, fc.constantFrom("with spaces", "unicode \u263a \ud83d\ude08", "new\nline", "100% done"));
const trailer = fc.option(token, { nil: undefined });
const terminal: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("end" as const), trailer }),
  fc.record({ kind: fc.constant("error" as const), code: fc.integer({ min: 1, max: 16 }), details, trailer }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("write" as const), value: token }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("header" as const), value: token, binary: fc.boolean() }) },
);
/**
 * A stream script: steps, then end or error; or a handler that throws before doing anything.
 * (Throwing after two or more writes is a declared difference, see the conformance suite:
 * grpc-js then never sends a status.)
 */
const streamScript = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.array(step, { maxLength: 6 }), terminal).map(([steps, last]) => [...steps, last]) },
  { weight: 1, arbitrary: fc.constant<Step[]>([{ kind: "throw" }]) },
);

function metadataOf(key: string, value: string | undefined, binary = false): grpc.Metadata {
  const md = new grpc.Metadata();
  if (value !== undefined) md.set(binary ? `${key}-bin` : key, binary ? Buffer.from(value) : value);
  return md;
}

function runStreamScript(call: grpc.ServerWritableStream<unknown, unknown>, script: readonly Step[]): void {
  for (const s of script) {
    switch (s.kind) {
      case "write":
        call.write({ value: s.value });
        break;
      case "header":
        call.sendMetadata(metadataOf("x-h", s.value, s.binary));
        break;
      case "end":
        call.end(metadataOf("x-t", s.trailer));
        return;
      case "error":
        call.emit("error", { code: s.code, details: s.details, metadata: metadataOf("x-t", s.trailer) });
        return;
      case "throw":
        throw new Error("scripted");
    }
  }
}

/** What the caller observed, without transport headers (a declared difference). */
function observed(outcome: StreamOutcome<unknown> | UnaryOutcome<unknown>): unknown {
  const strip = (md: grpc.Metadata | undefined): unknown => {
    if (md === undefined) return undefined;
    const copy = md.clone();
    for (const key of ["content-type", "date"]) copy.remove(key);
    return copy.toJSON();
  };
  return {
    events: outcome.events,
    messages: "messages" in outcome ? outcome.messages : [outcome.value],
    code: outcome.status?.code,
    details: outcome.status?.details,
    headers: strip(outcome.metadata),
    trailers: strip(outcome.status?.metadata),
  };
}

describe("in-process and the pipe match grpc-js over TCP on random handler scripts", () => {
  const transports = [tcp, pipe, inProcess("share"), inProcess("clone"), inProcess("serialize")] as const;
  let script: readonly Step[] = [];
  let unaryStep: { header: string | undefined; answer: Step } = { header: undefined, answer: { kind: "throw" } };
  const handlers: TestServiceHandlers & Required<Pick<TestServiceHandlers, "StreamingInputCall" | "FullDuplexCall">> = {
    StreamingInputCall: () => {},
    FullDuplexCall: () => {},
    ...interopHandlers,
    ListStrings(call) {
      runStreamScript(call, script);
    },
    EmptyCall(call, callback) {
      if (unaryStep.header !== undefined) call.sendMetadata(metadataOf("x-h", unaryStep.header));
      const answer = unaryStep.answer;
      if (answer.kind === "throw") throw new Error("scripted");
      if (answer.kind === "error") callback({ code: answer.code, details: answer.details, metadata: metadataOf("x-t", answer.trailer) });
      else callback(null, {}, metadataOf("x-t", answer.kind === "end" ? answer.trailer : undefined));
    },
  };
  let clientStreaming: { early: boolean; answer: Step } = { early: false, answer: { kind: "throw" } };
  let bidi: { echoes: number; last: Step } = { echoes: 0, last: { kind: "end", trailer: undefined } };
  handlers.StreamingInputCall = (call, callback) => {
    const answer = (count: number): void => {
      const a = clientStreaming.answer;
      if (a.kind === "error") callback({ code: a.code, details: a.details, metadata: metadataOf("x-t", a.trailer) });
      else callback(null, { aggregated_payload_size: count }, metadataOf("x-t", a.kind === "end" ? a.trailer : undefined));
    };
    if (clientStreaming.early) {
      answer(-1);
      return;
    }
    let count = 0;
    call.on("data", () => (count += 1));
    call.on("end", () => answer(count));
  };
  handlers.FullDuplexCall = (call) => {
    call.on("data", (request: { response_parameters?: unknown[] }) => {
      for (let i = 0; i < bidi.echoes; i++) call.write({ payload: { type: "COMPRESSABLE", body: Buffer.from([i, request.response_parameters?.length ?? 0]) } });
    });
    call.on("end", () => {
      const last = bidi.last;
      if (last.kind === "error") call.emit("error", { code: last.code, details: last.details, metadata: metadataOf("x-t", last.trailer) });
      else call.end(metadataOf("x-t", last.kind === "end" ? last.trailer : undefined));
    });
  };
  let clients: TestServiceClient[] = [];

  beforeAll(async () => {
    clients = await Promise.all(transports.map(async (t) => (await t.serve(handlers)).client));
  });
  afterAll(async () => {
    for (const t of transports) await t.closeAll();
  });

  property([streamScript], { numRuns: 40, timeout: 4000 })("server streaming", async (generated) => {
    script = generated;
    const outcomes: unknown[] = [];
    for (const client of clients) outcomes.push(observed(await settleStream(client.ListStrings({}, { deadline: Date.now() + 2000 }))));
    const [oracle, ...rest] = outcomes;
    for (const other of rest) expect(other).toEqual(oracle);
  });

  property([fc.option(token, { nil: undefined }), fc.oneof(terminal, fc.constant<Step>({ kind: "throw" }))], { numRuns: 40, timeout: 4000 })(
    "unary",
    async (header, answer) => {
      unaryStep = { header, answer };
      const outcomes: unknown[] = [];
      for (const client of clients) outcomes.push(observed(await settleUnary((cb) => client.EmptyCall({}, { deadline: Date.now() + 2000 }, cb))));
      const [oracle, ...rest] = outcomes;
      for (const other of rest) expect(other).toEqual(oracle);
    },
  );

  property([fc.nat({ max: 5 }), fc.boolean(), terminal], { numRuns: 30, timeout: 4000 })("client streaming", async (writes, early, answer) => {
    clientStreaming = { early, answer };
    const outcomes: unknown[] = [];
    for (const client of clients) {
      const outcome = await settleUnary(
        (cb) => client.StreamingInputCall({ deadline: Date.now() + 2000 }, cb),
        (call) => {
          for (let i = 0; i < writes; i++) call.write({ payload: { body: Buffer.from([i]) } });
          call.end();
        },
      );
      outcomes.push(observed(outcome));
    }
    const [oracle, ...rest] = outcomes;
    for (const other of rest) expect(other).toEqual(oracle);
  });

  property([fc.nat({ max: 4 }), fc.nat({ max: 3 }), terminal], { numRuns: 30, timeout: 4000 })("bidi", async (writes, echoes, last) => {
    bidi = { echoes, last };
    const outcomes: unknown[] = [];
    for (const client of clients) {
      const call = client.FullDuplexCall({ deadline: Date.now() + 2000 });
      const settled = settleStream(call);
      for (let i = 0; i < writes; i++) call.write({ response_parameters: [] });
      call.end();
      outcomes.push(observed(await settled));
    }
    const [oracle, ...rest] = outcomes;
    for (const other of rest) expect(other).toEqual(oracle);
  });
});
