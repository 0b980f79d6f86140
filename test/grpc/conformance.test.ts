import { defineConformanceSuite } from "./conformance-suite.js";
import { transports } from "./transports.js";

for (const transport of transports) defineConformanceSuite(transport);
