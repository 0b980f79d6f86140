// Differential property test at the asyncClient level. Random handler scripts, written both as plain grpc-js
// handlers (`call.write`, `callback`, `call.emit("error")`, `call.end(trailers)`, throws) and with the adapters
// (`unary`, `serverStreaming`, `clientStreaming`, `bidi`: yields, returns, `ctx.sendMetadata`, `ctx.trailers`,
// GrpcErrors and plain Errors), run over grpc-js on 127.0.0.1 (the oracle), the pipe, the in-process client on
// grpc-js's client code (`direct: false`, the drop-in path) and the direct path in each message mode. The caller
// varies too: request messages and metadata (text and `-bin`, which the handler echoes back), how it reads a
// stream (`for await`, `nextBatch()`, several `next()` at once), what bounds the call (a deadline, a signal, or
// nothing), an onHeader or onTrailer that throws, requests that throw.
//
// Everything an asyncClient caller can observe must be identical: the values in order, what each of several
// concurrent `next()` calls got, the outcome (the value, or the error's code, details, message, metadata, name,
// own keys, and whether it is the very error a callback or the requests threw), what onHeader and onTrailer saw
// and when (before any value; before the call settled), and whether the caller's requests were closed by then.
//
// Kept out, as declared differences (docs/grpc.md, test/grpc/transports.ts): transport headers (stripped below:
// exactly what TCP adds), peers (not observed), proto-loader defaults in `share`/`clone` (every message is fully
// populated), a plain handler that throws after an await or after two writes (grpc-js then never sends a status:
// plain handlers here throw only synchronously, before reading, after at most one write), how far the caller's
// requests are read (grpc-js reads ahead of the handler). Two disagreements this test found are pinned by named
// regression examples at the end: onTrailer when the caller's requests throw (no path calls it now: the caller
// cancelled the call itself), and a response delivered after an onHeader that threw (none is, now).
import { fc } from "@fast-check/vitest";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeIterator } from "../../src/core/index.js";
import { GrpcError, asyncClient, bidi, clientStreaming, serverStreaming, unary } from "../../src/grpc/index.js";
import type { AsyncClient, CallContext } from "../../src/grpc/index.js";
import { numRuns } from "../helpers/scheduled.js";
import type {
  ListStringsRequest,
  ListStringsResponse,
  SimpleRequest,
  SimpleResponse,
  StreamingInputCallRequest,
  StreamingInputCallResponse,
  StreamingOutputCallRequest,
  StreamingOutputCallResponse,
  TestServiceClient,
  TestServiceHandlers,
} from "./fixtures/test-service.js";
import { inProcess, pipe, tcp } from "./transports.js";
import type { Transport } from "./transports.js";

// ── Scripts ──────────────────────────────────────────────────────────────────────────────────────

/** Metadata a handler sends: one key of its own (text or `-bin`), plus, if `echo`, the caller's `x-e`/`x-e-bin`. */
interface MetadataSpec {
  readonly value: string | undefined;
  readonly binary: boolean;
  readonly echo: boolean;
}

/** Request metadata the caller sends: with `send` false, no `metadata` option at all. */
interface RequestMetadataSpec {
  readonly send: boolean;
  readonly text: string | undefined;
  readonly bin: readonly number[] | undefined;
}

type Step =
  | { readonly kind: "write"; readonly value: string }
  | { readonly kind: "header"; readonly metadata: MetadataSpec }
  /** Plain handlers continue on a later turn (`setImmediate`, or a microtask); the adapters await the same. */
  | { readonly kind: "pause"; readonly macrotask: boolean };

type Terminal =
  | { readonly kind: "end"; readonly trailer: MetadataSpec }
  /** `viaError`: the adapters put the trailers on the GrpcError rather than in `ctx.trailers`. */
  | { readonly kind: "error"; readonly code: number; readonly details: string; readonly trailer: MetadataSpec; readonly viaError: boolean }
  /** A plain `Error`: UNKNOWN. The adapters send `ctx.trailers` with it; grpc-js sends no trailers for a plain handler's throw. */
  | { readonly kind: "throw"; readonly trailer: MetadataSpec };

/** How the caller bounds a call: a deadline, an AbortSignal aborted by a watchdog, or (streams) a watchdog's `return()`. */
type Limit = "deadline" | "signal" | "none";

/** How the caller reads a response stream. */
type ReadStyle = { readonly kind: "for-await" } | { readonly kind: "batches" } | { readonly kind: "concurrent"; readonly width: number };

interface ServerStreamingScript {
  readonly request: ListStringsRequest & { count: number; size: number };
  readonly requestMetadata: RequestMetadataSpec;
  readonly steps: readonly Step[];
  readonly terminal: Terminal;
  readonly limit: Limit;
  readonly read: ReadStyle;
  readonly throwIn: CallbackThrow;
}

interface UnaryScript {
  readonly request: SimpleRequest;
  readonly requestMetadata: RequestMetadataSpec;
  readonly steps: readonly Step[];
  readonly terminal: Terminal;
  /** Adapters: a plain (non-async) function, which returns or throws synchronously (only without pauses). */
  readonly sync: boolean;
  readonly limit: Exclude<Limit, "none">;
  readonly throwIn: CallbackThrow;
}

interface ClientStreamingScript {
  readonly requests: readonly (readonly number[])[];
  readonly asyncRequests: boolean;
  /**
   * The caller's requests throw when this many were read (at most all of them). Only with a handler that reads
   * every request before it does anything else: grpc-js reads the caller's requests ahead, so otherwise the
   * handler's answer races the failure.
   */
  readonly requestsThrowAt: number | undefined;
  readonly requestMetadata: RequestMetadataSpec;
  readonly header: MetadataSpec | undefined;
  /** Answer once this many requests were read (0: before reading any), or at the end of the requests. */
  readonly readUpTo: number | undefined;
  /** What the handler does after reading, before it answers. */
  readonly steps: readonly Step[];
  readonly terminal: Terminal;
  readonly sync: boolean;
  readonly limit: Exclude<Limit, "none">;
  readonly throwIn: CallbackThrow;
}

