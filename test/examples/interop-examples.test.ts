// The demo's interop examples run here too, so they cannot rot.
import { expect, test } from "vitest";
import { duplexExample, effectExample, pushableExample } from "../../src/examples/interop.js";
import { recorder } from "../helpers.js";

test("pushable example: it-pushable leaves the first of two concurrent reads pending; sluice settles both in order", async () => {
  const { lines, log } = recorder();
  await pushableExample(log);
  expect(lines).toEqual([
    "it-pushable: first next() → still pending, second next() → a",
    "sluice/interop: first next() → a, second next() → b",
  ]);
});

test("duplex example: the fake peer answers every request through it-pipe", async () => {
  const { lines, log } = recorder();
  await duplexExample(log);
  expect(lines).toEqual(['pipe(["ping", "pong"], peer, collect) → ["PING","PONG"]']);
});

test("effect example: interruption detaches the listener; break runs the stream's finalizer before the loop is left", async () => {
  const { lines, log } = recorder();
  await effectExample(log);
  expect(lines).toEqual([
    "toStream: the fiber saw [1,2,3]; after Fiber.interrupt, 0 listeners are left",
    "fromStream: the stream's finalizer ran",
    "fromStream: got 1, got 2, then break; 0 bridges open",
  ]);
});
