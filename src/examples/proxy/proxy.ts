// The Thanos fan-out pattern: one ListStrings handler that asks several backends at once — some in this process,
// some remote — merges their streams, drops duplicates, and forwards cancellation to every backend call.
// (Thanos' first in-process version forgot to stop a reader on cancellation, and blocked compaction: PR 7821.)
import { merge } from "../../core/index.js";
import { asyncClient, serverStreaming } from "../../grpc/index.js";
import type { ListStringsRequest, StringValue, StringsClient } from "../list-strings/service.js";

/** A backend: any Strings client, in-process or remote; the proxy cannot tell them apart. */
export interface Backend {
  readonly name: string;
  readonly client: StringsClient;
}

/**
 * A ListStrings handler (for `server.addService` or `createInProcessClient`) that merges every backend's
 * stream and yields each distinct value once.
 *
 * Cancellation needs no code of its own: the caller cancelling aborts `ctx.signal`, which stops the merge
 * (given as its `signal`), which stops every backend stream, which cancels every backend call; and each
 * call is also given the signal. Breaking out early does the same through `return()`.
 */
export function proxyListStrings(backends: readonly Backend[]): ReturnType<typeof serverStreaming<ListStringsRequest, StringValue>> {
  const clients = backends.map((backend) => ({ name: backend.name, strings: asyncClient(backend.client) }));
  return serverStreaming<ListStringsRequest, StringValue>(async function* (request, ctx) {
    const streams = clients.map(({ strings }) => strings.ListStrings(request, { signal: ctx.signal }));
    const seen = new Set<string>();
    for await (const message of merge(streams, { name: "proxy ListStrings", signal: ctx.signal })) {
      if (seen.has(message.value)) continue;
      seen.add(message.value);
      yield message;
    }
  });
}
