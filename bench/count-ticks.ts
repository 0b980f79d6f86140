// Throwaway (not shipped): counts process.nextTick and queueMicrotask calls per message of one in-process ListStrings call.
// Run: npx tsx bench/count-ticks.ts [src/grpc/index.ts path]
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
import type { TestServiceClient } from "../test/grpc/fixtures/test-service.js";

type Factory = (ctor: typeof TestService, impl: object) => TestServiceClient;
const path = process.argv[2] ?? "../src/grpc/index.js";
const { createInProcessClient } = (await import(path)) as { createInProcessClient: Factory };
const client = createInProcessClient(TestService, interopHandlers);
const count = 10_000;
const run = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const stream = client.ListStrings({ count, size: 100 });
    stream.on("data", () => {});
    stream.on("error", reject);
    stream.on("end", resolve);
  });
await run();
let ticks = 0;
const original = process.nextTick;
process.nextTick = ((...args: Parameters<typeof process.nextTick>) => {
  ticks += 1;
  original(...args);
}) as typeof process.nextTick;
await run();
process.nextTick = original;
console.log(`${(ticks / count).toFixed(3)} nextTicks per message`);
client.close();
