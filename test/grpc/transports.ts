// The transports the conformance suite runs on. Each knows how to serve a TestService
// implementation, make clients for it, and close everything it opened.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { createInProcessClient, createPipeChannel } from "../../src/grpc/index.js";
import type { MessageMode } from "../../src/grpc/index.js";
import { TestService, UnimplementedService } from "./fixtures/test-service.js";
import type { TestServiceClient, TestServiceHandlers, UnimplementedServiceClient } from "./fixtures/test-service.js";

interface ServeOptions {
  /** The definition the server registers the handlers under, when it is not the client's own (a mismatch on purpose). */
  readonly serverService?: grpc.ServiceDefinition;
  /** grpc-js client options (interceptors, channel options). */
  readonly client?: grpc.ClientOptions;
  /** Server-side max message sizes. */
  readonly server?: {
    "grpc.max_receive_message_length"?: number;
    "grpc.max_send_message_length"?: number;
    interceptors?: grpc.ServerInterceptor[];
  };
}

interface Served {
  readonly client: TestServiceClient;
  /** Another client of the same server (for parent propagation tests). */
  makeClient(options?: grpc.ClientOptions): TestServiceClient;
  /** A client for a service this server does not serve. */
  makeUnimplementedServiceClient(): UnimplementedServiceClient;
}

/**
 * Where a transport is allowed to differ from grpc-js over TCP. Every field is a named,
 * documented difference (docs/grpc.md); the suite asserts each transport's own value.
 */
interface Differences {
  /** What the handler's `call.getPeer()` returns. */
  readonly serverPeer: RegExp;
  /** What the caller's `call.getPeer()` returns. */
  readonly clientPeer: RegExp;
  /** Transport headers (`user-agent` on the server, `content-type`/`date` on the client). */
  readonly transportHeaders: boolean;
  /** The handler receives the caller's very objects (and vice versa). */
  readonly sharesMessages: boolean;
  /** Messages are normalised by the serializers (proto-loader defaults, unknown fields dropped). */
  readonly normalisesMessages: boolean;
  /** Max message sizes are enforced. */
  readonly enforcesMessageSizes: boolean;
  /** A rejected async handler ends the call with UNKNOWN (grpc-js: ignored, call hangs). */
  readonly catchesAsyncRejection: boolean;
  /** A stream handler that throws synchronously after two writes still ends the call (grpc-js: no status, the call hangs). */
  readonly statusAfterThrowMidStream: boolean;
  /** Breaking out of `for await` over a response stream cancels the call. */
  readonly breakCancels: boolean;
  /** `unimplemented_service` details name the path (a server without the service) or the method name. */
  readonly unimplementedServiceDetails: string;
  /**
   * asyncClient on this transport fails a unary call whose server-side handler (registered as a stream) sends
   * two responses with UNIMPLEMENTED "Too many responses received"; grpc-js 1.14's unary client never reads the
   * second response, so the call hangs until its deadline.
   */
  readonly tooManyResponses: boolean;
}

interface Transport {
  readonly name: string;
  readonly differences: Differences;
  serve(implementation: TestServiceHandlers, options?: ServeOptions): Promise<Served>;
  /** Closes every client and server opened since the last call. */
  closeAll(): Promise<void>;
}

const overTheWire = {
  transportHeaders: true,
  sharesMessages: false,
  normalisesMessages: true,
  enforcesMessageSizes: true,
  catchesAsyncRejection: false,
  statusAfterThrowMidStream: false,
  breakCancels: false,
  unimplementedServiceDetails: "The server does not implement the method /grpc.testing.UnimplementedService/UnimplementedCall",
  tooManyResponses: false,
} as const;

