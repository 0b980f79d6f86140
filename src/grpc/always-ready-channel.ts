import { connectivityState as ConnectivityState } from "@grpc/grpc-js";
import type { ChannelInterface } from "@grpc/grpc-js";

/**
 * What sluice's channels (in-process, pipe) share: READY from the start until `close()`, never
 * connecting anything grpc-js would watch. Subclasses say how a call is made.
 */
abstract class AlwaysReadyChannel implements ChannelInterface {
  /** Set by `close()`; new calls then throw like grpc-js's "Channel has been shut down". */
  #closed = false;
  /** What `getTarget()` reports. */
  readonly #target: string;

  constructor(target: string) {
    this.#target = target;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  getTarget(): string {
    return this.#target;
  }

  getConnectivityState(_tryToConnect: boolean): ConnectivityState {
    return this.#closed ? ConnectivityState.SHUTDOWN : ConnectivityState.READY;
  }

  watchConnectivityState(currentState: ConnectivityState, deadline: Date | number, callback: (error?: Error) => void): void {
    // The state only changes on close(), which grpc-js callers do not wait for; honour the deadline like grpc-js.
    if (currentState !== this.getConnectivityState(false)) {
      setImmediate(callback);
      return;
    }
    const ms = (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now();
    if (ms === Infinity) return;
    setTimeout(() => callback(new Error("Deadline passed without connectivity state change")), Math.max(0, ms));
  }

  getChannelzRef(): ReturnType<ChannelInterface["getChannelzRef"]> {
    return { kind: "channel", id: -1, name: this.#target } as ReturnType<ChannelInterface["getChannelzRef"]>;
  }

  abstract createCall(...args: Parameters<ChannelInterface["createCall"]>): ReturnType<ChannelInterface["createCall"]>;
}

export { AlwaysReadyChannel };