interface BidiScript {
  /** Per request: how many responses it gets, and whether the handler then pauses a turn. */
  readonly requests: readonly { readonly responses: number; readonly pause: boolean }[];
  readonly asyncRequests: boolean;
  readonly requestMetadata: RequestMetadataSpec;
  readonly header: MetadataSpec | undefined;
  /** End the call after this many requests (0: before reading any), or at the end of the requests. */
  readonly stopAfter: number | undefined;
  readonly terminal: Terminal;
  readonly limit: Limit;
  readonly read: ReadStyle;
  readonly throwIn: CallbackThrow;
}

const token = fc.stringMatching(/^[a-z0-9]{0,8}$/);
const bytes = fc.array(fc.nat({ max: 255 }), { minLength: 0, maxLength: 4 });
const details = fc.oneof(token, fc.constantFrom("with spaces", "unicode \u263a \ud83d\ude08", "new\nline", "100% done"));
const metadataSpec: fc.Arbitrary<MetadataSpec> = fc.record({ value: fc.option(token, { nil: undefined }), binary: fc.boolean(), echo: fc.boolean() });
const requestMetadata: fc.Arbitrary<RequestMetadataSpec> = fc.record({
  send: fc.boolean(),
  text: fc.option(token, { nil: undefined }),
  bin: fc.option(bytes, { nil: undefined }),
});
const terminal: fc.Arbitrary<Terminal> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("end" as const), trailer: metadataSpec }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("error" as const), code: fc.integer({ min: 1, max: 16 }), details, trailer: metadataSpec, viaError: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("throw" as const), trailer: metadataSpec }) },
);
const pause: fc.Arbitrary<Step> = fc.record({ kind: fc.constant("pause" as const), macrotask: fc.boolean() });
const header: fc.Arbitrary<Step> = fc.record({ kind: fc.constant("header" as const), metadata: metadataSpec });
const streamStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("write" as const), value: token }) },
  { weight: 1, arbitrary: header },
  { weight: 1, arbitrary: pause },
);
const readStyle: fc.Arbitrary<ReadStyle> = fc.oneof(
  fc.constant({ kind: "for-await" as const }),
  fc.constant({ kind: "batches" as const }),
  fc.record({ kind: fc.constant("concurrent" as const), width: fc.integer({ min: 2, max: 3 }) }),
);
const streamLimit: fc.Arbitrary<Limit> = fc.constantFrom("deadline", "signal", "none");
const callLimit = fc.constantFrom("deadline" as const, "signal" as const);
const throwIn: fc.Arbitrary<CallbackThrow> = fc.oneof(
  { weight: 4, arbitrary: fc.constant("none" as const) },
  { weight: 1, arbitrary: fc.constantFrom("onHeader" as const, "onTrailer" as const) },
);

/** A plain handler may throw only synchronously, after at most one write (see the file comment). */
function throwsEarly(steps: readonly Step[]): Step[] {
  const kept: Step[] = [];
  let writes = 0;
  for (const s of steps) {
    if (s.kind === "pause") continue;
    if (s.kind === "write" && writes++ >= 1) continue;
    kept.push(s);
  }
  return kept;
}

function serverStreamingScripts(style: Style): fc.Arbitrary<ServerStreamingScript> {
  return fc
    .record({
      request: fc.record({ count: fc.nat({ max: 9 }), size: fc.integer({ min: 1, max: 9 }) }),
      requestMetadata,
      steps: fc.array(streamStep, { maxLength: 7 }),
      terminal,
      limit: streamLimit,
      read: readStyle,
      throwIn,
    })
    .map((s) => (style === "plain" && s.terminal.kind === "throw" ? { ...s, steps: throwsEarly(s.steps) } : s));
}

function unaryScripts(style: Style): fc.Arbitrary<UnaryScript> {
  return fc
    .record({
      request: fc.record({
        response_type: fc.constant("COMPRESSABLE" as const),
        response_size: fc.nat({ max: 100 }),
        payload: fc.record({ type: fc.constant("COMPRESSABLE" as const), body: bytes.map((b) => Buffer.from([7, ...b])) }),
        fill_username: fc.boolean(),
        response_status: fc.constant({ code: 0, message: "" }),
        request_id: fc.nat().map(String),
        note: token,
      }),
      requestMetadata,
      steps: fc.array(fc.oneof(header, pause), { maxLength: 3 }),
      terminal,
      sync: fc.boolean(),
      limit: callLimit,
      throwIn,
    })
    .map((s) => {
      const noPauses = s.steps.filter((step) => step.kind !== "pause");
      if (style === "plain" && s.terminal.kind === "throw") return { ...s, steps: noPauses };
      // A synchronous adapter function cannot pause.
      return style === "adapters" && s.sync ? { ...s, steps: noPauses } : s;
    });
}

function clientStreamingScripts(style: Style): fc.Arbitrary<ClientStreamingScript> {
  return fc
    .record({
      requests: fc.array(bytes.map((b) => [1, ...b]), { maxLength: 5 }),
      asyncRequests: fc.boolean(),
      requestsThrowAt: fc.option(fc.nat({ max: 5 }), { nil: undefined, freq: 4 }),
      requestMetadata,
      header: fc.option(metadataSpec, { nil: undefined }),
      readUpTo: fc.option(fc.nat({ max: 4 }), { nil: undefined }),
      steps: fc.array(fc.oneof(header, pause), { maxLength: 2 }),
      terminal,
      sync: fc.boolean(),
      limit: callLimit,
      throwIn,
    })
    .map((s) => {
      const noPauses = s.steps.filter((step) => step.kind !== "pause");
      if (style === "plain" && s.terminal.kind === "throw") return { ...s, requestsThrowAt: undefined, readUpTo: 0, steps: noPauses };
      if (style === "adapters" && s.sync) return { ...s, requestsThrowAt: undefined, readUpTo: 0, steps: noPauses };
      if (s.requestsThrowAt === undefined) return s;
      return { ...s, requestsThrowAt: Math.min(s.requestsThrowAt, s.requests.length), header: undefined, readUpTo: undefined };
    });
}

