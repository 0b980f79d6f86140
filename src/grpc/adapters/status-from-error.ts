import { status as Status } from "@grpc/grpc-js";
import type { StatusObject , Metadata} from "@grpc/grpc-js";
import { errorText, isInstance } from "../../core/errors.js";
import { GrpcError } from "../grpc-error.js";

/**
 * The status a handler's throw becomes: a {@link GrpcError} gives its own code, details and metadata
 * (added after `trailers`); anything else is UNKNOWN "Unknown error", or grpc-js's
 * "Server method handler threw error <message>" when `GRPC_NODE_DEBUG_SEND_ERROR_DETAILS=true`, the
 * switch grpc-js itself reads for a throwing handler. @internal
 */
export function statusFromError(error: unknown, trailers: Metadata): StatusObject {
  if (isInstance(error, GrpcError)) {
    const metadata = trailers.clone();
    metadata.merge(error.metadata);
    return { code: error.code, details: error.details, metadata };
  }
  const details =
    process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"] === "true"
      ? `Server method handler threw error ${errorText(error)}`
      : "Unknown error";
  return { code: Status.UNKNOWN, details, metadata: trailers };
}
