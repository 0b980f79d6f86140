/**
 * Mutation testing: how many deliberate bugs in the core and the interop pushable do the tests catch?
 *
 * StrykerJS (stryker.config.json) mutates each group of files and runs the tests that are about them, each
 * mutant against the tests that reach it (per-test coverage), with `SLUICE_NUM_RUNS=50` property runs:
 * - the core's bridge and combinators: test/core, test/property and test/testing;
 * - drive(): the same, plus test/platform (drive takes Node Writables and WritableStreams as they are);
 * - the interop pushable (built on the core's bridge): the same as the core, plus test/interop.
 *
 * `npm run mutate` mutates every file and writes the score per file to bench/results/mutation.md (tens of
 * minutes on 2 cores: not part of `npm test`). `npm run mutate -- src/core/drive.ts` mutates the files named
 * and prints their table and survivors without writing the results; `--concurrency <n>` (default 2) is passed
 * to Stryker. Stryker's JSON report of each group stays in reports/mutation/ (not committed).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { machine, markdownTable, writeResult } from "../bench/lib/report.js";

const root = join(import.meta.dirname, "..");
const numRuns = 50;

const coreTests = ["test/core/**/*.test.ts", "test/property/**/*.test.ts", "test/testing/**/*.test.ts"];
const groups = [
  {
    name: "core",
    files: ["src/core/bridge.ts", "src/core/ring-buffer.ts", "src/core/registry.ts", "src/core/merge.ts", "src/core/broadcast.ts", "src/core/map-concurrent.ts"],
    tests: coreTests,
  },
  // drive() takes Node Writables and WritableStreams as they are: their tests are drive's tests too.
  { name: "drive", files: ["src/core/drive.ts"], tests: [...coreTests, "test/platform/**/*.test.ts"] },
  { name: "interop", files: ["src/interop/pushable.ts"], tests: [...coreTests, "test/interop/**/*.test.ts"] },
] as const;

/** The score each file must reach (killed + timed out, over the mutants that ran). */
const targets: Record<string, number> = { "src/core/bridge.ts": 95 };
const defaultTarget = 90;

// ------------------------------------------------------------------------------------------------ arguments

const args = process.argv.slice(2);
let concurrency = "2";
const only: string[] = [];
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i] ?? "";
  if (arg === "--concurrency") concurrency = args[(i += 1)] ?? concurrency;
  else only.push(arg);
}
const known = groups.flatMap((g) => g.files) as readonly string[];
for (const file of only) if (!known.includes(file)) throw new Error(`Expected one of ${known.join(", ")}; got ${file}`);
const everything = only.length === 0;

// ------------------------------------------------------------------------------------------------ the runs

/** The part of Stryker's JSON report (mutation-testing-report-schema) read here. */
interface Report {
  readonly files: Record<string, { readonly source: string; readonly mutants: readonly Mutant[] }>;
}
interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string; // Killed, Survived, NoCoverage, Timeout, CompileError, RuntimeError, Ignored
  readonly location: { readonly start: Position; readonly end: Position };
}
interface Position {
  readonly line: number; // 1-based
  readonly column: number; // 1-based
}

/** The text a mutant replaced, on one line, shortened. */
function original(source: string, { start, end }: Mutant["location"]): string {
  const lines = source.split("\n").slice(start.line - 1, end.line);
  if (lines.length === 1) return (lines[0] ?? "").slice(start.column - 1, end.column - 1);
  lines[0] = (lines[0] ?? "").slice(start.column - 1);
  lines[lines.length - 1] = (lines.at(-1) ?? "").slice(0, end.column - 1);
  return lines.join(" ");
}

