/**
 * Deep-copies a message for the `'clone'` message mode.
 *
 * Like `structuredClone`, but a `Buffer` stays a `Buffer` (proto-loader gives `bytes` fields as
 * Buffers, and `structuredClone` would turn them into plain `Uint8Array`s), class instances keep
 * their prototype (e.g. `Long` values when `longs: Long`), and functions are shared rather than
 * rejected. Cycles are preserved.
 */
function cloneMessage<T>(message: T): T {
  return copy(message, new Map()) as T;
}

function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp) return structuredClone(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copy(item, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(copy(k, seen), copy(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value) out.add(copy(v, seen));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  seen.set(value, out);
  for (const key of Object.keys(value)) out[key] = copy((value as Record<string, unknown>)[key], seen);
  return out;
}

export { cloneMessage };
