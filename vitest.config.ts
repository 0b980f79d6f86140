import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // An unhandled rejection or uncaught exception anywhere fails the run: the library promises never to cause one.
    dangerouslyIgnoreUnhandledErrors: false,
    // The GC backstop tests need a callable `gc()`; it costs nothing elsewhere.
    execArgv: ["--expose-gc"],
    // Every test fails if it leaves a bridge open (sluice/testing, applied to ourselves).
    setupFiles: ["./src/testing/vitest-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
