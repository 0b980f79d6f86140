import type { Deadline, Metadata, ServerUnaryCall } from "@grpc/grpc-js";
import type { ServerCallPort } from "./server-call-port.js";

/** grpc-js's per-request metrics recorder type (its class is not exported). */
type MetricsRecorder = ReturnType<ServerUnaryCall<unknown, unknown>["getMetricsRecorder"]>;
/** grpc-js's auth context type. */
type AuthContext = ReturnType<ServerUnaryCall<unknown, unknown>["getAuthContext"]>;

/**
 * A recorder that records nothing: in-process calls have no ORCA load reports to attach it to.
 * grpc-js's recorder class is not exported, hence the one cast.
 */
function createNoopMetricsRecorder(): MetricsRecorder {
  const ignore = (): void => {};
  return {
    recordRequestCostMetric: ignore,
    recordUtilizationMetric: ignore,
    recordNamedMetric: ignore,
    recordCPUUtilizationMetric: ignore,
    recordMemoryUtilizationMetric: ignore,
    recordApplicationUtilizationMetric: ignore,
    recordQpsMetric: ignore,
    recordEpsMetric: ignore,
    serialize: () => Buffer.alloc(0),
  } as unknown as MetricsRecorder;
}

/** In-process calls carry no transport security; grpc-js returns `{}` for plaintext connections. */
const emptyAuthContext: AuthContext = {};

/** Where an in-process server call keeps its transport, for the accessors installed by {@link installCallSurface}. */
const callPort: unique symbol = Symbol("sluice.grpc.callPort");
/** Where it keeps its method path, `/package.Service/Method`. */
const callPath: unique symbol = Symbol("sluice.grpc.callPath");

/** A server call class's instances: they hold their port and path under the symbols above. */
interface CallSurfaceHost {
  readonly [callPort]: ServerCallPort;
  readonly [callPath]: string;
}

/** grpc-js's accessors, shared by every server call kind (unary, readable, writable, duplex). */
interface CallSurface {
  getPeer(): string;
  sendMetadata(responseMetadata: Metadata): void;
  getDeadline(): Deadline;
  getPath(): string;
  getHost(): string;
  getAuthContext(): AuthContext;
  getMetricsRecorder(): MetricsRecorder;
}

const surface: CallSurface & ThisType<CallSurfaceHost> = {
  getPeer() {
    return this[callPort].getPeer();
  },
  sendMetadata(responseMetadata) {
    this[callPort].sendMetadata(responseMetadata);
  },
  getDeadline() {
    return this[callPort].getDeadline();
  },
  getPath() {
    return this[callPath];
  },
  getHost() {
    return this[callPort].getHost();
  },
  getAuthContext() {
    return this[callPort].getAuthContext();
  },
  getMetricsRecorder() {
    return this[callPort].getMetricsRecorder();
  },
};

/**
 * Gives a server call class grpc-js's accessors, answered by its port. The four call classes extend four
 * different Node bases (EventEmitter, Readable, Writable, Duplex), so the accessors are written once here and
 * installed on each prototype (declare them with `interface Class extends CallSurface {}`).
 */
function installCallSurface(target: { readonly prototype: object }): void {
  for (const [name, method] of Object.entries(surface)) {
    Object.defineProperty(target.prototype, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
}

export { callPath, callPort, createNoopMetricsRecorder, emptyAuthContext, installCallSurface };
export type { AuthContext, CallSurface, CallSurfaceHost, MetricsRecorder };
