import { connectivityState as ConnectivityState } from "@grpc/grpc-js";
import type { ChannelInterface } from "@grpc/grpc-js";

/** Target string reported by {@link InProcessChannel.getTarget}. */
const inProcessTarget = "in-process";

/**
 * The channel an in-process client is built on (through the public `channelOverride` option).
 * It is always READY until closed and never opens a socket. Calls never reach `createCall`: the
 * in-process interceptor answers them first; reaching it is a bug, and it says so.
 */
class InProcessChannel implements ChannelInterface {
  /** Set by `close()`; new calls then throw like grpc-js's "Channel has been shut down". */
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  getTarget(): string {
    return inProcessTarget;
  }

  getConnectivityState(_tryToConnect: boolean): ConnectivityState {
    return this.#closed ? ConnectivityState.SHUTDOWN : ConnectivityState.READY;
  }

  watchConnectivityState(currentState: ConnectivityState, deadline: Date | number, callback: (error?: Error) => void): void {
    // The state only changes on close(), which grpc-js callers do not wait for; honour the deadline.
    if (currentState !== this.getConnectivityState(false)) {
      setImmediate(callback);
      return;
    }
    const ms = (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now();
    if (ms === Infinity) return;
    setTimeout(() => callback(new Error("Deadline passed without connectivity state change")), Math.max(0, ms));
  }

  getChannelzRef(): ReturnType<ChannelInterface["getChannelzRef"]> {
    return { kind: "channel", id: -1, name: inProcessTarget } as ReturnType<ChannelInterface["getChannelzRef"]>;
  }

  createCall(method: string): ReturnType<ChannelInterface["createCall"]> {
    throw new Error(`Expected the in-process interceptor to answer ${method}, got a call on the in-process channel (a bug in sluice/grpc)`);
  }
}

export { InProcessChannel };