function socketTransport(name: string, peers: { serverPeer: RegExp; clientPeer: RegExp }, address: () => { bind: string; target: (port: number) => string; cleanup(): void }): Transport {
  const servers: grpc.Server[] = [];
  const clients: grpc.Client[] = [];
  const cleanups: (() => void)[] = [];
  return {
    name,
    differences: { ...overTheWire, ...peers },
    async serve(implementation, options = {}) {
      const server = new grpc.Server(options.server);
      servers.push(server);
      server.addService(options.serverService ?? TestService.service, implementation as grpc.UntypedServiceImplementation);
      const where = address();
      cleanups.push(() => where.cleanup());
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(where.bind, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      const target = where.target(port);
      // Each client gets its own subchannels: with grpc-js's process-wide pool, a client could inherit the
      // connectivity state of an earlier test's subchannel whose ephemeral port the OS handed out again.
      const isolated = { "grpc.use_local_subchannel_pool": 1 };
      const makeClient = (clientOptions?: grpc.ClientOptions): TestServiceClient => {
        const client = new TestService(target, grpc.credentials.createInsecure(), { ...isolated, ...(clientOptions ?? options.client) });
        clients.push(client);
        return client;
      };
      return {
        client: makeClient(),
        makeClient,
        makeUnimplementedServiceClient() {
          const client = new UnimplementedService(target, grpc.credentials.createInsecure(), isolated);
          clients.push(client);
          return client;
        },
      };
    },
    async closeAll() {
      for (const client of clients.splice(0)) client.close();
      for (const server of servers.splice(0)) server.forceShutdown();
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}

/** grpc-js over TCP on 127.0.0.1 with an ephemeral port: the oracle. */
const tcp = socketTransport("grpc-js over 127.0.0.1", { serverPeer: /^127\.0\.0\.1:\d+$/, clientPeer: /^127\.0\.0\.1:\d+$/ }, () => ({
  bind: "127.0.0.1:0",
  target: (port) => `127.0.0.1:${port}`,
  cleanup() {},
}));

/** grpc-js over a unix socket in a fresh temp dir. */
const unix = socketTransport("grpc-js over a unix socket", { serverPeer: /^unknown$/, clientPeer: /\/test\.sock$/ }, () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-grpc-"));
  const path = join(dir, "test.sock");
  return { bind: `unix:${path}`, target: () => `unix:${path}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});

/** grpc-js's server over an in-memory HTTP/2 pipe: no socket, no port (createPipeChannel). */
const pipe: Transport = (() => {
  const servers: grpc.Server[] = [];
  const clients: grpc.Client[] = [];
  return {
    name: "grpc-js server over an in-memory HTTP/2 pipe",
    differences: { ...overTheWire, serverPeer: /^unknown$/, clientPeer: /^pipe$/ },
    async serve(implementation, options = {}) {
      const server = new grpc.Server(options.server);
      servers.push(server);
      server.addService(options.serverService ?? TestService.service, implementation as grpc.UntypedServiceImplementation);
      const connect = <C extends grpc.Client>(Client: new (target: string, creds: grpc.ChannelCredentials, options: grpc.ClientOptions) => C, clientOptions: grpc.ClientOptions = {}): C => {
        const channelOverride = createPipeChannel(server, {
          ...(clientOptions["grpc.max_send_message_length"] === undefined ? {} : { "grpc.max_send_message_length": clientOptions["grpc.max_send_message_length"] }),
          ...(clientOptions["grpc.max_receive_message_length"] === undefined ? {} : { "grpc.max_receive_message_length": clientOptions["grpc.max_receive_message_length"] }),
        });
        const client = new Client("pipe", grpc.credentials.createInsecure(), { ...clientOptions, channelOverride });
        clients.push(client);
        return client;
      };
      const makeClient = (clientOptions?: grpc.ClientOptions): TestServiceClient => connect(TestService, clientOptions ?? options.client);
      return { client: makeClient(), makeClient, makeUnimplementedServiceClient: () => connect(UnimplementedService) };
    },
    async closeAll() {
      for (const client of clients.splice(0)) client.close();
      for (const server of servers.splice(0)) server.forceShutdown();
    },
  };
})();

/**
 * The in-process client in one message mode. Its grpc-js call objects are the drop-in path; `asyncClient` over it
 * takes the direct path unless `direct` is false.
 */
function inProcess(mode: MessageMode, { direct = true }: { readonly direct?: boolean } = {}): Transport {
  const clients: grpc.Client[] = [];
  return {
    name: direct ? `in-process (${mode})` : `in-process (${mode}, direct: false)`,
    differences: {
      serverPeer: /^in-process$/,
      clientPeer: /^in-process$/,
      transportHeaders: false,
      sharesMessages: mode === "share",
      normalisesMessages: mode === "serialize",
      enforcesMessageSizes: mode === "serialize",
      catchesAsyncRejection: true,
      statusAfterThrowMidStream: true,
      breakCancels: true,
      // No server registry in-process: a service without a handler reads like grpc-js's unimplemented method.
      unimplementedServiceDetails: "The server does not implement the method UnimplementedCall",
      // asyncClient takes the direct path unless `direct: false`; the drop-in's call objects are grpc-js's.
      tooManyResponses: direct,
    },
    async serve(implementation, options = {}) {
      const makeClient = (clientOptions?: grpc.ClientOptions): TestServiceClient => {
        const client = createInProcessClient(TestService, implementation, {
          ...(clientOptions ?? options.client),
          messages: mode,
          direct,
          ...(options.server === undefined && options.serverService === undefined
            ? {}
            : { server: { ...options.server, ...(options.serverService === undefined ? {} : { service: options.serverService }) } }),
        });
        clients.push(client);
        return client;
      };
      return {
        client: makeClient(),
        makeClient,
        makeUnimplementedServiceClient() {
          const client = createInProcessClient(UnimplementedService, {}, { messages: mode, direct });
          clients.push(client);
          return client;
        },
      };
    },
    async closeAll() {
      for (const client of clients.splice(0)) client.close();
    },
  };
}

/**
 * A transport whose servers run every call behind a server interceptor that lets everything through: on the
 * in-process client that sends even adapter-written handlers through their server call objects.
 */
function withServerInterceptor(transport: Transport): Transport {
  const passThrough: grpc.ServerInterceptor = (_method, call) => new grpc.ServerInterceptingCall(call);
  return {
    name: `${transport.name} behind a server interceptor`,
    differences: transport.differences,
    serve: (implementation, options = {}) =>
      transport.serve(implementation, { ...options, server: { ...options.server, interceptors: [passThrough, ...(options.server?.interceptors ?? [])] } }),
    closeAll: () => transport.closeAll(),
  };
}

const transports: readonly Transport[] = [tcp, unix, pipe, inProcess("share"), inProcess("clone"), inProcess("serialize")];

export { inProcess, pipe, tcp, transports, unix, withServerInterceptor };
export type { Differences, ServeOptions, Served, Transport };
