/**
 * The Markdown API reference in docs/api/, generated from the TSDoc in src/ with TypeDoc.
 *
 * `tsx scripts/api-docs.ts` (npm run docs:api) regenerates it. `tsx scripts/api-docs.ts --check`
 * (npm run docs:check) changes nothing and fails when (the first four fail docs:api too, after writing):
 * - an export, public class member or interface property has no doc comment (TypeDoc's
 *   `validation.notDocumented`, tuned by `requiredToBeDocumented` in typedoc.json), or a link is broken;
 * - a top-level export (function, class, interface, type alias, variable) has no `@example`, or a
 *   property of an options type (`…Options`) has no `@default`;
 * - an example, or a `ts` block of README.md or docs/*.md, does not type-check against the sources (see
 *   scripts/api-docs/examples.ts; a block after `<!-- not type-checked: reason -->` is skipped);
 * - a subpath of package.json `exports` is not documented, or a module is not named after its subpath;
 * - the committed docs/api/ differs from what the sources generate now.
 *
 * Entry points listed in typedoc.json whose file does not exist yet are skipped, so the config can name
 * every planned entry point before its code lands.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Application, DeclarationReflection, ReflectionKind, TSConfigReader, TypeDocReader } from "typedoc";
import type { ProjectReflection, Reflection } from "typedoc";
import { checkExamples, collectExamples, collectGuideExamples } from "./api-docs/examples.js";

const root = join(import.meta.dirname, "..");
const out = join(root, "docs/api");
const check = process.argv.includes("--check");
const started = Date.now();

/** Problems found, by check; printed together so that one run shows everything to fix. */
const problems: string[] = [];

const config = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")) as { entryPoints: string[] };
const entryPoints = config.entryPoints.filter((path) => existsSync(join(root, path)));
const skipped = config.entryPoints.filter((path) => !entryPoints.includes(path));
if (skipped.length > 0) console.log(`api-docs: skipping entry points that do not exist yet: ${skipped.join(", ")}`);

// Every subpath of the package (its `exports` map is the API) must be an entry point.
const subpaths = exportedSubpaths();
for (const [name, source] of subpaths) {
  if (entryPoints.includes(source)) continue;
  const fix = config.entryPoints.includes(source) ? `${source} does not exist` : `add ${source} to typedoc.json entryPoints`;
  problems.push(`${name} is exported by package.json but not documented: ${fix}.`);
}

