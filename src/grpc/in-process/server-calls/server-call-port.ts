import type { ServerInterceptingCallInterface } from "@grpc/grpc-js";

/**
 * The handler's side of one call: grpc-js's public `ServerInterceptingCallInterface`, so that server
 * interceptors (`new grpc.ServerInterceptingCall(next, responder)`) can wrap it exactly as they wrap
 * grpc-js's HTTP/2 server call. After the call is over every method is a no-op, as in grpc-js.
 */
type ServerCallPort = ServerInterceptingCallInterface & {
  /**
   * A port that can take a response at once may offer this lane (the direct path does; a server interceptor's
   * wrapper does not, so intercepted calls keep the one-message-at-a-time protocol): a server stream's plain
   * `write(message)` hands the message over here instead of going through its Writable. Returns whether the
   * caller has room for more (a Writable's `write()` result); when it has not, `onRoom` runs once it has (the
   * stream then emits `'drain'`), unless the call ended meanwhile.
   */
  readonly offerResponse?: ((message: unknown, onRoom: () => void) => boolean) | undefined;
};

/** What the server call objects give to `start()` (grpc-js: `InterceptingServerListener`). */
type ServerCallListener = Parameters<ServerCallPort["start"]>[0];

/**
 * The write callback of every message of a batch but the last. The in-process call recognises it and
 * skips its bookkeeping (a server interceptor that wraps callbacks just gets a no-op called).
 */
const batchedWrite = (): void => {};

/** Sends a batch of a server stream's writes (its `_writev`); `callback` fires when the last was taken. */
function sendBatch(port: ServerCallPort, chunks: ReadonlyArray<{ readonly chunk: unknown }>, callback: () => void): void {
  const last = chunks.length - 1;
  for (let i = 0; i < last; i++) port.sendMessage((chunks[i] as { chunk: unknown }).chunk, batchedWrite);
  port.sendMessage((chunks[last] as { chunk: unknown }).chunk, () => callback());
}

export { batchedWrite, sendBatch };
export type { ServerCallListener, ServerCallPort };
