import type { Metadata } from "@grpc/grpc-js";

/**
 * Request keys that grpc-js's server removes before the handler sees the metadata
 * (server-interceptors.ts, BaseServerInterceptingCall constructor): they describe the transport.
 */
const transportRequestKeys = ["grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "accept-encoding", "te", "content-type"] as const;

/**
 * Copies metadata the way a trip over HTTP/2 leaves it: repeated plain (non `-bin`) values arrive
 * joined by `", "` as one value (Node's http2 joins duplicate headers and grpc-js does not split
 * them again), while repeated `-bin` values stay separate Buffers. For request metadata, the
 * transport keys grpc-js's server strips are removed too.
 */
function wireMetadata(metadata: Metadata, direction: "request" | "response"): Metadata {
  const copy = metadata.clone();
  if (direction === "request") for (const key of transportRequestKeys) copy.remove(key);
  for (const [key, value] of Object.entries(copy.getMap())) {
    if (key.endsWith("-bin") || typeof value !== "string") continue;
    const values = copy.get(key);
    if (values.length > 1) copy.set(key, values.join(", "));
  }
  return copy;
}

export { wireMetadata };
