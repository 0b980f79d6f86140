// The leak checks plugged into other test runners, each run for real as a child process: Node's own runner with
// `--import sluice/testing/node-test`, and mocha with `--require sluice/testing/mocha` (root hooks). A planted leak
// must fail its test, naming the bridge; a clean twin must pass; a bridge opened in a `before` hook is not blamed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, test, vi } from "vitest";

const repo = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "sluice-runners-"));
const core = pathToFileURL(join(repo, "src", "core", "index.ts")).href;

afterAll(() => rmSync(work, { recursive: true, force: true }));
vi.setConfig({ testTimeout: 90_000 }); // each test starts a runner (and tsx) in a child process: seconds on a busy machine

/** A test file for a runner whose `describe`/`it`/`before` come from `imports`. */
function testFile(name: string, imports: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `${imports}\nimport { channel } from ${JSON.stringify(core)};\n${body}\n`);
  return path;
}

const planted = `
describe("a suite", () => {
  it("leaves a bridge open", async () => {
    const ch = channel({ name: "planted" });
    ch.push(1);
  });
});`;

const clean = `
let shared;
describe("a suite", () => {
  before(() => { shared = channel({ name: "opened-in-before" }); }); // open for the whole suite: not a leak of a test
  after(() => shared.return());
  it("closes what it opens", async () => {
    const ch = channel({ name: "closed" });
    ch.push(1);
    ch.end();
    for await (const _ of ch) {}
  });
});`;

function run(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, args, { cwd: repo, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("node:test with --import sluice/testing/node-test", () => {
  const setup = join(repo, "src", "testing", "node-test.ts");
  const imports = `import { after, before, describe, it } from "node:test";`;
  const nodeTest = (file: string) => run(["--import", "tsx", "--import", setup, "--test", "--test-reporter=spec", file]);

  test("a planted leak fails its test, naming the bridge", () => {
    const { status, output } = nodeTest(testFile("planted.test.mjs", imports, planted));
    expect(status).not.toBe(0);
    expect(output).toMatch(/channel "planted"/);
    expect(output).toMatch(/fail 1/);
  });

  test("its clean twin passes (a bridge opened in before() is not blamed)", () => {
    const { status, output } = nodeTest(testFile("clean.test.mjs", imports, clean));
    expect(output).toMatch(/pass 1/);
    expect(status).toBe(0);
  });
});

describe("mocha with --require sluice/testing/mocha", () => {
  // An ESM wrapper: a .ts given to --require would be loaded as CommonJS by tsx, a second copy of the core with its
  // own registry (the shipped package is ESM only, so users get one copy either way).
  const hooks = join(work, "hooks.mjs");
  writeFileSync(hooks, `export { mochaHooks } from ${JSON.stringify(pathToFileURL(join(repo, "src", "testing", "mocha.ts")).href)};\n`);
  const mocha = join(repo, "node_modules", "mocha", "bin", "mocha.js");
  // mocha's describe/it/before are globals.
  const mochaRun = (file: string) => run(["--import", "tsx", mocha, "--require", hooks, "--reporter", "spec", file]);

  test("a planted leak fails its test, naming the bridge", () => {
    const { status, output } = mochaRun(testFile("planted.spec.mjs", "", planted));
    expect(status).not.toBe(0);
    expect(output).toMatch(/channel "planted"/);
    expect(output).toMatch(/1 failing/);
  });

  test("its clean twin passes (a bridge opened in before() is not blamed)", () => {
    const { status, output } = mochaRun(testFile("clean.spec.mjs", "", clean));
    expect(output).toMatch(/1 passing/);
    expect(output).not.toMatch(/failing/);
    expect(status).toBe(0);
  });
});