function bidiScripts(style: Style): fc.Arbitrary<BidiScript> {
  return fc
    .record({
      requests: fc.array(fc.record({ responses: fc.nat({ max: 3 }), pause: fc.boolean() }), { maxLength: 4 }),
      asyncRequests: fc.boolean(),
      requestMetadata,
      header: fc.option(metadataSpec, { nil: undefined }),
      stopAfter: fc.option(fc.nat({ max: 3 }), { nil: undefined }),
      terminal,
      limit: streamLimit,
      read: readStyle,
      throwIn,
    })
    .map((s) => (style === "plain" && s.terminal.kind === "throw" ? { ...s, stopAfter: 0 } : s));
}

// ── Handlers: every script both ways ─────────────────────────────────────────────────────────────

type Style = "plain" | "adapters";

const current: {
  serverStreaming: ServerStreamingScript | undefined;
  unary: UnaryScript | undefined;
  clientStreaming: ClientStreamingScript | undefined;
  bidi: BidiScript | undefined;
} = { serverStreaming: undefined, unary: undefined, clientStreaming: undefined, bidi: undefined };

function scriptOf<K extends keyof typeof current>(kind: K): NonNullable<(typeof current)[K]> {
  const script = current[kind];
  if (script === undefined) throw new Error(`no ${kind} script set`);
  return script as NonNullable<(typeof current)[K]>;
}

function handlerMetadata(key: string, spec: MetadataSpec, request: grpc.Metadata): grpc.Metadata {
  const md = new grpc.Metadata();
  if (spec.value !== undefined) md.set(spec.binary ? `${key}-bin` : key, spec.binary ? Buffer.from(spec.value) : spec.value);
  if (spec.echo) for (const echoed of ["x-e", "x-e-bin"]) for (const value of request.get(echoed)) md.add(echoed, value);
  return md;
}

function callerMetadata(spec: RequestMetadataSpec): grpc.Metadata | undefined {
  if (!spec.send) return undefined;
  const md = new grpc.Metadata();
  if (spec.text !== undefined) md.set("x-e", spec.text);
  if (spec.bin !== undefined) md.set("x-e-bin", Buffer.from(spec.bin));
  return md;
}

const listValue = (request: ListStringsRequest, value: string): ListStringsResponse => ({ value: `${request.count ?? "?"}/${request.size ?? "?"}:${value}` });

function unaryResponse(request: SimpleRequest): SimpleResponse {
  return {
    payload: { type: "COMPRESSABLE", body: Buffer.from([...(request.payload?.body ?? []), request.response_size ?? 255]) },
    username: `${request.fill_username === true ? "filled" : "empty"}:${request.note ?? "?"}`,
    request_id: request.request_id ?? "?",
  };
}

function bodyTotal(request: StreamingInputCallRequest): number {
  const body = request.payload?.body ?? Buffer.alloc(0);
  return 1000 + body.length * 256 + body.reduce((sum, byte) => sum + byte, 0);
}

function bidiResponse(request: StreamingOutputCallRequest, index: number): StreamingOutputCallResponse {
  return { payload: { type: "COMPRESSABLE", body: Buffer.from([request.payload?.body?.[0] ?? 255, index, request.response_parameters?.length ?? 255]) } };
}

function bidiRequest(spec: { readonly responses: number }, index: number): StreamingOutputCallRequest {
  return {
    response_type: "COMPRESSABLE",
    response_parameters: Array.from({ length: spec.responses }, (_, i) => ({ size: i + 1, interval_us: 0 })),
    payload: { type: "COMPRESSABLE", body: Buffer.from([index]) },
    response_status: { code: 0, message: "" },
  };
}

const later = (macrotask: boolean, then: () => void): void => {
  if (macrotask) setImmediate(then);
  else queueMicrotask(then);
};
const tick = (macrotask: boolean): Promise<void> => new Promise((resolve) => later(macrotask, resolve));

/** How a plain handler's stream call ends by script. */
function endPlainStream(call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>, end: Terminal): void {
  switch (end.kind) {
    case "end":
      call.end(handlerMetadata("x-t", end.trailer, call.metadata));
      return;
    case "error":
      call.emit("error", { code: end.code, details: end.details, metadata: handlerMetadata("x-t", end.trailer, call.metadata) });
      return;
    case "throw":
      throw new Error("scripted");
  }
}

/** Runs `steps` on a plain handler's call from `from`, continuing after each pause on a later turn, then `done`. */
function runPlainSteps(steps: readonly Step[], on: { write(value: string): void; header(md: MetadataSpec): void }, done: () => void, from = 0): void {
  for (let i = from; i < steps.length; i++) {
    const s = steps[i] as Step;
    if (s.kind === "write") on.write(s.value);
    else if (s.kind === "header") on.header(s.metadata);
    else {
      later(s.macrotask, () => runPlainSteps(steps, on, done, i + 1));
      return;
    }
  }
  done();
}

/** How an adapter handler ends by script: returns (the caller of this returns the response), or throws. */
function endAdapter(ctx: CallContext, end: Terminal): void {
  const trailers = handlerMetadata("x-t", end.trailer, ctx.metadata);
  if (end.kind === "error" && end.viaError) throw new GrpcError(end.code, end.details, trailers);
  ctx.trailers.merge(trailers);
  if (end.kind === "error") throw new GrpcError(end.code, end.details);
  if (end.kind === "throw") throw new Error("scripted");
}

