// One behaviour suite for every transport (the conformance rule of docs/semantics.md). grpc-js over TCP is the oracle; where a
// transport may differ, the expectation reads `transport.differences`, a named, documented field.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { openBridges } from "../../src/core/index.js";
import { deferred, nextMessage, settleStream, settleUnary } from "./call-helpers.js";
import { echoInitialKey, echoTrailingKey, interopHandlers, payload } from "./fixtures/interop-handlers.js";
import type { SimpleRequest, StreamingInputCallRequest, StreamingOutputCallRequest, TestServiceHandlers } from "./fixtures/test-service.js";
import type { Transport } from "./transports.js";

const { status: Status } = grpc;

/** Small but generous: deadline cases must not flake on two noisy cores. */
const shortDeadlineMs = 150;
const deadlineIn = (ms: number): number => Date.now() + ms;

/** The service the interop cases run against: grpc-js-style handlers, or the same written with the adapters. */
interface ServiceVariant {
  readonly name: string;
  readonly handlers: TestServiceHandlers;
}

function defineConformanceSuite(transport: Transport, variant: ServiceVariant = { name: "", handlers: interopHandlers }): void {
  const d = transport.differences;
  const serve = (handlers: TestServiceHandlers, options?: Parameters<Transport["serve"]>[1]) =>
    transport.serve({ ...variant.handlers, ...handlers }, options);

  describe(variant.name === "" ? transport.name : `${transport.name}, ${variant.name}`, () => {
    afterEach(async () => {
      await transport.closeAll();
    });

    describe("interop cases", () => {
      it("empty_unary", async () => {
        const { client } = await serve({});
        const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(outcome.error).toBeNull();
        expect(outcome.value).toEqual({});
      });

      it("large_unary", async () => {
        const { client } = await serve({});
        const request: SimpleRequest = { response_type: "COMPRESSABLE", response_size: 314159, payload: payload(271828) };
        const outcome = await settleUnary<{ payload?: { type?: string; body?: Buffer } | null }, grpc.ClientUnaryCall>((cb) => client.UnaryCall(request, cb));
        expect(outcome.error).toBeNull();
        expect(outcome.value?.payload?.type).toBe("COMPRESSABLE");
        expect(outcome.value?.payload?.body?.length).toBe(314159);
      });

      it("client_streaming", async () => {
        const { client } = await serve({});
        const outcome = await settleUnary(
          (cb) => client.StreamingInputCall(cb),
          (call) => {
            for (const size of [27182, 8, 1828, 45904]) call.write({ payload: payload(size) });
            call.end();
          },
        );
        expect(outcome.error).toBeNull();
        expect(outcome.value).toEqual({ aggregated_payload_size: 74922 });
      });

      it("server_streaming", async () => {
        const { client } = await serve({});
        const sizes = [31415, 9, 2653, 58979];
        const outcome = await settleStream(client.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) }));
        expect(outcome.status?.code).toBe(Status.OK);
        expect(outcome.messages.map((m) => m.payload?.body?.length)).toEqual(sizes);
      });

      it("ping_pong", async () => {
        const { client } = await serve({});
        const call = client.FullDuplexCall();
        const settled = settleStream(call);
        const seen: number[] = [];
        for (const size of [31415, 9, 2653, 58979]) {
          const next = nextMessage(call);
          call.write({ response_parameters: [{ size }], payload: payload(size) });
          seen.push((await next).payload?.body?.length ?? -1);
        }
        call.end();
        const outcome = await settled;
        expect(seen).toEqual([31415, 9, 2653, 58979]);
        expect(outcome.status?.code).toBe(Status.OK);
      });

      it("half_duplex (responses only after the client half-closes)", async () => {
        const { client } = await serve({});
        const call = client.HalfDuplexCall();
        const settled = settleStream(call);
        for (const size of [3, 1, 4]) call.write({ response_parameters: [{ size }] });
        call.end();
        const outcome = await settled;
        expect(outcome.messages.map((m) => m.payload?.body?.length)).toEqual([3, 1, 4]);
        expect(outcome.status?.code).toBe(Status.OK);
      });

      it("deadline on a server stream that stalls: DEADLINE_EXCEEDED after the data already sent", async () => {
        const { client } = await serve({
          ListStrings(call) {
            call.write({ value: "only" });
          },
        });
        const outcome = await settleStream(client.ListStrings({}, { deadline: deadlineIn(shortDeadlineMs) }));
        expect(outcome.messages).toEqual([{ value: "only" }]);
        expect(outcome.error?.code).toBe(Status.DEADLINE_EXCEEDED);
        expect(outcome.events.slice(0, 4)).toEqual(["metadata", "data", "error", "status"]);
      });

      it("empty_stream", async () => {
        const { client } = await serve({});
        const call = client.FullDuplexCall();
        const settled = settleStream(call);
        call.end();
        const outcome = await settled;
        expect(outcome.messages).toEqual([]);
        expect(outcome.status?.code).toBe(Status.OK);
        expect(outcome.events).toEqual(["metadata", "status", "end"]);
      });

      it("custom_metadata (unary and full duplex, with a -bin trailer)", async () => {
        const { client } = await serve({});
        const md = new grpc.Metadata();
        md.set(echoInitialKey, "test_initial_metadata_value");
        md.set(echoTrailingKey, Buffer.from([0xab, 0xab, 0xab]));
        const unary = await settleUnary((cb) => client.UnaryCall({ response_size: 314159, payload: payload(271828) }, md, cb));
        expect(unary.error).toBeNull();
        expect(unary.metadata?.get(echoInitialKey)).toEqual(["test_initial_metadata_value"]);
        expect(unary.status.metadata.get(echoTrailingKey)).toEqual([Buffer.from([0xab, 0xab, 0xab])]);

        const call = client.FullDuplexCall(md);
        const settled = settleStream(call);
        call.write({ response_parameters: [{ size: 314159 }], payload: payload(271828) });
        call.end();
        const stream = await settled;
        expect(stream.metadata?.get(echoInitialKey)).toEqual(["test_initial_metadata_value"]);
        expect(stream.status?.metadata.get(echoTrailingKey)).toEqual([Buffer.from([0xab, 0xab, 0xab])]);
        expect(Buffer.isBuffer(stream.status?.metadata.get(echoTrailingKey)[0])).toBe(true);
      });

      it("status_code_and_message", async () => {
        const { client } = await serve({});
        const unary = await settleUnary((cb) => client.UnaryCall({ response_status: { code: 2, message: "test status message" } }, cb));
        expect(unary.error?.code).toBe(Status.UNKNOWN);
        expect(unary.error?.details).toBe("test status message");
        expect(unary.error?.message).toBe("2 UNKNOWN: test status message");
        expect(unary.error).toBeInstanceOf(Error);
        expect(unary.error?.metadata).toBeInstanceOf(grpc.Metadata);

        const call = client.FullDuplexCall();
        const settled = settleStream(call);
        call.write({ response_status: { code: 2, message: "test status message" } });
        call.end();
        const stream = await settled;
        expect(stream.error?.code).toBe(Status.UNKNOWN);
        expect(stream.error?.details).toBe("test status message");
      });

      it("special_status_message", async () => {
        const { client } = await serve({});
        const message = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \ud83d\ude08\t\n";
        const outcome = await settleUnary((cb) => client.UnaryCall({ response_status: { code: 2, message } }, cb));
        expect(outcome.error?.code).toBe(Status.UNKNOWN);
        expect(outcome.error?.details).toBe(message);
      });

      it("unimplemented_method", async () => {
        const { client } = await serve({});
        const outcome = await settleUnary((cb) => client.UnimplementedCall({}, cb));
        expect(outcome.error?.code).toBe(Status.UNIMPLEMENTED);
        // A method of a registered service without a handler: grpc-js names the method, not the path.
        expect(outcome.error?.details).toBe("The server does not implement the method UnimplementedCall");
        expect(outcome.error?.message).toBe("12 UNIMPLEMENTED: The server does not implement the method UnimplementedCall");
      });

      it("unimplemented streaming methods (server, client, bidi)", async () => {
        const { client } = await serve({ ListStrings: undefined, StreamingInputCall: undefined, FullDuplexCall: undefined });
        const server = await settleStream(client.ListStrings({}));
        const clientStream = await settleUnary((cb) => client.StreamingInputCall(cb));
        const duplex = client.FullDuplexCall();
        const settled = settleStream(duplex);
        duplex.end();
        const bidi = await settled;
        expect(server.error?.details).toBe("The server does not implement the method ListStrings");
        expect(clientStream.error?.details).toBe("The server does not implement the method StreamingInputCall");
        expect(bidi.error?.details).toBe("The server does not implement the method FullDuplexCall");
        expect([server, clientStream, bidi].map((o) => o.error?.code)).toEqual([Status.UNIMPLEMENTED, Status.UNIMPLEMENTED, Status.UNIMPLEMENTED]);
        // Trailers-only: no metadata event; the stream still ends after the error.
        expect(server.events).toEqual(["error", "status", "end"]);
      });

      it("unimplemented_service", async () => {
        const served = await serve({});
        const outcome = await settleUnary((cb) => served.makeUnimplementedServiceClient().UnimplementedCall({}, cb));
        expect(outcome.error?.code).toBe(Status.UNIMPLEMENTED);
        expect(outcome.error?.details).toBe(d.unimplementedServiceDetails);
      });

      it("cancel_after_begin", async () => {
        const { client } = await serve({});
        const outcome = await settleUnary(
          (cb) => client.StreamingInputCall(cb),
          (call) => call.cancel(),
        );
        expect(outcome.error?.code).toBe(Status.CANCELLED);
        expect(outcome.error?.details).toBe("Cancelled on client");
        expect(outcome.events).toEqual(["callback", "status"]);
      });

      it("cancel_after_first_response", async () => {
        const { client } = await serve({});
        const call = client.FullDuplexCall();
        const settled = settleStream(call);
        const first = nextMessage(call);
        call.write({ response_parameters: [{ size: 31415 }], payload: payload(27182) });
        await first;
        call.cancel();
        const outcome = await settled;
        expect(outcome.error?.code).toBe(Status.CANCELLED);
        expect(outcome.error?.details).toBe("Cancelled on client");
        expect(outcome.messages).toHaveLength(1);
      });

      it("timeout_on_sleeping_server", async () => {
        const cancelled = deferred();
        let reachedServer = false;
        const { client } = await serve({
          FullDuplexCall(call) {
            reachedServer = true;
            call.on("cancelled", () => cancelled.resolve());
          },
        });
        const call = client.FullDuplexCall({ deadline: deadlineIn(shortDeadlineMs) });
        const settled = settleStream(call);
        call.write({ payload: payload(27182) });
        const outcome = await settled;
        expect(outcome.error?.code).toBe(Status.DEADLINE_EXCEEDED);
        // grpc-js has three legitimate details here: its client timer with timings ("Deadline exceeded after
        // 0.150s,…"), the same timer firing before the call started, and the server's own timer from the
        // grpc-timeout header (both plain "Deadline exceeded"). On a loaded machine the plain ones can win.
        expect(outcome.error?.details).toMatch(/^Deadline exceeded( after \d+\.\d{3}s|$)/);
        if (reachedServer) await cancelled.promise; // the server saw the call: it must see it end
      });
    });

    describe("event order", () => {
      it("unary: metadata, callback, then status", async () => {
        const { client } = await serve({});
        expect((await settleUnary((cb) => client.EmptyCall({}, cb))).events).toEqual(["metadata", "callback", "status"]);
        const failed = await settleUnary((cb) => client.UnaryCall({ response_status: { code: 5, message: "nope" } }, cb));
        // The handler set headers before failing, so they arrive; the callback still precedes status.
        expect(failed.events).toEqual(["metadata", "callback", "status"]);
      });

      it("unary error before any header: trailers-only, no metadata event", async () => {
        const { client } = await serve({ EmptyCall: (_call, cb) => cb({ code: Status.NOT_FOUND, details: "gone" }) });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(outcome.events).toEqual(["callback", "status"]);
        expect(outcome.error?.message).toBe("5 NOT_FOUND: gone");
      });

      it("server streaming: metadata, data*, status, end", async () => {
        const { client } = await serve({});
        const outcome = await settleStream(client.ListStrings({ count: 3, size: 4 }));
        expect(outcome.events).toEqual(["metadata", "data", "data", "data", "status", "end"]);
      });

      it("server streaming error: data first, then error and status", async () => {
        const { client } = await serve({
          StreamingOutputCall(call) {
            call.write({ payload: payload(1) });
            call.emit("error", { code: Status.ABORTED, details: "stop" });
          },
        });
        const outcome = await settleStream(client.StreamingOutputCall({}));
        expect(outcome.error?.code).toBe(Status.ABORTED);
        expect(outcome.events.filter((e) => e !== "end")).toEqual(["metadata", "data", "error", "status"]);
      });

      it("client streaming: callback then status", async () => {
        const { client } = await serve({});
        const outcome = await settleUnary(
          (cb) => client.StreamingInputCall(cb),
          (call) => call.end(),
        );
        expect(outcome.events).toEqual(["metadata", "callback", "status"]);
      });

      it("bidi: metadata, data*, status, end", async () => {
        const { client } = await serve({});
        const call = client.FullDuplexCall();
        const settled = settleStream(call);
        call.write({ response_parameters: [{ size: 1 }, { size: 2 }] });
        call.end();
        expect((await settled).events).toEqual(["metadata", "data", "data", "status", "end"]);
      });
    });

    describe("call overloads", () => {
      it("unary accepts (req, cb), (req, md, cb), (req, opts, cb), (req, md, opts, cb)", async () => {
        const seen: string[][] = [];
        const { client } = await serve({
          EmptyCall(call, cb) {
            seen.push(call.metadata.get("x-n").map(String));
            cb(null, {});
          },
        });
        const md = (n: string): grpc.Metadata => {
          const m = new grpc.Metadata();
          m.set("x-n", n);
          return m;
        };
        const opts = { deadline: deadlineIn(5000) };
        const results = await Promise.all([
          settleUnary((cb) => client.EmptyCall({}, cb)),
          settleUnary((cb) => client.EmptyCall({}, md("2"), cb)),
          settleUnary((cb) => client.EmptyCall({}, opts, cb)),
          settleUnary((cb) => client.EmptyCall({}, md("4"), opts, cb)),
        ]);
        expect(results.map((r) => r.error)).toEqual([null, null, null, null]);
        expect(seen.flat().sort()).toEqual(["2", "4"]);
      });

      it("client streaming accepts (cb), (md, cb), (opts, cb), (md, opts, cb)", async () => {
        const seen: string[] = [];
        const { client } = await serve({
          StreamingInputCall(call, cb) {
            seen.push(String(call.metadata.get("x-n")[0] ?? "-"));
            call.on("data", () => {});
            call.on("end", () => cb(null, { aggregated_payload_size: 0 }));
          },
        });
        const md = new grpc.Metadata();
        md.set("x-n", "md");
        const opts = { deadline: deadlineIn(5000) };
        type Request = StreamingInputCallRequest;
        const starts: ((cb: grpc.requestCallback<unknown>) => grpc.ClientWritableStream<Request>)[] = [
          (cb) => client.StreamingInputCall(cb),
          (cb) => client.StreamingInputCall(md, cb),
          (cb) => client.StreamingInputCall(opts, cb),
          (cb) => client.StreamingInputCall(md, opts, cb),
        ];
        const results = await Promise.all(starts.map((start) => settleUnary(start, (call) => call.end())));
        expect(results.map((r) => r.error)).toEqual([null, null, null, null]);
        expect(seen.sort()).toEqual(["-", "-", "md", "md"]);
      });

      it("streams accept (md?, opts?) and return grpc-js's call objects", async () => {
        const { client } = await serve({});
        const readable = client.ListStrings({ count: 1 }, new grpc.Metadata(), { deadline: deadlineIn(5000) });
        const duplex = client.FullDuplexCall({ deadline: deadlineIn(5000) });
        const writable = client.StreamingInputCall(new grpc.Metadata(), () => {});
        expect(readable.constructor.name).toBe("ClientReadableStreamImpl");
        expect(duplex.constructor.name).toBe("ClientDuplexStreamImpl");
        expect(writable.constructor.name).toBe("ClientWritableStreamImpl");
        const closed = Promise.all([settleStream(readable), settleStream(duplex)]);
        duplex.end();
        writable.end();
        const [r, dx] = await closed;
        expect(r.status?.code).toBe(Status.OK);
        expect(dx.status?.code).toBe(Status.OK);
      });
    });

    describe("status and errors", () => {
      it("a call on a closed client throws 'Channel has been shut down'", async () => {
        const { client } = await serve({});
        client.close();
        expect(() => client.EmptyCall({}, () => {})).toThrow("Channel has been shut down");
        expect(() => client.ListStrings({})).toThrow("Channel has been shut down");
      });

      it("a handler that throws synchronously gives UNKNOWN 'Unknown error'", async () => {
        const { client } = await serve({
          EmptyCall() {
            throw new Error("boom");
          },
        });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(outcome.error?.code).toBe(Status.UNKNOWN);
        expect(outcome.error?.details).toBe("Unknown error");
      });

      it("a stream handler that throws right after one write: the message, then UNKNOWN", async () => {
        const { client } = await serve({
          ListStrings(call) {
            call.write({ value: "a" });
            throw new Error("boom");
          },
        });
        const outcome = await settleStream(client.ListStrings({}, { deadline: deadlineIn(2000) }));
        expect(outcome.messages).toEqual([{ value: "a" }]);
        expect(outcome.error?.code).toBe(Status.UNKNOWN);
        expect(outcome.events.slice(0, 4)).toEqual(["metadata", "data", "error", "status"]);
      });

      it(`a stream handler that throws after two writes: ${d.statusAfterThrowMidStream ? "UNKNOWN (declared difference)" : "grpc-js never sends a status, the call hits its deadline"}`, async () => {
        const { client } = await serve({
          ListStrings(call) {
            call.write({ value: "a" });
            call.write({ value: "b" });
            throw new Error("boom");
          },
        });
        const outcome = await settleStream(client.ListStrings({}, { deadline: deadlineIn(shortDeadlineMs * 2) }));
        expect(outcome.error?.code).toBe(d.statusAfterThrowMidStream ? Status.UNKNOWN : Status.DEADLINE_EXCEEDED);
      });

      it("unary and client-streaming handlers may also emit('error', status), as grpc-js's call objects listen for it", async () => {
        const { client } = await serve({
          EmptyCall(call) {
            call.emit("error", { code: Status.NOT_FOUND, details: "emitted", metadata: new grpc.Metadata() });
          },
          StreamingInputCall(call) {
            call.emit("error", { code: Status.ABORTED, details: "emitted too" });
          },
        });
        const unary = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(unary.error?.code).toBe(Status.NOT_FOUND);
        expect(unary.error?.details).toBe("emitted");
        const clientStreaming = await settleUnary((cb) => client.StreamingInputCall(cb), (call) => call.end());
        expect(clientStreaming.error?.code).toBe(Status.ABORTED);
        expect(clientStreaming.error?.details).toBe("emitted too");
      });

      it("a non-integer code becomes UNKNOWN with the error's message", async () => {
        const { client } = await serve({ EmptyCall: (_call, cb) => cb(Object.assign(new Error("bad code"), { code: "E_X" }) as unknown as grpc.ServiceError) });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(outcome.error?.code).toBe(Status.UNKNOWN);
        expect(outcome.error?.details).toBe("bad code");
      });

      it("unary with zero responses: callback(null, null) gives an empty message", async () => {
        const { client } = await serve({ EmptyCall: (_call, cb) => cb(null, null) });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(outcome.error).toBeNull();
        expect(outcome.value).toEqual({});
      });

      it("unary with two responses: the second is never read, the call runs into its deadline", async () => {
        const { client } = await serve({
          EmptyCall(_call, cb) {
            cb(null, {});
            cb(null, {});
          },
        });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, { deadline: deadlineIn(shortDeadlineMs) }, cb));
        expect(outcome.error?.code).toBe(Status.DEADLINE_EXCEEDED);
      });

      it(`an async handler that rejects: ${d.catchesAsyncRejection ? "UNKNOWN (declared difference)" : "ignored, the call hits its deadline"}`, async () => {
        const { client } = await serve({
          // grpc-js types handlers as returning void; returning a promise is exactly the case under test.
          // eslint-disable-next-line @typescript-eslint/no-misused-promises
          EmptyCall() {
            const rejected = (async () => {
              await Promise.resolve();
              throw new Error("async boom");
            })();
            // Marks the rejection handled for the test runner only; grpc-js still sees a rejected promise.
            rejected.catch(() => {});
            return rejected;
          },
        });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, { deadline: deadlineIn(shortDeadlineMs * 2) }, cb));
        expect(outcome.error?.code).toBe(d.catchesAsyncRejection ? Status.UNKNOWN : Status.DEADLINE_EXCEEDED);
      });
    });

    describe("metadata and trailers", () => {
      it("the handler sees a copy of the request metadata, -bin values as Buffers", async () => {
        const seen = deferred<grpc.Metadata>();
        const { client } = await serve({
          EmptyCall(call, cb) {
            seen.resolve(call.metadata);
            call.metadata.set("x-mutated", "yes");
            cb(null, {});
          },
        });
        const md = new grpc.Metadata();
        md.add("x-multi", "a");
        md.add("x-multi", "b");
        md.set("x-data-bin", Buffer.from([0, 1, 2, 255]));
        md.add("x-data-bin", Buffer.from([7]));
        await settleUnary((cb) => client.EmptyCall({}, md, cb));
        const received = await seen.promise;
        expect(received).not.toBe(md);
        // HTTP/2 joins repeated plain headers; grpc-js does not split them again (-bin values stay apart).
        expect(received.get("x-multi")).toEqual(["a, b"]);
        expect(received.get("x-data-bin")).toEqual([Buffer.from([0, 1, 2, 255]), Buffer.from([7])]);
        expect(md.get("x-mutated")).toEqual([]);
        expect(received.get("user-agent").length > 0).toBe(d.transportHeaders);
      });

      it("transport-level request keys do not reach the handler", async () => {
        const seen = deferred<grpc.Metadata>();
        const { client } = await serve({
          EmptyCall(call, cb) {
            seen.resolve(call.metadata);
            cb(null, {});
          },
        });
        const md = new grpc.Metadata();
        md.set("accept-encoding", "gzip");
        md.set("grpc-accept-encoding", "identity");
        md.set("x-kept", "yes");
        const outcome = await settleUnary((cb) => client.EmptyCall({}, md, cb));
        expect(outcome.error).toBeNull();
        const received = await seen.promise;
        expect(received.get("x-kept")).toEqual(["yes"]);
        expect(received.get("accept-encoding")).toEqual([]);
        expect(received.get("grpc-accept-encoding")).toEqual([]);
      });

      it("sendMetadata counts once; trailers via callback, end(md) and err.metadata", async () => {
        const trailer = (k: string): grpc.Metadata => {
          const md = new grpc.Metadata();
          md.set("x-trailer", k);
          return md;
        };
        const header = (v: string): grpc.Metadata => {
          const md = new grpc.Metadata();
          md.set("x-header", v);
          return md;
        };
        const { client } = await serve({
          EmptyCall(call, cb) {
            call.sendMetadata(header("first"));
            call.sendMetadata(header("second"));
            cb(null, {}, trailer("callback"));
          },
          StreamingOutputCall(call) {
            call.write({});
            call.end(trailer("end"));
          },
          UnaryCall(_call, cb) {
            cb({ code: Status.FAILED_PRECONDITION, details: "x", metadata: trailer("error") });
          },
          FullDuplexCall(call) {
            call.emit("error", { code: Status.ABORTED, details: "y", metadata: trailer("emit") });
          },
        });
        const unary = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(unary.metadata?.get("x-header")).toEqual(["first"]);
        expect(unary.status.metadata.get("x-trailer")).toEqual(["callback"]);
        const stream = await settleStream(client.StreamingOutputCall({}));
        expect(stream.status?.metadata.get("x-trailer")).toEqual(["end"]);
        const failed = await settleUnary((cb) => client.UnaryCall({}, cb));
        expect(failed.error?.metadata.get("x-trailer")).toEqual(["error"]);
        const duplex = client.FullDuplexCall();
        const emitted = settleStream(duplex);
        duplex.end();
        const bidi = await emitted;
        expect(bidi.error?.code).toBe(Status.ABORTED);
        expect(bidi.error?.metadata.get("x-trailer")).toEqual(["emit"]);
      });

      it("getPeer, getPath and getDeadline on the server; getPeer on the client", async () => {
        const seen = deferred<{ peer: string; path: string; deadline: grpc.Deadline; host: string }>();
        const { client } = await serve({
          EmptyCall(call, cb) {
            seen.resolve({ peer: call.getPeer(), path: call.getPath(), deadline: call.getDeadline(), host: call.getHost() });
            cb(null, {});
          },
        });
        const deadline = deadlineIn(5000);
        const call = client.EmptyCall({}, { deadline }, () => {});
        const ended = new Promise((resolve) => call.on("status", resolve));
        const server = await seen.promise;
        expect(server.path).toBe("/grpc.testing.TestService/EmptyCall");
        expect(server.peer).toMatch(d.serverPeer);
        expect(typeof server.host).toBe("string");
        expect(Math.abs(Number(server.deadline) - deadline)).toBeLessThan(1000);
        await ended;
        expect(call.getPeer()).toMatch(d.clientPeer);
      });

      it("getDeadline() is Infinity without a deadline", async () => {
        const seen = deferred<grpc.Deadline>();
        const { client } = await serve({
          EmptyCall(call, cb) {
            seen.resolve(call.getDeadline());
            cb(null, {});
          },
        });
        await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(await seen.promise).toBe(Infinity);
      });
    });

    describe("cancellation and cleanup", () => {
      it("client cancel: the handler sees 'cancelled', call.cancelled, and its finally runs", async () => {
        const observed = deferred<{ cancelledFlag: boolean; finallyRan: boolean }>();
        const started = deferred();
        const { client } = await serve({
          StreamingOutputCall(call) {
            let cancelled = false;
            call.on("cancelled", () => {
              cancelled = true;
            });
            void (async () => {
              try {
                while (!cancelled) {
                  call.write({ payload: payload(10) });
                  started.resolve();
                  await new Promise((resolve) => setTimeout(resolve, 5));
                }
              } finally {
                observed.resolve({ cancelledFlag: call.cancelled, finallyRan: true });
              }
            })();
          },
        });
        const stream = client.StreamingOutputCall({});
        const settled = settleStream(stream);
        await started.promise;
        await nextMessage(stream);
        stream.cancel();
        const outcome = await settled;
        expect(outcome.error?.code).toBe(Status.CANCELLED);
        expect(await observed.promise).toEqual({ cancelledFlag: true, finallyRan: true });
      });

      it("'cancelled' also fires after a successful call (grpc-js >= 1.10)", async () => {
        const cancelled = deferred<boolean>();
        const { client } = await serve({
          EmptyCall(call, cb) {
            call.on("cancelled", () => cancelled.resolve(call.cancelled));
            cb(null, {});
          },
        });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(outcome.error).toBeNull();
        expect(await cancelled.promise).toBe(true);
      });

      it("for await over a response stream yields the messages, then throws the ServiceError", async () => {
        const { client } = await serve({
          ListStrings(call) {
            call.write({ value: "a" });
            call.write({ value: "b" });
            call.end();
          },
          StreamingOutputCall(call) {
            call.write({ payload: payload(1) });
            call.emit("error", { code: Status.DATA_LOSS, details: "lost" });
          },
        });
        const values: string[] = [];
        for await (const message of client.ListStrings({}) as AsyncIterable<{ value: string }>) values.push(message.value);
        expect(values).toEqual(["a", "b"]);
        const sizes: number[] = [];
        const failing = async (): Promise<void> => {
          for await (const message of client.StreamingOutputCall({}) as AsyncIterable<{ payload: { body: Buffer } }>) sizes.push(message.payload.body.length);
        };
        await expect(failing()).rejects.toMatchObject({ code: Status.DATA_LOSS, details: "lost", message: "15 DATA_LOSS: lost" });
        expect(sizes).toEqual([1]);
      });

      it("client-streaming: the client's end() reaches the handler as 'end'", async () => {
        const ended = deferred<number>();
        const { client } = await serve({
          StreamingInputCall(call, cb) {
            let n = 0;
            call.on("data", () => (n += 1));
            call.on("end", () => {
              ended.resolve(n);
              cb(null, { aggregated_payload_size: n });
            });
          },
        });
        const outcome = await settleUnary(
          (cb) => client.StreamingInputCall(cb),
          (call) => {
            call.write({});
            call.write({});
            call.end();
          },
        );
        expect(await ended.promise).toBe(2);
        expect(outcome.value).toEqual({ aggregated_payload_size: 2 });
      });

      it(`breaking out of for await ${d.breakCancels ? "cancels the call (declared difference)" : "does not cancel the call (grpc-node#1238)"}`, async () => {
        const cancelledAfter = deferred<number>();
        const { client } = await serve({
          ListStrings(call) {
            const start = Date.now();
            call.on("cancelled", () => cancelledAfter.resolve(Date.now() - start));
            call.write({ value: "a" });
            call.write({ value: "b" });
          },
        });
        const deadlineMs = 600;
        const stream = client.ListStrings({}, { deadline: deadlineIn(deadlineMs) });
        stream.on("error", () => {});
        for await (const message of stream) {
          expect(message).toMatchObject({ value: "a" });
          break;
        }
        const after = await cancelledAfter.promise;
        if (d.breakCancels) expect(after).toBeLessThan(deadlineMs / 2);
        else expect(after).toBeGreaterThanOrEqual(deadlineMs / 2);
      });
    });

    describe("deadlines and propagation", () => {
      it("DEADLINE_EXCEEDED on the client, 'cancelled' on the server (unary)", async () => {
        const cancelled = deferred();
        const { client } = await serve({
          EmptyCall(call) {
            call.on("cancelled", () => cancelled.resolve());
          },
        });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, { deadline: new Date(deadlineIn(shortDeadlineMs)) }, cb));
        expect(outcome.error?.code).toBe(Status.DEADLINE_EXCEEDED);
        await cancelled.promise;
      });

      it("a deadline that is not a number or a Date throws grpc-js's TypeError synchronously; nothing is left registered", async () => {
        const { client } = await serve({});
        for (const deadline of [10n, Symbol("d"), "1000", {}]) {
          expect(() => client.EmptyCall({}, { deadline: deadline as unknown as number }, () => {})).toThrow(
            new TypeError("Channel#createCall: deadline must be a number or Date"),
          );
        }
        // The registry still works (it used to keep a half-registered call and throw from then on).
        expect(openBridges().filter((b) => b.name.startsWith("/grpc.testing"))).toEqual([]);
        expect((await settleUnary((cb) => client.EmptyCall({}, cb))).error).toBeNull();
      });

      it("a past deadline fails at once", async () => {
        const { client } = await serve({});
        const outcome = await settleUnary((cb) => client.EmptyCall({}, { deadline: Date.now() - 1000 }, cb));
        expect(outcome.error?.code).toBe(Status.DEADLINE_EXCEEDED);
      });

      it("parent propagation: the child inherits the deadline and is cancelled with the parent", async () => {
        const childDeadline = deferred<grpc.Deadline>();
        const childOutcome = deferred<grpc.ServiceError | null>();
        const childCancelled = deferred();
        let downstream: ReturnType<Awaited<ReturnType<Transport["serve"]>>["makeClient"]> | undefined;
        const served = await serve({
          EmptyCall(call) {
            childDeadline.resolve(call.getDeadline());
            call.on("cancelled", () => childCancelled.resolve());
          },
          UnaryCall(call) {
            downstream?.EmptyCall({}, { parent: call }, (error) => childOutcome.resolve(error));
          },
        });
        downstream = served.makeClient();
        const deadline = deadlineIn(5000);
        const parent = served.client.UnaryCall({}, { deadline }, () => {});
        expect(Math.abs(Number(await childDeadline.promise) - deadline)).toBeLessThan(1000);
        parent.cancel();
        const error = await childOutcome.promise;
        expect(error?.code).toBe(Status.CANCELLED);
        expect(error?.details).toBe("Cancelled by parent call");
        await childCancelled.promise;
      });
    });

    describe("flow control", () => {
      it("server write() returns false at the 16th pending message; 'drain' follows as the client reads", async () => {
        const counts = deferred<{ untilFalse: number; drained: boolean }>();
        const { client } = await serve({
          ListStrings(call) {
            let untilFalse = 0;
            while (call.write({ value: String(untilFalse) })) untilFalse += 1;
            untilFalse += 1;
            call.once("drain", () => {
              counts.resolve({ untilFalse, drained: true });
              call.end();
            });
          },
        });
        const outcome = await settleStream(client.ListStrings({}));
        expect(await counts.promise).toEqual({ untilFalse: 16, drained: true });
        expect(outcome.messages).toHaveLength(16);
      });

      it("client write() returns false at the 16th pending message; 'drain' follows as the server reads", async () => {
        const { client } = await serve({});
        let untilFalse = 0;
        const drained = deferred();
        const outcome = await settleUnary(
          (cb) => client.StreamingInputCall(cb),
          (call) => {
            while (call.write({ payload: payload(1) })) untilFalse += 1;
            untilFalse += 1;
            call.once("drain", () => {
              drained.resolve();
              call.end();
            });
          },
        );
        await drained.promise;
        expect(untilFalse).toBe(16);
        expect(outcome.value).toEqual({ aggregated_payload_size: 16 });
      });
    });

    describe("interceptors", () => {
      it("client-level and per-call interceptors run (per-call ones replace the client's)", async () => {
        const log: string[] = [];
        const tagging =
          (tag: string): grpc.Interceptor =>
          (options, nextCall) =>
            new grpc.InterceptingCall(nextCall(options), {
              start(metadata, listener, next) {
                metadata.set("x-tag", tag);
                next(metadata, {
                  onReceiveMessage(message, nextMessageFn) {
                    log.push(`${tag}:message`);
                    nextMessageFn(message);
                  },
                  onReceiveStatus(status, nextStatus) {
                    log.push(`${tag}:status:${status.code}`);
                    nextStatus(status);
                  },
                });
              },
            });
        const tags: string[] = [];
        const { client } = await serve(
          {
            EmptyCall(call, cb) {
              tags.push(String(call.metadata.get("x-tag")[0]));
              cb(null, {});
            },
          },
          { client: { interceptors: [tagging("client")] } },
        );
        await settleUnary((cb) => client.EmptyCall({}, cb));
        await settleUnary((cb) => client.EmptyCall({}, { interceptors: [tagging("call")] }, cb));
        expect(tags).toEqual(["client", "call"]);
        expect(log).toEqual(["client:message", "client:status:0", "call:message", "call:status:0"]);
      });

      it("server interceptors run around every call and can answer on their own", async () => {
        const paths: string[] = [];
        const tagging: grpc.ServerInterceptor = (method, call) =>
          new grpc.ServerInterceptingCall(call, {
            start(next) {
              paths.push(method.path);
              next({
                onReceiveMetadata(metadata, nextMetadata) {
                  if (metadata.get("x-deny").length > 0) {
                    call.sendStatus({ code: Status.PERMISSION_DENIED, details: "denied by interceptor" });
                    return;
                  }
                  nextMetadata(metadata);
                },
              });
            },
            sendMetadata(metadata, next) {
              metadata.set("x-intercepted", "yes");
              next(metadata);
            },
          });
        const handled: string[] = [];
        const { client } = await serve(
          {
            EmptyCall(_call, cb) {
              handled.push("EmptyCall");
              cb(null, {});
            },
          },
          { server: { interceptors: [tagging] } },
        );
        const ok = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(ok.error).toBeNull();
        expect(ok.metadata?.get("x-intercepted")).toEqual(["yes"]);
        const deny = new grpc.Metadata();
        deny.set("x-deny", "1");
        const denied = await settleUnary((cb) => client.EmptyCall({}, deny, cb));
        expect(denied.error?.code).toBe(Status.PERMISSION_DENIED);
        expect(denied.error?.details).toBe("denied by interceptor");
        expect(paths).toEqual(["/grpc.testing.TestService/EmptyCall", "/grpc.testing.TestService/EmptyCall"]);
        expect(handled).toEqual(["EmptyCall"]);
      });

      it("interceptor providers run too", async () => {
        const paths: string[] = [];
        const provider: grpc.InterceptorProvider = (method) => {
          paths.push(method.path);
          return (options, nextCall) => new grpc.InterceptingCall(nextCall(options));
        };
        const { client } = await serve({}, { client: { interceptor_providers: [provider] } });
        const outcome = await settleUnary((cb) => client.EmptyCall({}, cb));
        expect(outcome.error).toBeNull();
        expect(paths).toEqual(["/grpc.testing.TestService/EmptyCall"]);
      });
    });

    describe("message shapes and sizes", () => {
      it(`request objects: ${d.sharesMessages ? "shared with the handler (declared difference)" : "the handler gets a fresh object"}`, async () => {
        const seen = deferred<SimpleRequest>();
        const { client } = await serve({
          UnaryCall(call, cb) {
            seen.resolve(call.request);
            cb(null, {});
          },
        });
        const request: SimpleRequest = { response_size: 1 };
        await settleUnary((cb) => client.UnaryCall(request, cb));
        expect((await seen.promise) === request).toBe(d.sharesMessages);
      });

      it(`proto-loader defaults and unknown fields: ${d.normalisesMessages ? "normalised as on the wire" : "the handler sees the caller's object as built (declared difference)"}`, async () => {
        const seen = deferred<SimpleRequest & { unknown_field?: unknown }>();
        const { client } = await serve({
          UnaryCall(call, cb) {
            seen.resolve(call.request);
            cb(null, {});
          },
        });
        const request = { note: "hi", unknown_field: 42 } as SimpleRequest;
        await settleUnary((cb) => client.UnaryCall(request, cb));
        const received = await seen.promise;
        if (d.normalisesMessages) {
          expect(received).toMatchObject({ response_size: 0, fill_username: false, request_id: "0", note: "hi", hint: "note" });
          expect(received.unknown_field).toBeUndefined();
        } else {
          expect(received).toEqual({ note: "hi", unknown_field: 42 });
        }
      });

      it(`max message sizes: ${d.enforcesMessageSizes ? "RESOURCE_EXHAUSTED with grpc-js's messages" : "not enforced without serialization (declared difference)"}`, async () => {
        const { client } = await serve({}, { client: { "grpc.max_receive_message_length": 1024 }, server: { "grpc.max_receive_message_length": 2048 } });
        const bigResponse = await settleUnary((cb) => client.UnaryCall({ response_size: 4096 }, cb));
        const bigRequest = await settleUnary((cb) => client.UnaryCall({ payload: payload(4096) }, cb));
        if (d.enforcesMessageSizes) {
          expect(bigResponse.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
          expect(bigResponse.error?.details).toMatch(/^Received message larger than max \(\d+ vs 1024\)$/);
          expect(bigRequest.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
          expect(bigRequest.error?.details).toMatch(/^Received message larger than max \(\d+ vs 2048\)$/);
        } else {
          expect(bigResponse.error).toBeNull();
          expect(bigRequest.error).toBeNull();
        }
      });

      it(`max send sizes: ${d.enforcesMessageSizes ? "RESOURCE_EXHAUSTED" : "not enforced (declared difference)"}`, async () => {
        const { client } = await serve({}, { client: { "grpc.max_send_message_length": 1024 }, server: { "grpc.max_send_message_length": 2048 } });
        const bigRequest = await settleUnary((cb) => client.UnaryCall({ payload: payload(4096) }, cb));
        const bigResponse = await settleUnary((cb) => client.UnaryCall({ response_size: 4096 }, cb));
        if (d.enforcesMessageSizes) {
          expect(bigRequest.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
          expect(bigRequest.error?.details).toBe("Attempted to send message with a size larger than 1024");
          expect(bigResponse.error?.code).toBe(Status.RESOURCE_EXHAUSTED);
          expect(bigResponse.error?.details).toMatch(/^Sent message larger than max \(\d+ vs\. 2048\)$/);
        } else {
          expect(bigRequest.error).toBeNull();
          expect(bigResponse.error).toBeNull();
        }
      });
    });
  });
}

export { defineConformanceSuite };
export type { ServiceVariant };
export type { StreamingOutputCallRequest };
