// sluice, sluice/interop and sluice/testing run outside Node: each is bundled by esbuild for the browser platform
// (which fails on any Node built-in), and the core's smoke checks (smoke.ts) run where no Node global exists (a
// `vm` context with only web APIs), in headless Chromium, in Deno and in Bun. A runtime that is not installed is
// skipped with the reason printed, never passed silently; `.ci/run` installs Chromium, and npm ci installs Deno
// and Bun (their npm packages ship the binaries).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import vm from "node:vm";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type SmokeReport, checkNames } from "./smoke.js";

const repo = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "sluice-runtimes-"));
let bundle = "";
let bundlePath = "";
let expectedChecks = 0;

/** Bundles `entry` for the browser platform; esbuild fails on any import it cannot resolve there (node:*). */
async function browserBundle(entry: string, format: "iife" | "esm" = "esm"): Promise<{ code: string; inputs: string[] }> {
  const result = await esbuild.build({
    entryPoints: [join(repo, entry)],
    bundle: true,
    platform: "browser",
    format,
    target: "es2022",
    write: false,
    metafile: true,
    minify: format === "esm",
    logLevel: "silent",
  });
  return { code: result.outputFiles[0]?.text ?? "", inputs: Object.keys(result.metafile.inputs).map((input) => relative(repo, join(repo, input))) };
}

function checkReport(report: SmokeReport): void {
  const failed = report.results.filter((r) => !r.ok);
  expect(failed).toEqual([]);
  expect(report.results.map((r) => r.name)).toEqual(checkNames);
}

/** Where a runtime's binary is, or why it is not there. */
function binary(name: string, candidates: readonly string[]): { path: string } | { reason: string } {
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "pipe", timeout: 20_000 });
      return { path: candidate };
    } catch {
      // try the next place
    }
  }
  return { reason: `${name} is not installed (looked at ${candidates.join(", ")}); npm ci installs it from its npm package` };
}

function skipLoudly(skip: (note?: string) => void, reason: string): void {
  console.warn(`SKIPPED: ${reason}`);
  skip(reason);
}

beforeAll(async () => {
  const built = await browserBundle("test/runtimes/entry.ts", "iife");
  bundle = built.code;
  bundlePath = join(work, "smoke.js");
  writeFileSync(bundlePath, bundle);
  expectedChecks = checkNames.length;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("browser bundles", () => {
  test.each([
    ["sluice", "src/core/index.ts"],
    ["sluice/interop", "src/interop/index.ts"],
    ["sluice/testing", "src/testing/index.ts"],
  ])("%s bundles for the browser platform, with no Node built-in and no Node-only part", async (name, entry) => {
    const { code, inputs } = await browserBundle(entry);
    const nodeOnly = inputs.filter((input) => /^src\/(node|grpc)\/|^src\/interop\/effect|^src\/testing\/(vitest-setup|node-test|mocha)|node_modules\/@grpc/.test(input));
    expect(nodeOnly).toEqual([]);
    expect(code).not.toMatch(/\bfrom\s*["']node:|require\(["']node:/);
    console.log(`${name}: ${(code.length / 1024).toFixed(1)} kB minified, ${(gzipSync(code).length / 1024).toFixed(1)} kB gzip, ${inputs.length} files`);
  });

  test("the check can fail: sluice/node does not bundle for the browser", async () => {
    await expect(browserBundle("src/node/index.ts")).rejects.toThrow(/node:stream/);
  });

  test("the smoke bundle holds every check", () => {
    expect(expectedChecks).toBeGreaterThanOrEqual(14);
  });
});

describe("the smoke checks, in every runtime", () => {
  test("where no Node global exists (a vm context with only web APIs)", async () => {
    const lines: string[] = [];
    const context = vm.createContext({
      console: { log: (line: string) => void lines.push(line), warn: () => undefined, error: () => undefined },
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      queueMicrotask,
      AbortController,
      AbortSignal,
      EventTarget,
      Event,
      DOMException,
      ReadableStream,
      WritableStream,
      CountQueuingStrategy,
      TextEncoder,
      TextDecoder,
    });
    new vm.Script(bundle, { filename: "smoke.js" }).runInContext(context);
    const report = (await (context as { __sluiceSmoke: Promise<SmokeReport> }).__sluiceSmoke) as SmokeReport;
    expect(report.environment).toMatchObject({ process: "undefined", Buffer: "undefined", require: "undefined", setImmediate: "undefined", global: "undefined" });
    checkReport(report);
    expect(lines.at(-1)).toBe(`smoke: ${expectedChecks} passed, 0 failed`);
  });

  test("headless Chromium", async ({ skip }) => {
    const executable = process.env["SLUICE_CHROMIUM"] ?? "/usr/bin/chromium";
    if (!existsSync(executable)) return skipLoudly(skip, `no Chromium at ${executable} (.ci/run installs Debian's chromium; set SLUICE_CHROMIUM to use another)`);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: executable,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => void errors.push(error.message));
      await page.setContent("<!doctype html><title>sluice smoke</title>");
      await page.addScriptTag({ content: bundle });
      const report = await page.evaluate(() => (globalThis as unknown as { __sluiceSmoke: Promise<SmokeReport> }).__sluiceSmoke);
      expect(errors).toEqual([]);
      expect(report.environment).toMatchObject({ process: "undefined", Buffer: "undefined", require: "undefined", window: "object" });
      checkReport(report);
      console.log(`Chromium ${browser.version()}: ${report.results.length} passed`);
    } finally {
      await browser.close();
    }
  }, 60_000);

  test.for([
    { name: "Deno", bin: "deno", platformBinary: "@deno/linux-x64-glibc/deno", args: ["run", "--quiet", "--no-prompt", "--no-config"] },
    { name: "Bun", bin: "bun", platformBinary: "@oven/bun-linux-x64/bin/bun", args: [] },
  ])("$name", { timeout: 60_000 }, async ({ name, bin, platformBinary, args }, { skip }) => {
    const found = binary(name, [join(repo, "node_modules", ".bin", bin), join(repo, "node_modules", platformBinary)]);
    if ("reason" in found) return skipLoudly(skip, found.reason);
    // Deno runs without --allow-env: reading an environment variable must not break the core there.
    const output = execFileSync(found.path, [...args, bundlePath], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(work, "deno"), NO_COLOR: "1" },
    });
    const lines = output.trim().split("\n");
    const report = JSON.parse(lines.at(-2) ?? "{}") as SmokeReport;
    checkReport(report);
    expect(lines.at(-1)).toBe(`smoke: ${expectedChecks} passed, 0 failed`);
    console.log(`${name} ${execFileSync(found.path, ["--version"], { encoding: "utf8" }).trim().split("\n")[0]}: ${report.results.length} passed`);
  });
});
