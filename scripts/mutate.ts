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
 * minutes on 2 cores: not part of `npm test`). `npm run mutate -- src/core/drive.ts` mutates the files named and
 * prints their table and survivors; with `--write` it also replaces those files' rows in the results, each row
 * saying which run (commit, date, machine) measured it. Only a tree whose src/ and test/ are committed is written.
 * `--table` only rewrites the markdown from the JSON. `--concurrency <n>` (default 2) is passed to Stryker. bench/results/mutation.json keeps the rows and runs the
 * markdown is made from; Stryker's JSON report of each group stays in reports/mutation/ (not committed).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { machine, markdownTable, resultsDir, writeResult } from "../bench/lib/report.js";

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
let write = false;
let tableOnly = false; // only rewrite mutation.md from mutation.json
const only: string[] = [];
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i] ?? "";
  if (arg === "--concurrency") concurrency = args[(i += 1)] ?? concurrency;
  else if (arg === "--write") write = true;
  else if (arg === "--table") tableOnly = true;
  else only.push(arg);
}
const known = groups.flatMap((g) => g.files) as readonly string[];
for (const file of only) if (!known.includes(file)) throw new Error(`Expected one of ${known.join(", ")}; got ${file}`);
const everything = only.length === 0 && !tableOnly;
if (everything) write = true;

/** The commit measured; a run that writes results must not measure uncommitted sources or tests. */
function git(...gitArgs: string[]): string {
  return spawnSync("git", gitArgs, { cwd: root, encoding: "utf8" }).stdout.trim();
}
const commit = git("rev-parse", "--short", "HEAD");
const uncommitted = git("status", "--porcelain", "--", "src", "test", "stryker.config.json", "vitest.mutate.config.ts", "vitest.config.ts");
if (write && !tableOnly && uncommitted !== "") throw new Error(`Commit src/ and test/ before writing results; uncommitted:\n${uncommitted}`);

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
const startedAt = new Date();
const results = new Map<string, { readonly source: string; readonly mutants: readonly Mutant[] }>();
const testsOf = new Map<string, readonly string[]>();
for (const group of tableOnly ? [] : groups) {
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
const minutes = (Date.now() - startedAt.getTime()) / 60_000;

// ------------------------------------------------------------------------------------------------ the rows

/** One run of this script, as the results name it. */
interface Run {
  readonly id: string;
  readonly what: string; // "every file" or the files named
  readonly machine: string;
  readonly commit: string;
  readonly started: string; // ISO time
  readonly minutes: number;
  readonly concurrency: string;
}
/** One file's score, from the run `run`. */
interface Row {
  readonly file: string;
  readonly tests: readonly string[];
  readonly mutants: number;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly errors: number;
  readonly run: string;
  readonly survivors: readonly string[];
}
interface Results {
  readonly runs: readonly Run[];
  readonly rows: readonly Row[];
}

const thisRun: Run = {
  id: startedAt.toISOString().slice(0, 16).replace("T", " "),
  what: everything ? "every file" : [...results.keys()].join(", "),
  machine: header,
  commit,
  started: startedAt.toISOString(),
  minutes: Math.round(minutes),
  concurrency,
};
const count = (mutants: readonly Mutant[], status: string): number => mutants.filter((m) => m.status === status).length;
const code = (text: string): string => `\`${text.replace(/\s+/g, " ").replace(/`/g, "'").slice(0, 90)}\``;
const fresh: Row[] = [...results].map(([file, { source, mutants }]) => ({
  file,
  tests: testsOf.get(file) ?? [],
  mutants: mutants.length,
  killed: count(mutants, "Killed"),
  timeout: count(mutants, "Timeout"),
  survived: count(mutants, "Survived"),
  noCoverage: count(mutants, "NoCoverage"),
  errors: count(mutants, "CompileError") + count(mutants, "RuntimeError"),
  run: thisRun.id,
  survivors: mutants
    .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
    .map((m) => {
      const what = `${code(original(source, m.location))} → ${code(m.replacement ?? "")}`;
      return `\`${file}:${m.location.start.line}\` ${m.mutatorName}${m.status === "NoCoverage" ? " (no coverage)" : ""}: ${what}`;
    }),
}));

