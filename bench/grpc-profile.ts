// Throwaway profiling driver (not shipped): many in-process ListStrings calls of 10,000 × 100 B, 'data' events.
// Run: node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/grpc-profile.ts [share|clone|serialize] [calls=200]
// then: node bench/summarise-profile.mjs /tmp/prof/<file>.cpuprofile
import type { MessageMode } from "../src/grpc/index.js";
import { createInProcessClient } from "../src/grpc/index.js";
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";

const client = createInProcessClient(TestService, interopHandlers, { messages: (process.argv[2] ?? "share") as MessageMode });
const calls = Number(process.argv[3] ?? 200);
function one(): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = client.ListStrings({ count: 10_000, size: 100 });
    stream.on("data", () => {});
    stream.on("error", reject);
    stream.on("end", resolve);
  });
}
const times: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < calls; i++) {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  await one();
  const used = process.cpuUsage(startCpu);
  cpu.push((used.user + used.system) / 1000);
  times.push(performance.now() - start);
}
cpu.sort((a, b) => a - b);
console.log(`cpu ms/call: p10 ${(cpu[Math.floor(0.1 * (cpu.length - 1))] ?? NaN).toFixed(2)}  median ${(cpu[Math.floor(0.5 * (cpu.length - 1))] ?? NaN).toFixed(2)}`);
times.sort((a, b) => a - b);
const at = (q: number): string => (times[Math.floor(q * (times.length - 1))] ?? NaN).toFixed(2);
console.log(`ms/call: p10 ${at(0.1)}  median ${at(0.5)}  p90 ${at(0.9)}`);
client.close();
