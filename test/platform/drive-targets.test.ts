// drive(source, destination) with the platform's own writables, recognised by shape: a Node Writable, a WHATWG
// WritableStream, and grpc-js writable calls on both ends (over a real server on 127.0.0.1:0).
import { Writable } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InvalidArgumentError, channel, drive, pull, subscribe } from "../../src/core/index.js";
import { flush } from "../helpers.js";

/** A sluice source whose stop is counted: proves a sink failure reaches the source. */
function countedSource(values: readonly number[], { failAfter, hang }: { failAfter?: number; hang?: boolean } = {}) {
  const stats = { stops: 0, exits: 0 };
  const it = pull<number>(async (send, signal) => {
    try {
      for (const [i, v] of values.entries()) {
        if (i === failAfter) throw new Error("source broke");
        if (!(await send(v))) return;
      }
      if (hang === true) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    } finally {
      if (signal.aborted) stats.stops += 1;
      stats.exits += 1;
    }
  });
  return { it, stats };
}

function slowWritable(highWaterMark: number, { failOn }: { failOn?: number } = {}) {
  const written: number[] = [];
  let maxQueued = 0;
  const writable = new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk: number, _encoding, callback) {
      maxQueued = Math.max(maxQueued, writable.writableLength);
      if (chunk === failOn) return callback(new Error("disk full"));
      written.push(chunk);
      setImmediate(callback);
    },
  });
  return { writable, written, maxQueued: () => maxQueued };
}

describe("drive() into a Node Writable", () => {
  test("every value in order, never more than highWaterMark queued, then end() and 'finish'", async () => {
    const { writable, written, maxQueued } = slowWritable(2);
    const values = Array.from({ length: 50 }, (_, i) => i);
    await drive(countedSource(values).it, writable);
    expect(written).toEqual(values);
    expect(maxQueued()).toBeLessThanOrEqual(2);
    expect(writable.writableFinished).toBe(true);
  });

  test("a source error destroys the writable with that error, without an uncaught 'error'", async () => {
    const { writable, written } = slowWritable(4);
    const source = countedSource([1, 2, 3], { failAfter: 2 });
    await expect(drive(source.it, writable)).rejects.toThrow("source broke");
    await flush();
    expect([[1], [1, 2]]).toContainEqual(written); // destroy() drops what was still queued, as pipeline() does
    expect(writable.destroyed).toBe(true);
    expect(writable.errored).toMatchObject({ message: "source broke" });
  });

  test("a write error stops the source and rejects drive with it", async () => {
    const { writable } = slowWritable(1, { failOn: 3 });
    const source = countedSource([1, 2, 3, 4, 5, 6]);
    await expect(drive(source.it, writable)).rejects.toThrow("disk full");
    expect(source.stats).toEqual({ stops: 1, exits: 1 });
  });

  test("the writable failing while the source is idle stops the source at once (not at its next value)", async () => {
    const { writable } = slowWritable(4);
    const source = countedSource([1], { hang: true });
    const driving = drive(source.it, writable);
    await flush();
    writable.destroy(new Error("peer went away"));
    await expect(driving).rejects.toThrow("peer went away");
    expect(source.stats).toEqual({ stops: 1, exits: 1 });
  });

  test("a writable closed without an error (destroyed) fails drive instead of leaving it waiting", async () => {
    const { writable } = slowWritable(4);
    const source = countedSource([1], { hang: true });
    const driving = drive(source.it, writable);
    await flush();
    writable.destroy();
    await expect(driving).rejects.toThrow(/closed first/);
    expect(source.stats.stops).toBe(1);
  });

  test("an abort stops the source and destroys the writable with the AbortError; no listener is left behind", async () => {
    const { writable } = slowWritable(4);
    const before = writable.eventNames().map((name) => [name, writable.listenerCount(name)]);
    const controller = new AbortController();
    const source = countedSource([1], { hang: true });
    const driving = drive(source.it, writable, { signal: controller.signal });
    await flush();
    controller.abort("enough");
    await expect(driving).rejects.toMatchObject({ name: "AbortError" });
    await flush();
    expect(writable.destroyed).toBe(true);
    expect(source.stats.stops).toBe(1);
    // What drive added is gone, except the no-op 'error' listener it leaves on a writable it failed.
    const after = writable.eventNames().map((name) => [name, writable.listenerCount(name) - (name === "error" ? 1 : 0)]);
    expect(after.filter(([, n]) => n !== 0)).toEqual(before.filter(([, n]) => n !== 0));
  });
});

