import { defineConformanceSuite } from "./conformance-suite.js";
import { adapterHandlers } from "./fixtures/adapter-handlers.js";
import { inProcess, tcp, transports } from "./transports.js";

for (const transport of transports) defineConformanceSuite(transport);

// Adapters: the same suite against the service written with the adapters, on the oracle and in-process.
for (const transport of [tcp, inProcess("share")]) defineConformanceSuite(transport, { name: "adapters", handlers: adapterHandlers });
