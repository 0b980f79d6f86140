// `npm run demo`: what sluice does, in a few seconds.
import { eventSourceExample, leakExample, producerExample } from "./event-source.js";

const log = (line: string): void => console.log(line);

log("1. An EventEmitter as a for-await loop; break stops it:");
await eventSourceExample(log);
log("\n2. A producer function pulled one value at a time, cancelled by an AbortSignal:");
await producerExample(log);
log("\n3. Leak detection: a bridge read once and forgotten is listed by openBridges():");
await leakExample(log);
