import { Duplex } from "node:stream";

/**
 * One end of an in-memory duplex pair: what it writes, its peer reads. A write completes (its
 * callback fires) only once the peer's readable side accepted the chunk below its highWaterMark, so
 * backpressure crosses the pair as it would a socket with small buffers. @internal
 */
class PipeEnd extends Duplex {
  /** The other end; set once both ends exist. */
  peer: PipeEnd | undefined;
  /** The callback of a write the peer could not take yet; called at the peer's next `_read`. */
  #blockedWrite: (() => void) | undefined;
  /** Reported as the socket address (grpc-js peers read it); `remotePort` stays undefined. */
  readonly remoteAddress: string;

  constructor(remoteAddress: string) {
    super({ allowHalfOpen: true });
    this.remoteAddress = remoteAddress;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (peer === undefined || peer.destroyed) return callback(new Error("Expected the other end of the pipe to be open, got it closed"));
    if (peer.push(chunk)) callback();
    else peer.#blockedWrite = () => callback();
  }

  override _read(): void {
    const resume = this.#blockedWrite;
    this.#blockedWrite = undefined;
    resume?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    this.#blockedWrite = undefined;
    if (peer !== undefined && !peer.destroyed) peer.destroy();
    callback(error);
  }

  // http2 calls these on sockets; there is no kernel socket to tune.
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/**
 * Two connected in-memory Duplex streams (what Node 22.6's `stream.duplexPair()` gives, for Node 20).
 * Destroying either end destroys the other; ending one ends the other's readable side. @internal
 */
export function createDuplexPair(names: { client: string; server: string }): [client: Duplex, server: Duplex] {
  const client = new PipeEnd(names.server);
  const server = new PipeEnd(names.client);
  client.peer = server;
  server.peer = client;
  return [client, server];
}
