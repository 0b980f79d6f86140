// Benchmarks assert nothing about time; a tiny run of each keeps them from rotting (each case checks its own sum).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

test("bench/bridge.ts --quick runs every peer in every mode", async () => {
  const { stdout } = await run(process.execPath, ["--expose-gc", "--import", "tsx", "bench/bridge.ts", "--quick"], {
    cwd: root,
    timeout: 60_000,
  });
  expect(stdout).toContain("| **sluice** |");
  for (const peer of ["it-pushable", "@repeaterjs/repeater", "events.on", "Readable", "ReadableStream", "Effect Stream"]) {
    expect(stdout).toContain(`| ${peer} |`);
  }
}, 60_000);

test("bench/core-quick.ts runs", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/core-quick.ts"], {
    cwd: root,
    timeout: 60_000,
    env: { ...process.env, BENCH_N: "2000", BENCH_ROUNDS: "1" },
  });
  expect(stdout).toContain("channel burst");
}, 60_000);

test("bench/grpc.ts --quick runs every option at both message sizes", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/grpc.ts", "--quick"], { cwd: root, timeout: 60_000 });
  expect(stdout).toContain("| grpc-js over 127.0.0.1 | ");
  expect(stdout).toContain("| **sluice drop-in (share)** | ");
  expect(stdout).toContain("| **sluice direct: pull the handler** | ");
  expect(stdout).toContain("1024 B: CPU ms/call");
}, 60_000);

test("bench/grpc-direct.ts --quick runs every case of the direct path's targets", async () => {
  const { stdout } = await run(process.execPath, ["--expose-gc", "--import", "tsx", "bench/grpc-direct.ts", "--quick"], { cwd: root, timeout: 90_000 });
  expect(stdout).toContain("| direct pull / bare `for await` | ");
  expect(stdout).toContain("| direct unary / drop-in unary call | ");
  expect(stdout).toMatch(/\| direct path: plain handler \(`call.write`\), read with `batches\(\)` \| [\d.]+ \| /);
}, 90_000);

test("bench/interop-effect.ts runs every case in both directions", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/interop-effect.ts"], {
    cwd: root,
    timeout: 60_000,
    env: { ...process.env, BENCH_N: "2000", BENCH_ROUNDS: "1" },
  });
  expect(stdout).toContain("toStream(channel) (nextBatch chunks)");
  expect(stdout).toContain("Effect's Stream.toAsyncIterable(Stream.range) + for await");
}, 60_000);

test("bench/interop-pushable.ts runs every mode against it-pushable", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/interop-pushable.ts"], {
    cwd: root,
    timeout: 60_000,
    env: { ...process.env, BENCH_N: "2000", BENCH_ROUNDS: "1" },
  });
  expect(stdout).toContain("| burst (object mode) | ");
  expect(stdout).toContain("| pushableV burst (batch reads) | ");
}, 60_000);

test("bench/platform.ts --quick runs every adapter beside the platform's own", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/platform.ts", "--quick"], { cwd: root, timeout: 60_000 });
  for (const adapter of ["on(emitter", "fromReadable(", "toReadable(", "drive(generator, writable)", "fromReadableStream(", "toReadableStream("]) {
    expect(stdout).toContain(adapter);
  }
}, 60_000);
