import { defineAsyncConformanceSuite } from "./async-conformance-suite.js";
import { inProcess, pipe, tcp, withServerInterceptor } from "./transports.js";

// asyncClient over grpc-js (the oracle), the pipe, the in-process drop-in path, and the direct path in each message
// mode (and behind a server interceptor, which sends adapter-written handlers through server call objects).
const transports = [
  tcp,
  pipe,
  inProcess("share", { direct: false }),
  inProcess("share"),
  inProcess("clone"),
  inProcess("serialize"),
  withServerInterceptor(inProcess("share")),
];
for (const transport of transports) for (const style of ["plain", "adapters"] as const) defineAsyncConformanceSuite(transport, style);
