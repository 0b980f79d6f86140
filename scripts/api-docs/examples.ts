/**
 * Type-checks the `@example` blocks of the API reference against the sources, so that an example
 * cannot drift from the signatures it shows.
 *
 * Each fenced `ts` block becomes a module of its own, compiled in memory with the project's strict
 * settings and `sluice`, `sluice/grpc`… mapped to `src/`. So that examples stay short, each one is
 * given imports for what it uses without importing it: the exports of every documented module, a few
 * well-known libraries (`grpc`, vitest, fast-check), and the typed stand-ins of example-context.ts
 * (`server`, `db`, `Greeter`…). A name the example declares or imports itself is never added.
 * (test/layering reads the imports in comments too: examples in src/core and src/testing import only
 * what their layer may.)
 */
import { join } from "node:path";
import ts from "typescript";
import { Comment, ReflectionKind } from "typedoc";
import type { ProjectReflection, Reflection } from "typedoc";

/** One code block of an `@example`, and the reflection it documents. */
export interface Example {
  /** Where it is documented, as `sluice/grpc › asyncClient`. */
  readonly where: string;
  readonly code: string;
}

/**
 * Every TypeScript block of every `@example` in the project, once each: inherited members repeat
 * their parent's, which is named instead.
 */
export function collectExamples(project: ProjectReflection): Example[] {
  const examples = new Map<string, Example & { readonly inherited: boolean }>();
  for (const reflection of Object.values(project.reflections)) {
    const owner = reflection.kindOf(ReflectionKind.SomeSignature) ? reflection.parent : reflection;
    const inherited = owner !== undefined && "inheritedFrom" in owner && owner.inheritedFrom !== undefined;
    for (const tag of reflection.comment?.blockTags ?? []) {
      if (tag.tag !== "@example") continue;
      const text = Comment.combineDisplayParts(tag.content);
      for (const match of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
        const lang = match[1] ?? "";
        const code = match[2] ?? "";
        if (!["", "ts", "typescript"].includes(lang)) continue;
        const seen = examples.get(code);
        if (seen === undefined || (seen.inherited && !inherited)) examples.set(code, { where: describe(reflection), code, inherited });
      }
    }
  }
  return [...examples.values()].map(({ where, code }) => ({ where, code }));
}

/**
 * Every `ts` block of the README and the guides in docs/ (not docs/api/, which repeats the TSDoc), named
 * by file and line. A block preceded by `<!-- not type-checked: … -->` is skipped, with its reason in the
 * comment.
 */
export function collectGuideExamples(root: string, files: readonly string[]): Example[] {
  const examples: Example[] = [];
  for (const file of files) {
    const text = ts.sys.readFile(join(root, file)) ?? "";
    for (const match of text.matchAll(/(<!-- not type-checked:[^\n]*-->\n)?```(ts|typescript)\n([\s\S]*?)```/g)) {
      if (match[1] !== undefined) continue;
      const line = text.slice(0, match.index).split("\n").length;
      examples.push({ where: `${file}:${line}`, code: match[3] ?? "" });
    }
  }
  return examples;
}

/** `sluice/grpc › asyncClient`: the module, then the path within it (a signature is named as its function). */
function describe(reflection: Reflection): string {
  const names: string[] = [];
  for (let node: Reflection | undefined = reflection; node !== undefined && !node.kindOf(ReflectionKind.Project); node = node.parent) {
    if (!node.kindOf(ReflectionKind.SomeSignature)) names.unshift(node.name);
    if (node.kindOf(ReflectionKind.Module)) break;
  }
  const [module, ...path] = names;
  return path.length === 0 ? `${module ?? "?"} (module comment)` : `${module ?? "?"} › ${path.join(".")}`;
}

/** Non-sluice names an example may use without importing them. */
const libraries: ReadonlyArray<{ readonly from: string; readonly names?: readonly string[]; readonly namespace?: string; readonly default?: string }> = [
  { from: "@grpc/grpc-js", namespace: "grpc" },
  { from: "vitest", names: ["afterEach", "beforeEach", "describe", "expect"] },
  { from: "vitest/config", names: ["defineConfig"] },
  { from: "@fast-check/vitest", names: ["test"] },
  { from: "fast-check", default: "fc" },
  { from: "effect", names: ["Console", "Context", "Effect", "Fiber", "Stream"] },
];

