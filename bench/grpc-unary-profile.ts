// Throwaway profiling driver (not shipped): many short in-process unary calls.
// Run: node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/grpc-unary-profile.ts [calls=100000] [module=../src/grpc/index.js]
// (pass a tsc-built dist/grpc/index.js as module to profile compiled code: tsx's keepNames wraps every named closure in `__name`)
import { interopHandlers } from "../test/grpc/fixtures/interop-handlers.js";
import { TestService } from "../test/grpc/fixtures/test-service.js";
import type { TestServiceClient } from "../test/grpc/fixtures/test-service.js";

type Factory = (ctor: typeof TestService, impl: object) => TestServiceClient;
const calls = Number(process.argv[2] ?? 100_000);
const { createInProcessClient } = (await import(process.argv[3] ?? "../src/grpc/index.js")) as { createInProcessClient: Factory };
const client = createInProcessClient(TestService, interopHandlers);
const unary = (): Promise<void> => new Promise((resolve, reject) => client.EmptyCall({}, (error) => (error ? reject(error) : resolve())));
const start = performance.now();
for (let i = 0; i < calls; i += 100) await Promise.all(Array.from({ length: 100 }, unary));
console.log(`${(((performance.now() - start) * 1000) / calls).toFixed(2)} µs/call`);
client.close();
