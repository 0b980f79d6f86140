// `npm run demo`: what sluice does, in well under a minute, with no setup.
import { compareOptions, formatComparison } from "./list-strings/compare.js";
import { eventSourceExample, leakExample, producerExample } from "./event-source.js";
import { duplexExample, effectExample, pushableExample } from "./interop.js";
import { proxyExample } from "./proxy/example.js";

const log = (line: string): void => console.log(line);

log("1. Calling your own gRPC service, every way side by side (real grpc-js servers on 127.0.0.1:0, a unix socket, an in-memory pipe)\n");
const settings = { count: 10_000, size: 100 };
log(formatComparison(await compareOptions({ ...settings, calls: 5 }), settings));

log("\n2. A fan-out proxy (the Thanos pattern) over two in-process backends and one remote backend:");
await proxyExample(log);

log("\n3. An EventEmitter as a for-await loop; break stops it:");
await eventSourceExample(log);
log("\n4. A producer function pulled one value at a time, cancelled by an AbortSignal:");
await producerExample(log);
log("\n5. Leak detection: a bridge read once and forgotten is listed by openBridges():");
await leakExample(log);
log("\n6. Interop: two concurrent reads on it-pushable and on sluice's drop-in pushable():");
await pushableExample(log);
log("\n7. Interop: a fake remote peer (duplex) inside an it-pipe pipeline:");
await duplexExample(log);
log("\n8. Interop: Effect streams and sluice bridges stop each other:");
await effectExample(log);