const plainHandlers: TestServiceHandlers = {
  ListStrings(call) {
    const script = scriptOf("serverStreaming");
    runPlainSteps(
      script.steps,
      { write: (value) => call.write(listValue(call.request, value)), header: (md) => call.sendMetadata(handlerMetadata("x-h", md, call.metadata)) },
      () => endPlainStream(call, script.terminal),
    );
  },
  UnaryCall(call, callback) {
    const script = scriptOf("unary");
    runPlainSteps(
      script.steps,
      { write: () => undefined, header: (md) => call.sendMetadata(handlerMetadata("x-h", md, call.metadata)) },
      () => {
        const end = script.terminal;
        if (end.kind === "throw") throw new Error("scripted");
        const trailers = handlerMetadata("x-t", end.trailer, call.metadata);
        if (end.kind === "error") callback({ code: end.code, details: end.details, metadata: trailers });
        else callback(null, unaryResponse(call.request), trailers);
      },
    );
  },
  StreamingInputCall(call, callback) {
    const script = scriptOf("clientStreaming");
    if (script.header !== undefined) call.sendMetadata(handlerMetadata("x-h", script.header, call.metadata));
    let total = 0;
    let read = 0;
    let answered = false;
    const answer = (): void => {
      if (answered) return;
      answered = true;
      runPlainSteps(
        script.steps,
        { write: () => undefined, header: (md) => call.sendMetadata(handlerMetadata("x-h", md, call.metadata)) },
        () => {
          const end = script.terminal;
          if (end.kind === "throw") throw new Error("scripted");
          const trailers = handlerMetadata("x-t", end.trailer, call.metadata);
          if (end.kind === "error") callback({ code: end.code, details: end.details, metadata: trailers });
          else callback(null, { aggregated_payload_size: total }, trailers);
        },
      );
    };
    if (script.readUpTo === 0) {
      answer();
      return;
    }
    call.on("data", (request: StreamingInputCallRequest) => {
      if (answered) return;
      total += bodyTotal(request);
      if (++read === script.readUpTo) answer();
    });
    call.on("end", answer);
  },
  FullDuplexCall(call) {
    const script = scriptOf("bidi");
    if (script.header !== undefined) call.sendMetadata(handlerMetadata("x-h", script.header, call.metadata));
    let read = 0;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      endPlainStream(call, script.terminal);
    };
    if (script.stopAfter === 0) {
      end();
      return;
    }
    call.on("data", (request: StreamingOutputCallRequest) => {
      if (ended) return;
      const count = request.response_parameters?.length ?? 0;
      for (let i = 0; i < count; i++) call.write(bidiResponse(request, i));
      if (script.requests[read]?.pause === true) {
        // The stream's own backpressure: no 'data' and no 'end' until resumed on a later turn.
        call.pause();
        setImmediate(() => call.resume());
      }
      if (++read === script.stopAfter) end();
    });
    call.on("end", end);
  },
};

const adapterHandlers: TestServiceHandlers = {
  ListStrings: serverStreaming<ListStringsRequest, ListStringsResponse>(async function* (request, ctx) {
    const script = scriptOf("serverStreaming");
    for (const s of script.steps) {
      if (s.kind === "write") yield listValue(request, s.value);
      else if (s.kind === "header") ctx.sendMetadata(handlerMetadata("x-h", s.metadata, ctx.metadata));
      else await tick(s.macrotask);
    }
    endAdapter(ctx, script.terminal);
  }),
  UnaryCall: unary<SimpleRequest, SimpleResponse>((request, ctx) => {
    const script = scriptOf("unary");
    const answer = (): SimpleResponse => {
      endAdapter(ctx, script.terminal);
      return unaryResponse(request);
    };
    if (script.sync) {
      for (const s of script.steps) if (s.kind === "header") ctx.sendMetadata(handlerMetadata("x-h", s.metadata, ctx.metadata));
      return answer();
    }
    return (async () => {
      for (const s of script.steps) {
        if (s.kind === "header") ctx.sendMetadata(handlerMetadata("x-h", s.metadata, ctx.metadata));
        else if (s.kind === "pause") await tick(s.macrotask);
      }
      return answer();
    })();
  }),
  StreamingInputCall: clientStreaming<StreamingInputCallRequest, StreamingInputCallResponse>((requests, ctx) => {
    const script = scriptOf("clientStreaming");
    if (script.header !== undefined) ctx.sendMetadata(handlerMetadata("x-h", script.header, ctx.metadata));
    let total = 0;
    const answer = (): StreamingInputCallResponse => {
      endAdapter(ctx, script.terminal);
      return { aggregated_payload_size: total };
    };
    if (script.sync) {
      for (const s of script.steps) if (s.kind === "header") ctx.sendMetadata(handlerMetadata("x-h", s.metadata, ctx.metadata));
      return answer();
    }
    return (async () => {
      let read = 0;
      if (script.readUpTo !== 0) {
        for await (const request of requests) {
          total += bodyTotal(request);
          if (++read === script.readUpTo) break;
        }
      }
      for (const s of script.steps) {
        if (s.kind === "header") ctx.sendMetadata(handlerMetadata("x-h", s.metadata, ctx.metadata));
        else if (s.kind === "pause") await tick(s.macrotask);
      }
      return answer();
    })();
  }),
  FullDuplexCall: bidi<StreamingOutputCallRequest, StreamingOutputCallResponse>(async function* (requests, ctx) {
    const script = scriptOf("bidi");
    if (script.header !== undefined) ctx.sendMetadata(handlerMetadata("x-h", script.header, ctx.metadata));
    let read = 0;
    if (script.stopAfter !== 0) {
      for await (const request of requests) {
        const count = request.response_parameters?.length ?? 0;
        for (let i = 0; i < count; i++) yield bidiResponse(request, i);
        if (script.requests[read]?.pause === true) await tick(true);
        if (++read === script.stopAfter) break;
      }
    }
    endAdapter(ctx, script.terminal);
  }),
};