/**
 * Compiles every example; returns one message per error, naming the example and its line.
 * @param modules - import path → exported names and source file, for every documented module.
 */
export function checkExamples(examples: readonly Example[], modules: ReadonlyMap<string, { readonly names: readonly string[]; readonly source: string }>, root: string): string[] {
  const contextFile = join(root, "scripts/api-docs/example-context.ts");
  const contextNames = exportedNames(ts.sys.readFile(contextFile) ?? "", contextFile);
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      target: "ES2022",
      lib: ["ES2023", "ESNext.Disposable"],
      module: "ESNext",
      moduleResolution: "Bundler",
      types: ["node"],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      baseUrl: ".",
      paths: Object.fromEntries([...modules].map(([path, { source }]) => [path, [source]])),
    },
    root,
  );
  if (errors.length > 0) throw new Error(ts.flattenDiagnosticMessageText(errors[0]?.messageText, "\n"));

  const files = new Map<string, { readonly example: Example; readonly text: string; readonly preludeLines: number }>();
  examples.forEach((example, index) => {
    const own = declaredNames(example.code);
    const lines: string[] = [];
    const named = (names: readonly string[], from: string): void => {
      const wanted = names.filter((name) => !own.has(name));
      for (const name of wanted) own.add(name); // the first module to export a name provides it (re-exports repeat it)
      if (wanted.length > 0) lines.push(`import { ${wanted.join(", ")} } from ${JSON.stringify(from)};`);
    };
    for (const library of libraries) {
      if (library.namespace !== undefined && !own.has(library.namespace)) lines.push(`import * as ${library.namespace} from ${JSON.stringify(library.from)};`);
      if (library.default !== undefined && !own.has(library.default)) lines.push(`import ${library.default} from ${JSON.stringify(library.from)};`);
      if (library.names !== undefined) named(library.names, library.from);
    }
    for (const [path, { names }] of modules) named(names, path);
    named(contextNames, contextFile.replace(/\.ts$/, ".js"));
    lines.push("export {};");
    const name = join(root, ".api-examples", `example-${index}.ts`);
    files.set(name, { example, text: `${lines.join("\n")}\n${example.code}`, preludeLines: lines.length });
  });

  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (fileName, language, ...rest) => {
    const file = files.get(fileName);
    return file === undefined ? getSourceFile.call(host, fileName, language, ...rest) : ts.createSourceFile(fileName, file.text, language, true);
  };
  host.fileExists = (fileName) => files.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => files.get(fileName)?.text ?? readFile.call(host, fileName);
  const program = ts.createProgram([...files.keys()], options, host);

  const problems: string[] = [];
  for (const [fileName, { example, preludeLines }] of files) {
    const sourceFile = program.getSourceFile(fileName);
    if (sourceFile === undefined) continue;
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    for (const diagnostic of diagnostics) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const exampleLine = line - preludeLines;
      const code = example.code.split("\n")[exampleLine]?.trim() ?? "";
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
      problems.push(`${example.where}: example line ${exampleLine + 1}: ${message}\n    ${code}`);
    }
  }
  return problems;
}

/** Top-level names an example declares or imports: they shadow (so must not get) a prelude import. */
function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  const file = ts.createSourceFile("example.ts", code, ts.ScriptTarget.ES2022, false);
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name !== undefined) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings !== undefined && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

/** The names a module file exports by declaration (`export declare const x`, `export interface X`…). */
function exportedNames(text: string, fileName: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false);
  const names: string[] = [];
  for (const statement of file.statements) {
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) === true;
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
    } else if ("name" in statement && statement.name !== undefined && ts.isIdentifier(statement.name as ts.Node)) {
      names.push((statement.name as ts.Identifier).text);
    }
  }
  return names;
}