const score = (row: Row): number => {
  const valid = row.killed + row.timeout + row.survived + row.noCoverage;
  return valid === 0 ? 100 : (100 * (row.killed + row.timeout)) / valid;
};
const targetOf = (file: string): number => targets[file] ?? defaultTarget;
const tableOf = (rows: readonly Row[], withRun: boolean): string =>
  markdownTable(
    ["file", "mutants", "killed", "timeout", "survived", "no coverage", "errors", "score", "target", ...(withRun ? ["run"] : [])],
    rows.map((row) => [
      `\`${row.file}\``,
      ...[row.mutants, row.killed, row.timeout, row.survived, row.noCoverage, row.errors].map(String),
      `${score(row).toFixed(1)}%`,
      `${targetOf(row.file)}%`,
      ...(withRun ? [row.run] : []),
    ]),
  );

if (!tableOnly) {
  console.log(`\n${header}\n\n${tableOf(fresh, false)}\n\n${fresh.flatMap((row) => row.survivors.map((s) => `- ${s}`)).join("\n")}`);
  console.log(`\n${minutes.toFixed(1)} minutes, commit ${commit}${uncommitted === "" ? "" : " with uncommitted changes"}`);
  const below = fresh.filter((row) => score(row) < targetOf(row.file)).length;
  if (below !== 0) {
    console.log(`\n${below} file(s) below target`);
    process.exitCode = 1;
  }
}

// ------------------------------------------------------------------------------------------------ the results

if (write || tableOnly) {
  const jsonFile = join(resultsDir, "mutation.json");
  const previous: Results = everything || !existsSync(jsonFile) ? { runs: [], rows: [] } : (JSON.parse(readFileSync(jsonFile, "utf8")) as Results);
  const kept = previous.rows.filter((row) => !results.has(row.file));
  const rows = known.flatMap((file) => [...kept, ...fresh].filter((row) => row.file === file));
  const runs = [...previous.runs, thisRun].filter((run) => rows.some((row) => row.run === run.id));
  if (!tableOnly) writeResult("mutation.json", `${JSON.stringify({ runs, rows } satisfies Results, null, 2)}\n`);

  const markdown = `# Mutation testing: how many deliberate bugs the tests catch

StrykerJS 9.6.1 with its vitest runner, per-test coverage, every mutator; property tests at \`SLUICE_NUM_RUNS=${numRuns}\`. \`npm run mutate\` measures every file; \`npm run mutate -- --write <file>…\` measures the files named and replaces their rows, so each row names the run that measured it:

${runs.map((run) => `- **${run.id}** (${run.what}): commit \`${run.commit}\`, ${run.machine}; concurrency ${run.concurrency}, ${run.minutes} minutes.`).join("\n")}

The score is (killed + timeout) ÷ (killed + timeout + survived + no coverage); "errors" are mutants that do not load and are not counted. A mutant the tests cannot tell apart from the code because it is equivalent is disabled in place with a \`// Stryker disable next-line\` comment giving the reason (those are not in the table). Mutants in code that runs when a module loads (module-level constants such as a shared \`{ done: true, value: undefined }\`) can survive whatever the tests do: with a test filter, StrykerJS 9.6.1 may switch them on only after the module has loaded (stryker-js issue 6144). The three survivors of \`pushable.ts\` are such mutants; applied by hand, each fails the tests.

Tests run against each file (vitest's related mode narrows each set to the test files that import the mutated file):

${rows.map((row) => `- \`${row.file}\`: ${row.tests.join(", ")}`).join("\n")}

${tableOf(rows, true)}

Survivors (line, mutator, the code → the mutant):

${rows.every((row) => row.survivors.length === 0) ? "none" : rows.flatMap((row) => row.survivors.map((s) => `- ${s}`)).join("\n")}
`;
  console.log(`\nwrote ${writeResult("mutation.md", markdown)}`);
}
