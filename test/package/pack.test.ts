// The package as a user gets it: `npm pack`, install the tarball into a fresh project, compile a consumer
// with TypeScript against the shipped declarations, and run the README's quick-start example with Node.
// publint and @arethetypeswrong/cli check the exports map itself (`npm run check:package`, part of `npm test`).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const repo = join(import.meta.dirname, "..", "..");
const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The version the repository's own lockfile installed, so the consumer installs from npm's cache. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(repo, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/** The fenced block that follows the marker comment in README.md. */
function readmeQuickStart(): string {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const match = /<!-- This example runs against the packed tarball[^\n]*-->\n```ts\n([\s\S]*?)```/.exec(readme);
  if (match?.[1] === undefined) throw new Error("README.md lost its marked quick-start example");
  return match[1];
}

/** Runs a command; on failure the error carries what it printed, which is where tsc and npm say why. */
function run(command: string, args: string[], cwd: string, input?: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: "utf8",
      input,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`, { cause: error });
  }
}

describe("the packed tarball", () => {
  let work: string;
  let project: string;
  let packed: { filename: string; files: { path: string }[] };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "sluice-pack-"));
    // prepack builds dist/ from a clean slate, exactly as `npm publish` would.
    const output = run(npm, ["pack", "--json", "--pack-destination", work], repo);
    packed = (JSON.parse(output.slice(output.indexOf("["))) as (typeof packed)[])[0]!;

    project = join(work, "consumer");
    run("mkdir", ["-p", project], work);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2),
    );
    // @grpc/proto-loader and @bufbuild/protobuf: what the generated clients of the generated-code test import.
    const peers = ["@grpc/grpc-js", "effect", "@grpc/proto-loader", "@bufbuild/protobuf"].map((name) => `${name}@${lockedVersion(name)}`);
    run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, packed.filename), ...peers], project);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          // DOM: effect's own declarations name WebCrypto types (CryptoKey) that @types/node does not declare globally.
          lib: ["ES2023", "ESNext.Disposable", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          // The consumer borrows @types/node from the repository instead of installing it.
          typeRoots: [join(repo, "node_modules", "@types")],
          types: ["node"],
          skipLibCheck: false,
        },
      }),
    );
  }, 180_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  test("ships the built code, the declarations, the sources they map to and the docs, and no tests, benchmarks or examples", () => {
    const paths = packed.files.map((file) => file.path);
    for (const entry of ["core", "grpc", "testing", "interop"]) {
      expect(paths).toContain(`dist/${entry}/index.js`);
      expect(paths).toContain(`dist/${entry}/index.d.ts`);
    }
    expect(paths).toContain("dist/interop/effect.js");
    expect(paths).toContain("src/core/bridge.ts");
    expect(paths).toContain("README.md");
    for (const doc of ["semantics.md", "architecture.md", "grpc.md", "leaks.md", "api/README.md"]) expect(paths).toContain(`docs/${doc}`);
    expect(paths.filter((path) => /^(test|bench)\/|^src\/examples\/|\.test\.|^\.ci\//.test(path))).toEqual([]);
  });

  test("every relative link of the shipped Markdown points at a shipped file (the benchmark results excepted)", () => {
    const paths = new Set(packed.files.map((file) => file.path));
    const broken: string[] = [];
    for (const file of [...paths].filter((path) => path.endsWith(".md"))) {
      const text = readFileSync(join(repo, file), "utf8");
      for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
        const resolved = posix.normalize(posix.join(posix.dirname(file), target.replace(/#.*$/, "")));
        if (resolved.startsWith("bench/results/")) continue; // repository only, as the README says
        if (!paths.has(resolved)) broken.push(`${file}: ${target}`);
      }
    }
    expect(paths.size).toBeGreaterThan(100);
    expect(broken).toEqual([]);
  });

  test("the README's quick-start compiles against the shipped types and runs", () => {
    writeFileSync(join(project, "readme.ts"), readmeQuickStart());
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ ...JSON.parse(readFileSync(join(project, "tsconfig.json"), "utf8")), files: ["readme.ts"] }),
    );
    run(process.execPath, [tsc, "-p", "."], project);
    const output = run(process.execPath, ["readme.js"], project, "first\nsecond\nquit\nnever printed\n");
    expect(output).toBe("FIRST\nSECOND\n");
  }, 60_000);

  test("clients generated by ts-proto and proto-loader-gen-types type-check against the shipped declarations, and run", () => {
    // The committed generated code of test/grpc/generated/, as a user's project would hold it.
    const generated = join(repo, "test", "grpc", "generated");
    cpSync(join(generated, "ts-proto", "greeter.ts"), join(project, "ts-proto", "greeter.ts"), { recursive: true });
    cpSync(join(generated, "proto-loader"), join(project, "proto-loader"), { recursive: true });
    cpSync(join(repo, "test", "grpc", "fixtures", "greeter.proto"), join(project, "greeter.proto"));
    writeFileSync(
      join(project, "generated.ts"),
      `import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { asyncClient, bidi, clientStreaming, createInProcessClient, serverStreaming, unary } from "sluice/grpc";
import type { UntypedClient } from "sluice/grpc";
import { GreeterClient } from "./ts-proto/greeter.js";
import type { ProtoGrpcType } from "./proto-loader/greeter.js";

// ts-proto: handlers typed by createInProcessClient's implementation, camelCase methods.
const tsProto = createInProcessClient(GreeterClient, {
  sayHello: unary(async ({ name }) => ({ message: "hello " + name, last: false })),
  countHellos: clientStreaming(async (requests) => {
    let count = 0;
    for await (const _ of requests) count += 1;
    return { count };
  }),
}, { messages: "serialize" });
const api = asyncClient(tsProto);
const replies: unknown[] = [(await api.sayHello({ name: "ts-proto" })).message, (await api.countHellos([{ name: "a" }, { name: "b" }])).count];
try {
  // @ts-expect-error a misspelt handler does not compile, and throws at run time.
  createInProcessClient(GreeterClient, { sayHelo: unary(async () => ({ message: "", last: false })) });
} catch (error) {
  replies.push((error as Error).name);
}

// proto-loader-gen-types: loadPackageDefinition typed as the generated ProtoGrpcType.
const definition = protoLoader.loadSync("greeter.proto", { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
const loader = createInProcessClient(proto.example.Greeter, {
  SayHelloStream: serverStreaming(async function* ({ name }) { yield { message: "hi " + name }; }),
  Chat: bidi(async function* (requests) { for await (const { name } of requests) yield { message: name }; }),
});
for await (const reply of asyncClient(loader).sayHelloStream({ name: "proto-loader" })) replies.push(reply.message);
for await (const reply of asyncClient(loader).Chat([{ name: "chat" }])) replies.push(reply.message);

// Untyped: the shapes stated by hand, messages unknown.
const Untyped = (grpc.loadPackageDefinition(definition)["example"] as grpc.GrpcObject)["Greeter"] as grpc.ServiceClientConstructor;
const untyped = createInProcessClient(Untyped, { SayHello: unary(async (request: { name: string }) => ({ message: "untyped " + request.name })) });
const shaped = asyncClient(untyped as unknown as UntypedClient<{ SayHello: "unary" }>);
replies.push(((await shaped.SayHello({ name: "x" })) as { message: string }).message);
for (const client of [tsProto, loader, untyped]) client.close();
console.log(JSON.stringify(replies));
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ ...JSON.parse(readFileSync(join(project, "tsconfig.json"), "utf8")), files: ["generated.ts"] }),
    );
    run(process.execPath, [tsc, "-p", "."], project);
    const output = JSON.parse(run(process.execPath, ["generated.js"], project)) as unknown;
    expect(output).toEqual(["hello ts-proto", 2, "InvalidArgumentError", "hi proto-loader", "chat", "untyped x"]);
  }, 60_000);

  test("every subpath resolves from a consumer, in types and at run time", () => {
    writeFileSync(
      join(project, "entries.ts"),
      `import { channel, openBridges } from "sluice";
import { createInProcessClient, serverStreaming } from "sluice/grpc";
import { assertNoLeaks } from "sluice/testing";
import { duplex, pushable } from "sluice/interop";
import { fromStream, toStream } from "sluice/interop/effect";

const values = channel<number>();
values.push(1);
values.end();
const seen: number[] = [];
for await (const value of values) seen.push(value);
const source = pushable<string>({ objectMode: true });
source.push("a").end();
for await (const value of source) seen.push(value.length);
await assertNoLeaks();
console.log(JSON.stringify({
  seen,
  open: openBridges().length,
  functions: [createInProcessClient, serverStreaming, duplex, fromStream, toStream].map((f) => typeof f),
}));
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ ...JSON.parse(readFileSync(join(project, "tsconfig.json"), "utf8")), files: ["entries.ts"] }),
    );
    run(process.execPath, [tsc, "-p", "."], project);
    const output = JSON.parse(run(process.execPath, ["entries.js"], project)) as unknown;
    expect(output).toEqual({ seen: [1, 1], open: 0, functions: Array(5).fill("function") });
  }, 60_000);
});
