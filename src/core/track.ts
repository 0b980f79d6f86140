/**
 * Leak tracking for the other layers (the in-process gRPC calls of `src/grpc`): how a resource that
 * is not a bridge joins the registry, so that it is listed by `openBridges()` and fails
 * `assertNoLeaks()` while open. Internal: not exported from the package.
 *
 * The contract is the bridges' own (registry.ts): `trackResource(handle, resource, caller)` once
 * opened, `untrackResource(resource)` once finished (idempotent). `handle` is what the user holds;
 * it is watched weakly, and `resource` must not reference it, or the GC backstop never fires.
 * `resource.stop()` releases it for the leak assertions; `collected()` runs if the handle was
 * garbage-collected while open.
 * @internal
 */
export { RegistryEntry, trackBridge as trackResource, untrackBridge as untrackResource } from "./registry.js";
export type { BridgeSnapshot as ResourceSnapshot, Tracked as TrackedResource } from "./registry.js";