// ── Observing a call as an asyncClient caller ────────────────────────────────────────────────────

/** What grpc-js over TCP adds to the caller's headers and trailers-only metadata (a declared difference). */
const transportKeys = ["content-type", "date"] as const;

function stripped(md: grpc.Metadata): unknown {
  const copy = md.clone();
  for (const key of transportKeys) copy.remove(key);
  return copy.toJSON();
}

type Outcome =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "done" }
  | {
      readonly kind: "error";
      readonly isError: boolean;
      readonly name: unknown;
      readonly code: unknown;
      readonly details: unknown;
      readonly message: unknown;
      readonly metadata: unknown;
      readonly keys: readonly string[];
      /** The very error an onHeader/onTrailer callback threw, or the caller's requests threw, or the call's own. */
      readonly from: "callback" | "requests" | "call";
    }
  /** The watchdog stopped a call that neither ended nor failed in time. */
  | { readonly kind: "hung" };

interface Observation {
  readonly values: readonly unknown[];
  /** Concurrent reads: what each `next()` of each round gave (`value`, `done`, `error`). */
  readonly results: readonly (readonly string[])[] | undefined;
  readonly outcome: Outcome;
  /** Each onHeader call: the headers, how many values the caller had before it, whether the call had settled. */
  readonly headers: "none" | readonly { readonly metadata: unknown; readonly valuesBefore: number; readonly settledBefore: boolean }[];
  /** Each onTrailer call: the trailers, whether the call had settled (the caller must hear them first). */
  readonly trailers: "none" | readonly { readonly metadata: unknown; readonly settledBefore: boolean }[];
  /** Calls with requests: the caller's iterable had finished (its `finally` ran) when the call settled. */
  readonly requestsClosed: boolean | undefined;
}

function errorOutcome(error: unknown, recorder: Recorder): Outcome {
  const e = error as Partial<grpc.ServiceError> & { name?: unknown };
  return {
    from: error === recorder.callbackError ? "callback" : error === recorder.requestsError ? "requests" : "call",
    kind: "error",
    isError: error instanceof Error,
    name: e.name,
    code: e.code,
    details: e.details,
    message: e.message,
    metadata: e.metadata instanceof grpc.Metadata ? stripped(e.metadata) : e.metadata,
    keys: typeof error === "object" && error !== null ? Object.keys(error).sort() : [],
  };
}

/** When a call that has not settled counts as hung (its deadline, or its watchdog). */
const watchdogMs = 3_000;

/** Which of the caller's callbacks throws, when it is called. */
type CallbackThrow = "none" | "onHeader" | "onTrailer";

class Recorder {
  readonly values: unknown[] = [];
  settled = false;
  readonly #headers: { metadata: unknown; valuesBefore: number; settledBefore: boolean }[] = [];
  readonly #trailers: { metadata: unknown; settledBefore: boolean }[] = [];
  readonly controller = new AbortController();
  hung = false;
  #timer: NodeJS.Timeout | undefined;
  requestsClosed: boolean | undefined;
  readonly callbackError = new Error("thrown by a callback");
  readonly requestsError = new Error("thrown by the requests");

  /**
   * The asyncClient options for `limit`, with onHeader and onTrailer recording here (and one of them throwing if
   * asked).
   */
  options(
    limit: Limit,
    metadata: grpc.Metadata | undefined,
    throwIn: CallbackThrow = "none",
  ): Parameters<AsyncClient<TestServiceClient>["UnaryCall"]>[1] & object {
    return {
      ...(metadata === undefined ? {} : { metadata }),
      ...(limit === "deadline" ? { deadline: Date.now() + watchdogMs } : {}),
      ...(limit === "signal" ? { signal: this.controller.signal } : {}),
      onHeader: (headers) => {
        this.#headers.push({ metadata: stripped(headers), valuesBefore: this.values.length, settledBefore: this.settled });
        if (throwIn === "onHeader") throw this.callbackError;
      },
      onTrailer: (trailers: grpc.Metadata) => {
        this.#trailers.push({ metadata: stripped(trailers), settledBefore: this.settled });
        if (throwIn === "onTrailer") throw this.callbackError;
      },
    };
  }

  /** Arms the watchdog: abort the signal (limit "signal") or run `stop` (limit "none"). */
  arm(limit: Limit, stop: () => void): void {
    if (limit === "deadline") return;
    this.#timer = setTimeout(() => {
      this.hung = true;
      if (limit === "signal") this.controller.abort(new Error("watchdog"));
      else stop();
    }, watchdogMs);
  }

  /** The call settled with `outcome`: what the caller observed, with whether its requests were closed by then. */
  observe(outcome: Outcome, results?: readonly (readonly string[])[]): Observation {
    this.settled = true;
    clearTimeout(this.#timer);
    return {
      values: this.values,
      results,
      outcome: this.hung ? { kind: "hung" } : outcome,
      headers: this.#headers.length === 0 ? "none" : this.#headers,
      trailers: this.#trailers.length === 0 ? "none" : this.#trailers,
      requestsClosed: this.requestsClosed,
    };
  }
}

/**
 * The caller's requests, sync or async, noting on `recorder` when they are finished: read to their end, or
 * closed with `return()` (a generator never started would not run its `finally` on `return()`, so a hand-written
 * iterator tells both apart from "left open"). How far they were read is not observed: grpc-js sends ahead
 * (up to HTTP/2 flow control) whatever the handler reads; the direct path reads as the handler does.
 */
