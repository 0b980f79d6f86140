import type { ServerUnaryCall } from "@grpc/grpc-js";

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

export { createNoopMetricsRecorder, emptyAuthContext };
export type { AuthContext, MetricsRecorder };
