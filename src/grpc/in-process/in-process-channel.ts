import type { ChannelInterface } from "@grpc/grpc-js";
import { AlwaysReadyChannel } from "../always-ready-channel.js";

/** Target string reported by {@link InProcessChannel.getTarget}. */
const inProcessTarget = "in-process";

/**
 * The channel an in-process client is built on (through the public `channelOverride` option).
 * It is always READY until closed and never opens a socket. Calls never reach `createCall`: the
 * in-process interceptor answers them first; reaching it is a bug, and it says so.
 */
class InProcessChannel extends AlwaysReadyChannel {
  constructor() {
    super(inProcessTarget);
  }

  override createCall(method: string): ReturnType<ChannelInterface["createCall"]> {
    throw new Error(`Expected the in-process interceptor to answer ${method}, got a call on the in-process channel (a bug in sluice/grpc)`);
  }
}

export { InProcessChannel };