function requestsOf<T>(items: readonly T[], asynchronous: boolean, recorder: Recorder, throwAt?: number): Iterable<T> | AsyncIterable<T> {
  recorder.requestsClosed = false;
  let next = 0;
  const step = (): IteratorResult<T, undefined> => {
    if (next === throwAt && !recorder.requestsClosed) throw recorder.requestsError;
    if (recorder.requestsClosed || next >= items.length) {
      recorder.requestsClosed = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: items[next++] as T };
  };
  const close = (): IteratorResult<T, undefined> => {
    recorder.requestsClosed = true;
    return { done: true, value: undefined };
  };
  if (!asynchronous) return { [Symbol.iterator]: () => ({ next: step, return: close }) };
  return {
    [Symbol.asyncIterator]: () => ({
      // A turn later, as a source that awaits something would.
      next: () => Promise.resolve().then(step),
      return: async () => close(),
    }),
  };
}

/** Reads a response stream in `style` to its end. */
async function readStream(responses: BridgeIterator<unknown>, style: ReadStyle, limit: Limit, recorder: Recorder): Promise<Observation> {
  recorder.arm(limit, () => void responses.return());
  try {
    if (style.kind === "for-await") {
      for await (const value of responses) recorder.values.push(value);
    } else if (style.kind === "batches") {
      for (let batch = await responses.nextBatch(); batch.done !== true; batch = await responses.nextBatch()) recorder.values.push(...batch.value);
    } else {
      const rounds: string[][] = [];
      let outcome: Outcome = { kind: "done" };
      for (let over = false; !over; ) {
        const round = await Promise.allSettled(Array.from({ length: style.width }, () => responses.next()));
        const kinds: string[] = [];
        for (const result of round) {
          if (result.status === "rejected") {
            kinds.push("error");
            outcome = errorOutcome(result.reason, recorder);
            over = true;
          } else if (result.value.done === true) {
            kinds.push("done");
            over = true;
          } else {
            kinds.push("value");
            recorder.values.push(result.value.value);
          }
        }
        rounds.push(kinds);
      }
      return recorder.observe(outcome, rounds);
    }
    return recorder.observe({ kind: "done" });
  } catch (error) {
    return recorder.observe(errorOutcome(error, recorder));
  }
}

/** Settles a promise-shaped call. */
async function settlePromise(call: Promise<unknown>, recorder: Recorder): Promise<Observation> {
  try {
    const value = await call;
    return recorder.observe({ kind: "value", value });
  } catch (error) {
    return recorder.observe(errorOutcome(error, recorder));
  }
}

// ── The properties ───────────────────────────────────────────────────────────────────────────────

/** The in-process client with asyncClient on grpc-js's client code. */
const dropIn = inProcess("share", { direct: false });

/** The oracle first. */
function transportsUnderTest(): Transport[] {
  return [tcp, pipe, dropIn, inProcess("share"), inProcess("clone"), inProcess("serialize")];
}

/** How long a property may take with `runs` scripts: far more than it needs (a run takes tens of ms), far less than forever. */
const budgetMs = (runs: number): number => 30_000 + numRuns(runs) * 250;

/**
 * Checks `property` on `runs` scripts (`SLUICE_NUM_RUNS` overrides). Plain `fc.assert` inside `it`, so that test
 * names stay stable (`test.prop` puts the seed in the name); a failure reports the seed and the shrunk script.
 */
async function check<T>(scripts: fc.Arbitrary<T>, runs: number, property: (script: T) => Promise<void>): Promise<void> {
  await fc.assert(fc.asyncProperty(scripts, property), {
    numRuns: numRuns(runs),
    // A run takes milliseconds; a hang takes one watchdog (3 s) per transport that hangs.
    timeout: 15_000,
    // Shrinking a hang repeats it: stop (and fail with what was found) rather than run for many minutes.
    interruptAfterTimeLimit: budgetMs(runs),
    markInterruptAsFailure: true,
  });
}

function expectSame(names: readonly string[], observations: readonly Observation[]): void {
  const [oracle, ...rest] = observations;
  rest.forEach((other, i) => expect(other, `${names[i + 1] ?? "?"} vs ${names[0] ?? "?"}`).toEqual(oracle));
}

describe.each(["plain", "adapters"] as const)("asyncClient over every path matches grpc-js over TCP, %s handlers", (style) => {
  const transports = transportsUnderTest();
  let apis: AsyncClient<TestServiceClient>[] = [];

  beforeAll(async () => {
    const handlers = style === "plain" ? plainHandlers : adapterHandlers;
    apis = await Promise.all(transports.map(async (t) => asyncClient((await t.serve(handlers)).client)));
  });
  afterAll(async () => {
    for (const t of transports) await t.closeAll();
  });

  /** Runs the call on every path and compares; `uncompared` paths run too (a throw still fails the run) but are not compared. */
  async function each(call: (api: AsyncClient<TestServiceClient>) => Promise<Observation>, uncompared: readonly Transport[] = []): Promise<void> {
    const names: string[] = [];
    const observations: Observation[] = [];
    for (const [i, api] of apis.entries()) {
      const observation = await call(api);
      const transport = transports[i] as Transport;
      if (uncompared.includes(transport)) continue;
      names.push(transport.name);
      observations.push(observation);
    }
    expectSame(names, observations);
  }

  it("server streaming", () =>
    check(serverStreamingScripts(style), 40, async (script) => {
      current.serverStreaming = script;
      // The drop-in path's known bug (the `it.fails` example below): a response leaks past an onHeader that threw.
      await each(
        (api) => {
          const recorder = new Recorder();
          const responses = api.ListStrings(script.request, recorder.options(script.limit, callerMetadata(script.requestMetadata), script.throwIn));
          return readStream(responses, script.read, script.limit, recorder);
        },
        [],
      );
    }), budgetMs(40) + 30_000);

  it("unary", () =>
    check(unaryScripts(style), 40, async (script) => {
      current.unary = script;
      await each((api) => {
        const recorder = new Recorder();
        const call = api.UnaryCall(script.request, recorder.options(script.limit, callerMetadata(script.requestMetadata), script.throwIn));
        recorder.arm(script.limit, () => undefined);
        return settlePromise(call, recorder);
      });
    }), budgetMs(40) + 30_000);

  it("client streaming", () =>
    check(clientStreamingScripts(style), 35, async (script) => {
      current.clientStreaming = script;
      await each((api) => {
        const recorder = new Recorder();
        const requests = script.requests.map((body) => ({ payload: { type: "COMPRESSABLE" as const, body: Buffer.from(body) } }));
        const call = api.StreamingInputCall(
          requestsOf(requests, script.asyncRequests, recorder, script.requestsThrowAt),
          // Whether onTrailer runs when the requests failed is where the paths disagree (the example below).
          recorder.options(script.limit, callerMetadata(script.requestMetadata), script.throwIn),
        );
        recorder.arm(script.limit, () => undefined);
        return settlePromise(call, recorder);
      });
    }), budgetMs(35) + 30_000);

  it("bidi", () =>
    check(bidiScripts(style), 35, async (script) => {
      current.bidi = script;
      await each((api) => {
        const recorder = new Recorder();
        const requests = script.requests.map(bidiRequest);
        const responses = api.FullDuplexCall(
          requestsOf(requests, script.asyncRequests, recorder),
          recorder.options(script.limit, callerMetadata(script.requestMetadata), script.throwIn),
        );
        return readStream(responses, script.read, script.limit, recorder);
      });
    }), budgetMs(35) + 30_000);
});