describe("drive() into a WHATWG WritableStream", () => {
  function recordingStream(highWaterMark: number, { failOn }: { failOn?: number } = {}) {
    const log: string[] = [];
    let queuedMax = 0;
    let controllerRef: WritableStreamDefaultController | undefined;
    const stream = new WritableStream<number>(
      {
        start: (controller) => void (controllerRef = controller),
        write: async (chunk) => {
          if (chunk === failOn) throw new Error("sink broke");
          log.push(`write ${chunk}`);
          await new Promise((resolve) => setImmediate(resolve));
        },
        close: () => void log.push("close"),
        abort: (reason: unknown) => void log.push(`abort ${reason instanceof Error ? reason.message : String(reason)}`),
      },
      new CountQueuingStrategy({ highWaterMark }),
    );
    return { stream, log, queuedMax: () => queuedMax, error: (e: unknown) => controllerRef?.error(e), noteQueued: (n: number) => (queuedMax = Math.max(queuedMax, n)) };
  }

  test("every value in order with the stream's backpressure, then close(); the lock is released", async () => {
    const { stream, log } = recordingStream(2);
    await drive(countedSource([1, 2, 3, 4, 5]).it, stream);
    expect(log).toEqual(["write 1", "write 2", "write 3", "write 4", "write 5", "close"]);
    expect(stream.locked).toBe(false);
  });

  test("a slow stream holds the source back: it never runs more than highWaterMark ahead of the writes", async () => {
    let pulled = 0;
    let written = 0;
    let maxAhead = 0;
    const source = pull<number>(async (send) => {
      for (let i = 0; i < 30; i += 1) {
        pulled += 1;
        maxAhead = Math.max(maxAhead, pulled - written);
        if (!(await send(i))) return;
      }
    });
    const stream = new WritableStream<number>(
      { write: () => new Promise<void>((resolve) => setImmediate(() => ((written += 1), resolve()))) },
      new CountQueuingStrategy({ highWaterMark: 3 }),
    );
    await drive(source, stream);
    expect(written).toBe(30);
    expect(maxAhead).toBeLessThanOrEqual(3 + 2); // the queue, the write in progress, the value in hand
  });

  test("a source error aborts the stream with that error", async () => {
    const { stream, log } = recordingStream(4);
    await expect(drive(countedSource([1, 2, 3], { failAfter: 1 }).it, stream)).rejects.toThrow("source broke");
    await flush(); // the stream aborts once the write in progress has finished
    expect(log).toContain("abort source broke");
    expect(stream.locked).toBe(false);
  });

  test("the stream erroring stops the source at once and rejects drive with the stream's error", async () => {
    const recording = recordingStream(4);
    const source = countedSource([1], { hang: true });
    const driving = drive(source.it, recording.stream);
    await flush();
    recording.error(new Error("stream broke"));
    await expect(driving).rejects.toThrow("stream broke");
    expect(source.stats).toEqual({ stops: 1, exits: 1 });
  });

  test("a failing write stops the source", async () => {
    const { stream } = recordingStream(1, { failOn: 2 });
    const source = countedSource([1, 2, 3, 4]);
    await expect(drive(source.it, stream)).rejects.toThrow("sink broke");
    expect(source.stats.exits).toBe(1);
  });

  test("a locked stream is refused before anything is read", () => {
    const stream = new WritableStream<number>();
    const writer = stream.getWriter();
    const source = channel<number>();
    expect(() => drive(source, stream)).toThrow(InvalidArgumentError);
    writer.releaseLock();
    source.end();
    return source.return();
  });
});

