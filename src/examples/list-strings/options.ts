// The ways to call your own ListStrings service from the same process, after the Thanos comparison
// (localhost TCP, unix socket, an in-process channel, a queue plus a separate task, the coroutine bridge).
// Each option opens what it needs, runs calls, and closes everything it opened.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { pushable } from "it-pushable";
import { batches } from "../../core/index.js";
import { asyncClient, createInProcessClient, createPipeChannel, type MessageMode } from "../../grpc/index.js";
import {
  type ListStringsRequest,
  type StringValue,
  type StringsClient,
  listStrings,
  listStringsGenerator,
  stringsClientClass,
  stringsImplementation,
} from "./service.js";

/** An opened option: make ListStrings calls, then close. */
export interface OpenedOption {
  /** Makes one call, consumes every message, and returns how many arrived. */
  listStrings(request: ListStringsRequest): Promise<number>;
  close(): Promise<void>;
}

export interface CallOption {
  readonly name: string;
  /** What this way keeps (of the gRPC contract, of isolation). */
  readonly keeps: string;
  /** What it gives up. */
  readonly givesUp: string;
  open(): Promise<OpenedOption>;
}

/** Consumes a server stream with 'data' events (grpc-js's cheapest way to read) and counts the messages. */
function drain(stream: grpc.ClientReadableStream<StringValue>): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    stream.on("data", () => void (received += 1));
    stream.on("error", reject);
    stream.on("end", () => resolve(received));
  });
}

async function startServer(address: string): Promise<{ server: grpc.Server; target: string }> {
  const server = new grpc.Server();
  server.addService(stringsClientClass().service, stringsImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, target: address.startsWith("unix:") ? address : `127.0.0.1:${port}` };
}

function overNetwork(name: string, address: () => { address: string; cleanup: () => void }, keeps: string, givesUp: string): CallOption {
  return {
    name,
    keeps,
    givesUp,
    async open() {
      const { address: where, cleanup } = address();
      const { server, target } = await startServer(where);
      const Strings = stringsClientClass();
      const client = new Strings(target, grpc.credentials.createInsecure()) as unknown as StringsClient;
      return {
        listStrings: (request) => drain(client.ListStrings(request)),
        async close() {
          client.close();
          await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
          cleanup();
        },
      };
    },
  };
}

function inProcess(messages: MessageMode, keeps: string, givesUp: string): CallOption {
  return {
    name: `sluice drop-in (${messages})`,
    keeps,
    givesUp,
    async open() {
      const client = createInProcessClient(stringsClientClass(), stringsImplementation, { messages }) as unknown as StringsClient;
      return {
        listStrings: (request) => drain(client.ListStrings(request)),
        close: async () => client.close(),
      };
    },
  };
}

/** grpc-js's own server over an in-memory HTTP/2 connection: real framing and serialization, no socket, no port. */
const pipe: CallOption = {
  name: "grpc-js over an in-memory pipe",
  keeps: "everything a socket gives (HTTP/2, serialization, flow control), with no port or socket path",
  givesUp: "speed: Node's HTTP/2 costs what it costs over TCP",
  async open() {
    const server = new grpc.Server();
    server.addService(stringsClientClass().service, stringsImplementation);
    const Strings = stringsClientClass();
    const client = new Strings("pipe", grpc.credentials.createInsecure(), { channelOverride: createPipeChannel(server) }) as unknown as StringsClient;
    return {
      listStrings: (request) => drain(client.ListStrings(request)),
      async close() {
        client.close();
        await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      },
    };
  },
};

/** The generator handler (`serverStreaming`) read with `for await` through `asyncClient` over an in-process client. */
function generatorThroughAsyncClient(name: string, keeps: string, givesUp: string, direct: boolean): CallOption {
  return {
    name,
    keeps,
    givesUp,
    async open() {
      const implementation = { ListStrings: listStringsGenerator } as unknown as grpc.UntypedServiceImplementation;
      const client = createInProcessClient(stringsClientClass(), implementation, { direct }) as unknown as StringsClient;
      const strings = asyncClient(client);
      return {
        async listStrings(request) {
          let received = 0;
          for await (const _ of strings.ListStrings(request)) received += 1;
          return received;
        },
        close: async () => client.close(),
      };
    },
  };
}

