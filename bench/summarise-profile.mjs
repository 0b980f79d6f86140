// Summarises a .cpuprofile: self time by function (name file:line), top N. Run: node bench/summarise-profile.mjs FILE [N=40]
import { readFileSync } from "node:fs";
const profile = JSON.parse(readFileSync(process.argv[2], "utf8"));
const top = Number(process.argv[3] ?? 40);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || "(anon)"} ${url.replace(/^.*node_modules\//, "").replace(/^.*wt-perf\//, "").replace(/^node:/, "")}:${lineNumber + 1}`;
  const d = dt[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + d);
  total += d;
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`total ${(total / 1000).toFixed(0)} ms`);
for (const [key, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
// Categories (module loading excluded from the denominator): who owns the per-message time.
const category = (key) => {
  if (/esm\/|cjs\/|tsx\/|bootstrap|source_map|lexer|package_json|wasm|readFileUtf8|internalModuleStat|compile|protobufjs|proto-loader|\(idle\)|\(program\)|path:/.test(key)) return null;
  if (key.includes("task_queues")) return "tick scheduling (process.nextTick + task queue)";
  if (key.includes("streams/writable")) return "node Writable (handler's server stream)";
  if (key.includes("streams/readable") || key.includes("grpc-js/")) return "node Readable + grpc-js client call objects";
  if (key.includes("events:")) return "EventEmitter emit/listeners";
  if (key.includes("src/grpc/")) return "sluice src/grpc";
  if (key.includes("garbage")) return "GC";
  if (key.includes("test/grpc/fixtures") || key.includes("bench/")) return "handler + consumer (benchmark code)";
  return "other: " + key;
};
const cats = new Map();
let counted = 0;
for (const [key, us] of self) {
  const c = category(key);
  if (c === null) continue;
  const name = c.startsWith("other") ? "other" : c;
  cats.set(name, (cats.get(name) ?? 0) + us);
  counted += us;
}
console.log(`\nby owner (excluding module loading and idle; ${(counted / 1000).toFixed(0)} ms):`);
for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`${((100 * us) / counted).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${c}`);