// A JSON-serialised service: Collect (client streaming) and Emit (server streaming).
const json = { serialize: (value: unknown) => Buffer.from(JSON.stringify(value)), deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown };
const definition = {
  Collect: {
    path: "/test.Drive/Collect",
    requestStream: true,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  Emit: {
    path: "/test.Drive/Emit",
    requestStream: false,
    responseStream: true,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition;

interface DriveClient extends grpc.Client {
  Collect(callback: grpc.requestCallback<number[]>): grpc.ClientWritableStream<number>;
  Emit(request: { count: number; failAt?: number; hang?: boolean }): grpc.ClientReadableStream<number>;
}

describe("drive() into grpc-js calls", () => {
  let server: grpc.Server;
  let client: DriveClient;
  const handlerOutcomes: string[] = [];
  let handlerStops = 0;

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(definition, {
      Collect: (call: grpc.ServerReadableStream<number, number[]>, callback: grpc.sendUnaryData<number[]>) => {
        const received: number[] = [];
        call.on("data", (v: number) => received.push(v));
        call.on("end", () => callback(null, received));
        call.on("error", () => undefined);
      },
      Emit: (call: grpc.ServerWritableStream<{ count: number; failAt?: number; hang?: boolean }, number>) => {
        const { count, failAt, hang } = call.request;
        const source = pull<number>(async (send, signal) => {
          try {
            for (let i = 0; i < count; i += 1) {
              if (i === failAt) throw new Error("handler source broke");
              if (!(await send(i))) return;
            }
            if (hang === true) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          } finally {
            if (signal.aborted) handlerStops += 1;
          }
        });
        drive(source, call).then(
          () => handlerOutcomes.push("ok"),
          (error: unknown) => handlerOutcomes.push(`rejected: ${(error as Error).message}`),
        );
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
    );
    const Client = grpc.makeGenericClientConstructor(definition, "Drive") as unknown as new (address: string, credentials: grpc.ChannelCredentials) => DriveClient;
    client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  test("a client-streaming call: every value reaches the server, then drive half-closes the call", async () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    let reply: Promise<number[]>;
    const call = await new Promise<grpc.ClientWritableStream<number>>((resolve) => {
      reply = new Promise((done, fail) => resolve(client.Collect((error, value) => (error === null ? done(value ?? []) : fail(error)))));
    });
    await drive(countedSource(values).it, call);
    expect(await reply!).toEqual(values);
  });

  test("a client-streaming call: a source error cancels the call (the server never sees a half-written request stream end)", async () => {
    let settled!: Promise<grpc.ServiceError | null>;
    const call = await new Promise<grpc.ClientWritableStream<number>>((resolve) => {
      settled = new Promise((done) => resolve(client.Collect((error) => done(error))));
    });
    await expect(drive(countedSource([1, 2, 3], { failAfter: 2 }).it, call)).rejects.toThrow("source broke");
    expect((await settled)?.code).toBe(grpc.status.CANCELLED);
  });

  test("a server-streaming handler: drive(source, call) sends every value, then the OK status", async () => {
    const received: number[] = [];
    for await (const v of client.Emit({ count: 40 }) as AsyncIterable<number>) received.push(v);
    expect(received).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await flush();
    expect(handlerOutcomes.at(-1)).toBe("ok");
  });

  test("a server-streaming handler: the source's error becomes the call's status, after the values sent", async () => {
    const received: number[] = [];
    const call = client.Emit({ count: 10, failAt: 3 });
    await expect(
      (async () => {
        for await (const v of call as AsyncIterable<number>) received.push(v);
      })(),
    ).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details: "handler source broke" });
    expect(received).toEqual([0, 1, 2]);
  });

  test("a server-streaming handler: the client cancelling stops the handler's source at once", async () => {
    const stopsBefore = handlerStops;
    const call = client.Emit({ count: 1, hang: true });
    const first = await new Promise<number>((resolve) => call.once("data", resolve));
    expect(first).toBe(0);
    call.on("error", () => undefined); // CANCELLED, as asked
    call.cancel();
    for (let i = 0; i < 50 && handlerStops === stopsBefore; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(handlerStops).toBe(stopsBefore + 1);
    expect(handlerOutcomes.at(-1)).toMatch(/rejected: .*cancelled by the client/);
  });
});

test("a DriveSink-shaped object with waitForDrain is still taken as a DriveSink, even if it also has on()/destroy()", async () => {
  const written: number[] = [];
  const sink = { write: (v: number) => void written.push(v), waitForDrain: async () => undefined, on: () => undefined, once: () => undefined, removeListener: () => undefined, end: () => undefined, destroy: () => undefined };
  const source = subscribe<number>((s) => {
    s.push(1);
    s.end();
  });
  await drive(source, sink);
  expect(written).toEqual([1]);
});

test("a WritableStream is not locked by a drive() that rejects its other arguments", async () => {
  const stream = new WritableStream<number>();
  const source = channel<number>();
  expect(() => drive(source, stream, 42 as unknown as { signal?: AbortSignal })).toThrow(InvalidArgumentError);
  expect(stream.locked).toBe(false);
  await source.return();
});