/**
 * The direct path, Go's `iter.Pull`: `asyncClient` over an in-process client pulls the handler's generator itself.
 * Each `next()` of the caller's `for await` resumes the handler; no task, queue or call object in between.
 */
const directPull = generatorThroughAsyncClient(
  "sluice direct: pull the handler",
  "the gRPC contract (status, metadata, deadlines, cancellation both ways); for await on both sides",
  "isolation (shared objects), and concurrency: the handler runs only while the caller pulls",
  true,
);

/** The direct path with the grpc-js-style handler: its writes land in the caller's bridge, read in batches. */
const directBatches: CallOption = {
  name: "sluice direct: batches",
  keeps: "the gRPC contract and the grpc-js handler as written (call.write, 'drain')",
  givesUp: "isolation (shared objects); reads a batch of buffered responses per await",
  async open() {
    const client = createInProcessClient(stringsClientClass(), stringsImplementation) as unknown as StringsClient;
    const strings = asyncClient(client);
    return {
      async listStrings(request) {
        let received = 0;
        for await (const batch of batches(strings.ListStrings(request))) received += batch.length;
        return received;
      },
      close: async () => client.close(),
    };
  },
};

/** The same generator handler and for-await caller before the direct path: asyncClient over grpc-js's call objects. */
const asyncIterablesDropIn = generatorThroughAsyncClient(
  "sluice async iterables, drop-in",
  "the gRPC contract, with for await on both sides, through grpc-js's call objects (direct: false)",
  "isolation (shared objects), and speed: two bridges and grpc-js's client and server call objects",
  false,
);

/** The handler called directly, its writes going into a queue that a separate task reads (Go: a goroutine and a channel). */
const queueAndTask: CallOption = {
  name: "queue + separate task",
  keeps: "the handler code, concurrency between handler and caller",
  givesUp: "the gRPC API (status, metadata, deadlines, cancellation), backpressure",
  async open() {
    return {
      async listStrings(request) {
        const queue = pushable<StringValue>({ objectMode: true });
        const call = { request, write: (m: StringValue) => (queue.push(m), true), once: () => undefined, end: () => queue.end() };
        setImmediate(() => listStrings(call)); // the handler runs as its own task
        let received = 0;
        for await (const _ of queue) received += 1;
        return received;
      },
      close: async () => undefined,
    };
  },
};

/** The floor: the handler writing straight into an array. Nothing is bridged, nothing is concurrent. */
const handlerIntoArray: CallOption = {
  name: "handler into an array (floor)",
  keeps: "nothing but the handler's own work",
  givesUp: "everything: no streaming, no concurrency, no gRPC API",
  async open() {
    return {
      async listStrings(request) {
        const out: StringValue[] = [];
        listStrings({ request, write: (m) => (out.push(m), true), once: () => undefined, end: () => undefined });
        return out.length;
      },
      close: async () => undefined,
    };
  },
};

/**
 * Every option, localhost TCP first (the baseline of every ratio). Thanos's five: localhost TCP, a unix socket, an
 * in-process channel (sluice's drop-in client), a queue plus a separate task, and the coroutine (sluice's direct
 * path); then the pipe, the other message modes, the direct path read in batches, and the floor.
 */
export function callOptions(): CallOption[] {
  return [
    overNetwork(
      "grpc-js over 127.0.0.1",
      () => ({ address: "127.0.0.1:0", cleanup: () => undefined }),
      "everything: the same code scales to other machines",
      "speed: HTTP/2 framing, serialization and syscalls per message",
    ),
    overNetwork(
      "grpc-js over a unix socket",
      () => {
        const dir = mkdtempSync(join(tmpdir(), "sluice-demo-"));
        return { address: `unix:${join(dir, "strings.sock")}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
      },
      "everything, on one machine",
      "speed (still HTTP/2 + serialization), and a socket path to manage",
    ),
    pipe,
    queueAndTask,
    inProcess("serialize", "the client API and wire-exact messages (defaults, unknown fields, size limits)", "the network; pays serialization"),
    inProcess("clone", "the client API; handler and caller never share objects", "the network and wire-exact message shapes"),
    inProcess("share", "the client API, status, metadata, deadlines, cancellation, backpressure", "isolation: caller and handler share message objects"),
    asyncIterablesDropIn,
    directPull,
    directBatches,
    handlerIntoArray,
  ];
}
