import { status as Status } from "@grpc/grpc-js";
import { errorText } from "../../../core/errors.js";
import { isThenable } from "../../../core/source.js";
import type { ServerCallPort } from "./server-call-port.js";

/** grpc-js's details for a failing handler (`GRPC_NODE_DEBUG_SEND_ERROR_DETAILS=true` shows the message). */
function unknownErrorDetails(error: unknown): string {
  if (process.env["GRPC_NODE_DEBUG_SEND_ERROR_DETAILS"] === "true") {
    return `Server method handler threw error ${errorText(error)}`;
  }
  return "Unknown error";
}

/**
 * Calls a user handler. A synchronous throw becomes UNKNOWN, as in grpc-js.
 *
 * **Deliberate difference:** if the handler returns a promise that rejects (an `async` handler
 * that throws), grpc-js ignores it and the call hangs until its deadline; in-process the call
 * ends with UNKNOWN instead (a no-op when a status was already sent).
 */
function runHandler(port: ServerCallPort, invoke: () => unknown): void {
  let result: unknown;
  try {
    result = invoke();
  } catch (error) {
    port.sendStatus({ code: Status.UNKNOWN, details: unknownErrorDetails(error), metadata: null });
    return;
  }
  try {
    if (isThenable(result)) {
      // The rejection is handled here and turned into the call's status; nothing else awaits it.
      result.then(undefined, (error: unknown) => {
        port.sendStatus({ code: Status.UNKNOWN, details: unknownErrorDetails(error), metadata: null });
      });
    }
  } catch {
    // A result whose `then` throws (a proxy whose traps throw): grpc-js ignores what a handler returns, and so
    // does this, but for a promise's rejection.
  }
}

export { runHandler };