const renderDir = check ? mkdtempSync(join(tmpdir(), "sluice-api-docs-")) : out;
try {
  await render();
} finally {
  if (check) rmSync(renderDir, { recursive: true, force: true });
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.error(`\napi-docs: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  console.error(`(${seconds} s)`);
  process.exit(1);
}
console.log(check ? `api-docs: docs/api/ is complete and up to date (${seconds} s).` : `api-docs: wrote docs/api/ (${seconds} s).`);

/** Converts, checks, and renders into `renderDir` (then compares it with docs/api/ when checking). */
async function render(): Promise<void> {
  const app = await Application.bootstrapWithPlugins(
    { entryPoints: entryPoints.map((path) => join(root, path)), out: renderDir },
    [new TypeDocReader(), new TSConfigReader()],
  );
  const project = await app.convert();
  if (project === undefined) {
    problems.push("TypeDoc could not convert the sources (see above).");
    return;
  }
  app.validate(project);

  checkModuleNames(project, subpaths);
  checkExamplesPresent(project);
  checkOptionDefaults(project);
  const modules = new Map<string, { names: string[]; source: string }>();
  for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
    const source = subpaths.get(module.name);
    if (source !== undefined) modules.set(module.name, { names: [...new Set((module.children ?? []).map((child) => child.name))], source: join(root, source) });
  }
  const examples = collectExamples(project);
  const guides = ["README.md", ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];
  const guideExamples = collectGuideExamples(root, guides);
  problems.push(...checkExamples([...examples, ...guideExamples], modules, root));
  console.log(`api-docs: type-checked ${examples.length} TSDoc examples and ${guideExamples.length} code blocks of the README and docs/.`);

  await app.generateOutputs(project);
  addIntro(join(renderDir, "README.md"));
  const typedocFailed = app.logger.hasErrors() || app.logger.hasWarnings();
  if (typedocFailed) problems.push("TypeDoc reported the warnings above (typedoc.json treats them as errors): document what they name, or fix the link.");

  if (check) {
    const stale = compareTrees(out, renderDir);
    if (stale.length > 0) {
      problems.push(`docs/api/ is out of date (${stale.length} file${stale.length === 1 ? "" : "s"}: ${stale.slice(0, 8).join(", ")}${stale.length > 8 ? ", …" : ""}). Run: npm run docs:api`);
    }
  }
}

/**
 * Puts scripts/api-docs/intro.md under the index's title. Added after rendering: as TypeDoc's readme, its
 * links to the guides (relative to docs/api/) would be resolved from scripts/ and copied into the output.
 */
function addIntro(index: string): void {
  const [title = "", ...rest] = readFileSync(index, "utf8").split("\n");
  const intro = readFileSync(join(root, "scripts/api-docs/intro.md"), "utf8").trim();
  writeFileSync(index, [title, "", intro, ...rest].join("\n"));
}

/** The package's documented subpaths (`sluice`, `sluice/grpc`…) and their source files, from `exports`. */
function exportedSubpaths(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const result = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === "string" ? undefined : target.types;
    const match = types?.match(/^\.\/dist\/(.+)\.d\.ts$/);
    if (match === null || match === undefined) continue; // package.json and other non-code exports
    result.set(subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, `src/${match[1]}.ts`);
  }
  return result;
}

/** Module pages are named after their import path: `@module sluice/grpc` in the entry point's first doc comment. */
function checkModuleNames(project: ProjectReflection, expected: Map<string, string>): void {
  for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
    if (expected.has(module.name)) continue;
    problems.push(
      `module "${module.name}" is not an import path of the package (${[...expected.keys()].join(", ")}): ` +
        "end its entry point's first doc comment with `@module <import path>`, or add the subpath to package.json exports.",
    );
  }
}

/** Top-level exports that readers look up (not re-exports, which point to their first module) need an example. */
function checkExamplesPresent(project: ProjectReflection): void {
  const needExample = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Variable;
  const missing = new Map<string, string[]>();
  for (const module of project.getChildrenByKind(ReflectionKind.Module)) {
    for (const child of module.children ?? []) {
      if (!child.kindOf(needExample) || hasExample(child)) continue;
      missing.set(module.name, [...(missing.get(module.name) ?? []), child.name]);
    }
  }
  for (const [module, names] of missing) problems.push(`${module}: no @example on ${names.join(", ")}`);
}

/** Every property of an options type (an interface or type alias named `…Options`) says its default. */
function checkOptionDefaults(project: ProjectReflection): void {
  const missing: string[] = [];
  for (const property of project.getReflectionsByKind(ReflectionKind.Property)) {
    if (!(property instanceof DeclarationReflection) || property.inheritedFrom !== undefined) continue;
    if (!property.flags.isOptional) continue; // a required option has no default
    let owner: Reflection | undefined = property.parent;
    while (owner !== undefined && !owner.kindOf(ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Module)) owner = owner.parent;
    if (owner === undefined || !owner.kindOf(ReflectionKind.Interface | ReflectionKind.TypeAlias) || !owner.name.endsWith("Options")) continue;
    if (property.comment?.getTag("@default") === undefined) missing.push(`${owner.name}.${property.name}`);
  }
  if (missing.length > 0) problems.push(`no @default on ${missing.join(", ")}`);
}

function hasExample(reflection: DeclarationReflection): boolean {
  const comments: Array<Reflection["comment"]> = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
  return comments.some((comment) => comment?.blockTags.some((tag) => tag.tag === "@example") === true);
}

/** Files that differ between the committed reference and a fresh one, as paths relative to docs/api/. */
function compareTrees(committed: string, fresh: string): string[] {
  const a = listFiles(committed);
  const b = listFiles(fresh);
  const differing: string[] = [];
  for (const file of new Set([...a, ...b])) {
    const left = a.has(file) ? readFileSync(join(committed, file), "utf8") : undefined;
    const right = b.has(file) ? readFileSync(join(fresh, file), "utf8") : undefined;
    if (left !== right) differing.push(left === undefined ? `${file} (missing)` : right === undefined ? `${file} (stale)` : file);
  }
  return differing.sort();
}

function listFiles(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Set(files.map((entry) => relative(dir, join(entry.parentPath, entry.name))));
}
