/**
 * Regenerates the generated code that the type tests compile against (test/grpc/generated/), from the
 * protos in test/grpc/fixtures/, with the two generators grpc-js users run:
 *
 * - ts-proto (`outputServices=grpc-js`), driven by buf: `buf generate` compiles the protos itself, so no
 *   protoc is needed, and both come from npm (`@bufbuild/buf`, `ts-proto`);
 * - proto-loader-gen-types, the generator that ships with `@grpc/proto-loader`.
 *
 * Everything runs offline from node_modules. `npm run generate:types` writes test/grpc/generated/;
 * `npm run generate:types -- --check` writes nothing and fails when the committed code differs from what
 * the generators give now (test/grpc/generated-types.test.ts runs the check).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const bin = join(root, "node_modules", ".bin");
const fixtures = join(root, "test/grpc/fixtures");
const committed = join(root, "test/grpc/generated");
const protos = ["greeter.proto", "test-service.proto"];

/** The options of each generator: the ones an ESM (NodeNext) project needs, and no more. */
export const tsProtoOptions = ["outputServices=grpc-js", "importSuffix=.js"];
/** Matches the loader options of test/grpc/fixtures/test-service.ts (`keepCase`, `longs: String`…). */
export const protoLoaderFlags = ["--grpcLib=@grpc/grpc-js", "--importFileExtension=.js", "--keepCase", "--longs=String", "--enums=String", "--defaults", "--oneofs"];

/** Generates both outputs into `out` (`out/ts-proto`, `out/proto-loader`). */
export function generate(out: string): void {
  rmSync(out, { recursive: true, force: true });
  const template = {
    version: "v2",
    plugins: [{ local: join(bin, "protoc-gen-ts_proto"), out: join(out, "ts-proto"), opt: tsProtoOptions }],
  };
  run(join(bin, "buf"), ["generate", fixtures, "--template", JSON.stringify(template), ...protos.flatMap((proto) => ["--path", join(fixtures, proto)])]);
  run(join(bin, "proto-loader-gen-types"), [...protoLoaderFlags, `--outDir=${join(out, "proto-loader")}`, ...protos]);
}

/** The files that differ between two trees, relative to them. */
export function differences(left: string, right: string): string[] {
  const a = listFiles(left);
  const b = listFiles(right);
  const differing: string[] = [];
  for (const file of new Set([...a, ...b])) {
    if (!a.has(file) || !b.has(file) || readFileSync(join(left, file), "utf8") !== readFileSync(join(right, file), "utf8")) differing.push(file);
  }
  return differing.sort();
}

function listFiles(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Set(files.map((entry) => relative(dir, join(entry.parentPath, entry.name))));
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { cwd: fixtures, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const fresh = mkdtempSync(join(tmpdir(), "sluice-generated-"));
    try {
      generate(fresh);
      const stale = differences(committed, fresh);
      if (stale.length > 0) {
        console.error(`test/grpc/generated/ is out of date (${stale.join(", ")}). Run: npm run generate:types`);
        process.exit(1);
      }
      console.log("test/grpc/generated/ is up to date.");
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  } else {
    generate(committed);
    console.log(`wrote ${relative(root, committed)}/`);
  }
}