describe("what the differential strips", () => {
  it("grpc-js over TCP adds exactly content-type and date to what an asyncClient caller sees", async () => {
    // If this fails, grpc-js changed what it adds: update `transportKeys` to exactly what it adds now.
    const handlers: TestServiceHandlers = {
      ListStrings(call) {
        if (call.request.count === 1) call.write({ value: "x" });
        call.end(new grpc.Metadata());
      },
    };
    const { client } = await tcp.serve(handlers);
    try {
      const api = asyncClient(client);
      const seen: string[][] = [];
      const keys = (md: grpc.Metadata): void => void seen.push(Object.keys(md.toJSON()).sort());
      for (const count of [0, 1]) {
        const responses = api.ListStrings({ count, size: 1 }, { deadline: Date.now() + 2_000, onHeader: keys, onTrailer: keys });
        for await (const _ of responses);
      }
      // A trailers-only response (no headers), then headers and trailers.
      expect(seen).toEqual([[...transportKeys].sort(), [...transportKeys].sort(), []]);
    } finally {
      await tcp.closeAll();
    }
  });
});

// Each found by the properties above, shrunk, and kept as a named example over every path.
describe("regressions found by this differential", () => {
  const transports = transportsUnderTest();
  const noMetadata: RequestMetadataSpec = { send: false, text: undefined, bin: undefined };
  const trailer: MetadataSpec = { value: "t", binary: false, echo: false };
  const failWith: Terminal = { kind: "error", code: grpc.status.NOT_FOUND, details: "gone", trailer, viaError: false };
  const listStrings = (script: Partial<ServerStreamingScript>): ServerStreamingScript => ({
    request: { count: 0, size: 1 },
    requestMetadata: noMetadata,
    steps: [],
    terminal: failWith,
    limit: "deadline",
    read: { kind: "for-await" },
    throwIn: "none",
    ...script,
  });
  const fullDuplex = (script: Partial<BidiScript>): BidiScript => ({
    requests: [],
    asyncRequests: false,
    requestMetadata: noMetadata,
    header: undefined,
    stopAfter: undefined,
    terminal: failWith,
    limit: "deadline",
    read: { kind: "for-await" },
    throwIn: "none",
    ...script,
  });
  const streamingInput = (script: Partial<ClientStreamingScript>): ClientStreamingScript => ({
    requests: [],
    asyncRequests: false,
    requestsThrowAt: undefined,
    requestMetadata: noMetadata,
    header: undefined,
    readUpTo: undefined,
    steps: [],
    terminal: { kind: "end", trailer },
    sync: false,
    limit: "deadline",
    throwIn: "none",
    ...script,
  });

  afterAll(async () => {
    for (const t of transports) await t.closeAll();
  });

  async function everyPath(handlers: TestServiceHandlers, call: (api: AsyncClient<TestServiceClient>) => Promise<Observation>): Promise<[string, Observation][]> {
    const seen: [string, Observation][] = [];
    for (const t of transports) seen.push([t.name, await call(asyncClient((await t.serve(handlers)).client))]);
    return seen;
  }

  // grpc-js emits 'error', then 'status': the bridge failed on the first and dropped the second's listener.
  it.each(["plain", "adapters"] as const)("a server stream that fails calls onTrailer before the error on every path (%s handler)", async (style) => {
    current.serverStreaming = listStrings({});
    const seen = await everyPath(style === "plain" ? plainHandlers : adapterHandlers, (api) => {
      const recorder = new Recorder();
      return readStream(api.ListStrings({ count: 0, size: 1 }, recorder.options("deadline", undefined)), { kind: "for-await" }, "deadline", recorder);
    });
    for (const [name, observation] of seen) {
      expect(observation.outcome, name).toMatchObject({ kind: "error", code: grpc.status.NOT_FOUND, metadata: { "x-t": ["t"] } });
      expect(observation.trailers, name).toEqual([{ metadata: { "x-t": ["t"] }, settledBefore: false }]);
    }
  });

  // The direct path opened a sync iterable only to read it: one the handler never read was never closed.
  it.each(["plain", "adapters"] as const)("sync requests the handler never reads are closed before the call settles on every path (%s handler)", async (style) => {
    current.clientStreaming = streamingInput({ requests: [[1]], readUpTo: 0, sync: true });
    const seen = await everyPath(style === "plain" ? plainHandlers : adapterHandlers, (api) => {
      const recorder = new Recorder();
      const requests = requestsOf([{ payload: { type: "COMPRESSABLE" as const, body: Buffer.from([1]) } }], false, recorder);
      return settlePromise(api.StreamingInputCall(requests, recorder.options("deadline", undefined)), recorder);
    });
    for (const [name, observation] of seen) {
      expect(observation.outcome, name).toEqual({ kind: "value", value: { aggregated_payload_size: 0 } });
      expect(observation.requestsClosed, name).toBe(true);
    }
  });

  // The direct path, pulling a handler written with the adapters: the call's error went to the second of two
  // pending `next()` calls. Without a deadline (no reader object for the first `next()`) the end was given to the
  // reader waiting; with one (bidi), it was given out once the requests were released, to the reader then first
  // in line, while the first waited behind the release.
  const shapes = [
    ["server streaming", "none"],
    ["server streaming", "deadline"],
    ["bidi", "none"],
    ["bidi", "deadline"],
  ] as const;
  it.each(shapes)("two concurrent next() on a %s call whose handler fails: the first gets the error (adapters, limit %s)", async (shape, limit) => {
    const read = { kind: "concurrent", width: 2 } as const;
    current.serverStreaming = listStrings({ limit, read });
    current.bidi = fullDuplex({ limit, read });
    const seen = await everyPath(adapterHandlers, (api) => {
      const recorder = new Recorder();
      const options = recorder.options(limit, undefined);
      const responses = shape === "bidi" ? api.FullDuplexCall(requestsOf([], false, recorder), options) : api.ListStrings({ count: 0, size: 1 }, options);
      return readStream(responses, read, limit, recorder);
    });
    for (const [name, observation] of seen) {
      expect(observation.results, name).toEqual([["error", "done"]]);
      expect(observation.outcome, name).toMatchObject({ kind: "error", code: grpc.status.NOT_FOUND, details: "gone", metadata: { "x-t": ["t"] } });
    }
  });

  // The direct path, pulling a handler written with the adapters, no deadline: onHeader threw inside the first
  // `next()` (the handler's `ctx.sendMetadata`), and the second `next()`, made while the first still ran, took the
  // error meant for the first.
  it.each(["server streaming", "bidi"] as const)("onHeader throws inside the first of two concurrent next() on a %s call: the first gets its error (adapters)", async (shape) => {
    const read = { kind: "concurrent", width: 2 } as const;
    const header: MetadataSpec = { value: "h", binary: false, echo: false };
    const end: Terminal = { kind: "end", trailer };
    current.serverStreaming = listStrings({ steps: [{ kind: "header", metadata: header }], terminal: end, limit: "none", read, throwIn: "onHeader" });
    current.bidi = fullDuplex({ header, terminal: end, limit: "none", read, throwIn: "onHeader" });
    const seen = await everyPath(adapterHandlers, (api) => {
      const recorder = new Recorder();
      const options = recorder.options("none", undefined, "onHeader");
      const responses = shape === "bidi" ? api.FullDuplexCall(requestsOf([], false, recorder), options) : api.ListStrings({ count: 0, size: 1 }, options);
      return readStream(responses, read, "none", recorder);
    });
    for (const [name, observation] of seen) {
      expect(observation.results, name).toEqual([["error", "done"]]);
      expect(observation.outcome, name).toMatchObject({ kind: "error", from: "callback" });
    }
  });

  // Found by this test: on the drop-in path the handler wrote a response and threw in one go, so the in-process call
  // decided UNKNOWN before the caller saw the headers; onHeader threw and cancelled the call, yet the response already
  // queued reached the caller. Now asyncClient drops what arrives after a callback of the caller's threw, as a cancel does.
  it("regression: onHeader throws after the handler wrote and threw in one go: no response reaches the caller on any path (plain handler)", async () => {
    await noResponseAfterOnHeaderThrew({ kind: "throw", trailer });
  });

  it("onHeader throws after the handler wrote and emitted an error in one go: no response reaches the caller on any path (plain handler)", async () => {
    await noResponseAfterOnHeaderThrew(failWith);
  });

  async function noResponseAfterOnHeaderThrew(terminal: Terminal): Promise<void> {
    current.serverStreaming = listStrings({ steps: [{ kind: "write", value: "a" }], terminal, throwIn: "onHeader" });
    const seen = await everyPath(plainHandlers, (api) => {
      const recorder = new Recorder();
      return readStream(api.ListStrings({ count: 0, size: 1 }, recorder.options("deadline", undefined, "onHeader")), { kind: "for-await" }, "deadline", recorder);
    });
    for (const [name, observation] of seen) {
      expect(observation.outcome, name).toMatchObject({ kind: "error", from: "callback" });
      expect(observation.values, name).toEqual([]);
    }
  }

  // Found by this test: when the caller's requests threw, grpc-js's client code (TCP, the pipe, the drop-in path)
  // cancelled the call and onTrailer ran with that local CANCELLED status's empty trailers, while the direct path
  // (rightly: the caller stopped the call itself) did not. Now no path does.
  it.each(["plain", "adapters"] as const)("regression: when the caller's requests throw, onTrailer runs on no path (%s handler)", async (style) => {
    current.clientStreaming = streamingInput({ requestsThrowAt: 0 });
    const seen = await everyPath(style === "plain" ? plainHandlers : adapterHandlers, (api) => {
      const recorder = new Recorder();
      return settlePromise(api.StreamingInputCall(requestsOf([], false, recorder, 0), recorder.options("deadline", undefined)), recorder);
    });
    for (const [name, observation] of seen) expect(observation.outcome, name).toMatchObject({ kind: "error", from: "requests" });
    expectSame(
      seen.map(([name]) => name),
      seen.map(([, observation]) => observation),
    );
  });
});
