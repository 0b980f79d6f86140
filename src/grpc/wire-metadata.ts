import type { Metadata } from "@grpc/grpc-js";

/**
 * Copies metadata the way a trip over HTTP/2 leaves it: repeated plain (non `-bin`) values arrive
 * joined by `", "` as one value (Node's http2 joins duplicate headers and grpc-js does not split
 * them again), while repeated `-bin` values stay separate Buffers.
 */
function wireMetadata(metadata: Metadata): Metadata {
  const copy = metadata.clone();
  for (const [key, value] of Object.entries(copy.getMap())) {
    if (key.endsWith("-bin") || typeof value !== "string") continue;
    const values = copy.get(key);
    if (values.length > 1) copy.set(key, values.join(", "));
  }
  return copy;
}

export { wireMetadata };
