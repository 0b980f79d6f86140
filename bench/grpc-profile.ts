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
const start = performance.now();
for (let i = 0; i < calls; i++) await one();
console.log(`${((performance.now() - start) / calls).toFixed(2)} ms/call`);
client.close();
