// Wrapping an event source and a producer function as async iterators, with stop and cancellation.
import { EventEmitter } from "node:events";
import { openBridges, pull, subscribe } from "../core/index.js";

/** A stand-in for any callback API: emits a reading every millisecond until told to stop. */
class Sensor extends EventEmitter {
  #timer: NodeJS.Timeout | undefined; // the emitting interval while someone listens
  start(): void {
    let reading = 0;
    this.#timer = setInterval(() => this.emit("reading", (reading += 1)), 1);
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** An event source becomes a `for await` loop; breaking out runs the teardown. */
export async function eventSourceExample(log: (line: string) => void): Promise<void> {
  const sensor = new Sensor();
  const readings = subscribe<number>(
    (sink) => {
      sensor.on("reading", sink.push);
      sensor.start();
      return () => {
        sensor.stop();
        sensor.off("reading", sink.push);
        log(`  teardown ran: sensor stopped, ${sensor.listenerCount("reading")} listeners left`);
      };
    },
    { name: "sensor readings" },
  );
  for await (const reading of readings) {
    log(`  reading ${reading}`);
    if (reading === 3) break; // stop: teardown runs before the loop exits
  }
}

/** A producer function pulled like Go's iter.Pull: it runs one value ahead, and stops when told. */
export async function producerExample(log: (line: string) => void): Promise<void> {
  const controller = new AbortController();
  const pages = pull<string>(
    async (send, signal) => {
      try {
        for (let page = 1; ; page += 1) {
          await new Promise((resolve) => setTimeout(resolve, 2)); // a slow fetch
          if (!(await send(`page ${page}`))) return;
        }
      } finally {
        log(`  producer exited (signal aborted: ${signal.aborted})`);
      }
    },
    { name: "pages", signal: controller.signal },
  );
  setTimeout(() => controller.abort(new Error("user cancelled")), 15);
  try {
    for await (const page of pages) log(`  got ${page}`);
  } catch (error) {
    const e = error as Error;
    log(`  loop ended with ${e.name} (cause: ${(e.cause as Error).message})`);
  }
  await pages.return(); // already stopped by the abort: resolves once the producer has exited
}

/** What a leak looks like: a bridge read once and abandoned stays open, and is listed. */
export async function leakExample(log: (line: string) => void): Promise<void> {
  const sensor = new Sensor();
  const readings = subscribe<number>(
    (sink) => {
      sensor.on("reading", sink.push);
      sensor.start();
      return () => sensor.stop();
    },
    { name: "forgotten readings" },
  );
  await readings.next(); // ...and then forgotten
  for (const bridge of openBridges()) log(`  open: ${bridge.kind} "${bridge.name}": ${bridge.state}`);
  await readings.return();
  log(`  after return(): ${openBridges().length} open bridges`);
}