const header = machine();
const started = Date.now();
const results = new Map<string, { readonly source: string; readonly mutants: readonly Mutant[] }>();
const testsOf = new Map<string, readonly string[]>();
for (const group of groups) {
  const files = group.files.filter((file) => everything || only.includes(file));
  if (files.length === 0) continue;
  console.log(`\n== mutating ${files.join(", ")} against ${group.tests.join(", ")}\n`);
  const run = spawnSync(
    "npx",
    ["stryker", "run", "stryker.config.json", "--mutate", files.join(","), "--testFiles", group.tests.join(","), "--concurrency", concurrency],
    { cwd: root, stdio: "inherit", env: { ...process.env, SLUICE_NUM_RUNS: String(numRuns) } },
  );
  if (run.status !== 0) throw new Error(`Stryker failed (exit ${String(run.status ?? run.signal)}) on ${files.join(", ")}`);
  const reportFile = join(root, "reports/mutation", `${group.name}.json`);
  mkdirSync(join(root, "reports/mutation"), { recursive: true });
  copyFileSync(join(root, "reports/mutation/mutation.json"), reportFile);
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
  for (const file of files) {
    results.set(file, report.files[file] ?? { source: "", mutants: [] });
    testsOf.set(file, group.tests);
  }
}
const minutes = (Date.now() - started) / 60_000;

// ------------------------------------------------------------------------------------------------ the table

const count = (mutants: readonly Mutant[], status: string): number => mutants.filter((m) => m.status === status).length;
const rows: string[][] = [];
const survivors: string[] = [];
let below = 0;
for (const [file, { source, mutants }] of results) {
  const killed = count(mutants, "Killed");
  const timeout = count(mutants, "Timeout");
  const survived = count(mutants, "Survived");
  const noCoverage = count(mutants, "NoCoverage");
  const errors = count(mutants, "CompileError") + count(mutants, "RuntimeError");
  const valid = killed + timeout + survived + noCoverage;
  const score = valid === 0 ? 100 : (100 * (killed + timeout)) / valid;
  const target = targets[file] ?? defaultTarget;
  if (score < target) below += 1;
  rows.push([`\`${file}\``, String(mutants.length), String(killed), String(timeout), String(survived), String(noCoverage), String(errors), `${score.toFixed(1)}%`, `${target}%`]);
  for (const m of mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage")) {
    const code = (text: string): string => `\`${text.replace(/\s+/g, " ").replace(/`/g, "'").slice(0, 90)}\``;
    const what = `${code(original(source, m.location))} → ${code(m.replacement ?? "")}`;
    survivors.push(`- \`${file}:${m.location.start.line}\` ${m.mutatorName}${m.status === "NoCoverage" ? " (no coverage)" : ""}: ${what}`);
  }
}
const table = markdownTable(["file", "mutants", "killed", "timeout", "survived", "no coverage", "errors", "score", "target"], rows);

const markdown = `# Mutation testing: how many deliberate bugs the tests catch

${header}. StrykerJS 9.6.1 with its vitest runner, per-test coverage, every mutator; \`npm run mutate\` (concurrency ${concurrency}), ${minutes.toFixed(0)} minutes in all. Property tests at \`SLUICE_NUM_RUNS=${numRuns}\`.

The score is (killed + timeout) ÷ (killed + timeout + survived + no coverage); "errors" are mutants that do not load and are not counted. A mutant the tests cannot tell apart from the code because it is equivalent is disabled in place with a \`// Stryker disable next-line\` comment giving the reason (those are not in the table).

Tests run against each file (vitest's related mode narrows each set to the test files that import the mutated file):

${[...testsOf].map(([file, tests]) => `- \`${file}\`: ${tests.join(", ")}`).join("\n")}

${table}

Survivors (line, mutator, the code → the mutant):

${survivors.length === 0 ? "none" : survivors.join("\n")}
`;

console.log(`\n${header}\n\n${table}\n\n${survivors.join("\n")}\n\n${minutes.toFixed(1)} minutes`);
if (everything) console.log(`\nwrote ${writeResult("mutation.md", markdown)}`);
if (below !== 0) {
  console.log(`\n${below} file(s) below target`);
  process.exitCode = 1;
}
