// The proxy at work, for `npm run demo` and its test: three backends (two in-process, one over TCP on
// 127.0.0.1:0) behind a proxy served over TCP; a caller reads a little and breaks out; every backend call is
// cancelled and every backend handler's `finally` runs.
import * as grpc from "@grpc/grpc-js";
import { openBridges } from "../../core/index.js";
import { asyncClient, createInProcessClient, serverStreaming } from "../../grpc/index.js";
import { type ListStringsRequest, type StringValue, type StringsClient, stringsClientClass } from "../list-strings/service.js";
import { type Backend, proxyListStrings } from "./proxy.js";

/** What a backend saw: calls started, cancelled (its signal aborted), and finished (its `finally` ran). */
export interface BackendStats {
  started: number;
  cancelled: number;
  finished: number;
}

/** A replica's ListStrings: the same values on every replica (so the proxy has duplicates to drop), paced a little. */
export function replicaHandler(stats: BackendStats): ReturnType<typeof serverStreaming<ListStringsRequest, StringValue>> {
  return serverStreaming<ListStringsRequest, StringValue>(async function* ({ count, prefix }, ctx) {
    stats.started += 1;
    try {
      for (let i = 0; i < count; i += 1) {
        yield { value: `${prefix}${i}` };
        if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } finally {
      // Checked here, not with an abort listener: grpc-js also emits 'cancelled' after a call that succeeded
      // (since 1.10, grpc-node#2771), so only an abort seen while the handler still ran is a cancellation.
      if (ctx.signal.aborted) stats.cancelled += 1;
      stats.finished += 1;
    }
  });
}

async function listen(implementation: grpc.UntypedServiceImplementation): Promise<{ target: string; close: () => Promise<void> }> {
  const server = new grpc.Server();
  server.addService(stringsClientClass().service, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { target: `127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

function remoteClient(target: string): StringsClient {
  const Strings = stringsClientClass();
  return new Strings(target, grpc.credentials.createInsecure()) as unknown as StringsClient;
}

/** Polls until `done()` or the time is up; the proxy's cancellations travel over TCP, so they take a few turns. */
async function settle(done: () => boolean, ms = 2_000): Promise<boolean> {
  for (const until = Date.now() + ms; !done() && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 5));
  return done();
}

export interface ProxyRun {
  readonly received: string[];
  readonly backends: Record<string, BackendStats>;
  /** Open bridges after everything settled (0 when nothing leaked). */
  readonly openBridges: number;
}

/** Runs the proxy: reads `take` values of a long stream (or everything, if `take` is undefined), then stops. */
export async function runProxy(options: { count: number; take?: number }): Promise<ProxyRun> {
  const stats: Record<string, BackendStats> = {
    "in-process A": { started: 0, cancelled: 0, finished: 0 },
    "in-process B": { started: 0, cancelled: 0, finished: 0 },
    "remote over TCP": { started: 0, cancelled: 0, finished: 0 },
  };
  const implementation = (name: string) => ({ ListStrings: replicaHandler(stats[name] as BackendStats) }) as unknown as grpc.UntypedServiceImplementation;
  const remote = await listen(implementation("remote over TCP"));
  const backends: Backend[] = [
    { name: "in-process A", client: createInProcessClient(stringsClientClass(), implementation("in-process A")) as unknown as StringsClient },
    { name: "in-process B", client: createInProcessClient(stringsClientClass(), implementation("in-process B")) as unknown as StringsClient },
    { name: "remote over TCP", client: remoteClient(remote.target) },
  ];
  const proxy = await listen({ ListStrings: proxyListStrings(backends) } as unknown as grpc.UntypedServiceImplementation);
  const caller = remoteClient(proxy.target);
  const received: string[] = [];
  try {
    for await (const { value } of asyncClient(caller).ListStrings({ count: options.count, size: 0, prefix: "s" })) {
      received.push(value);
      if (options.take !== undefined && received.length >= options.take) break; // cancels the proxy call
    }
    await settle(() => Object.values(stats).every((s) => s.finished === s.started && s.started === 1));
  } finally {
    caller.close();
    for (const backend of backends) backend.client.close();
    await Promise.all([proxy.close(), remote.close()]);
  }
  return { received, backends: stats, openBridges: openBridges().length };
}

/** The demo's narration of one early break. */
export async function proxyExample(log: (line: string) => void): Promise<void> {
  const run = await runProxy({ count: 1_000_000, take: 5 });
  log(`  the caller read ${run.received.join(", ")} from the proxy, then broke out of its loop`);
  for (const [name, s] of Object.entries(run.backends)) {
    log(`  backend ${name.padEnd(16)} calls ${s.started}, cancelled ${s.cancelled}, handler finally ran ${s.finished}`);
  }
  log(`  open bridges afterwards: ${run.openBridges}`);
}
