// The demo's examples run here too, so they cannot rot.
import { expect, test } from "vitest";
import { eventSourceExample, leakExample, producerExample } from "../../src/examples/event-source.js";
import { recorder } from "../helpers.js";

test("event source example: three readings, then the teardown detaches the listener", async () => {
  const { lines, log } = recorder();
  await eventSourceExample(log);
  expect(lines).toEqual(["reading 1", "reading 2", "reading 3", "teardown ran: sensor stopped, 0 listeners left"]);
});

test("producer example: pages until the abort, then the producer exits with its signal aborted", async () => {
  const { lines, log } = recorder();
  await producerExample(log);
  expect(lines[0]).toBe("got page 1");
  expect(lines).toContain("loop ended with AbortError (cause: user cancelled)");
  expect(lines.at(-1)).toBe("producer exited (signal aborted: true)");
});

test("leak example: the forgotten bridge is listed, then gone after return()", async () => {
  const { lines, log } = recorder();
  await leakExample(log);
  expect(lines).toEqual(['open: subscribe "forgotten readings": idle: nobody is reading it', "after return(): 0 open bridges"]);
});
