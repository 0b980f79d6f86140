// Folders are layers (docs/architecture.md): src/core imports no gRPC and no Node streams; nothing runs at import time.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";

const root = join(import.meta.dirname, "..", "..", "src");

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(root, folder, file));
}

/** What the file imports and re-exports, static or dynamic, as TypeScript reads it: imports in doc examples don't count. */
function imports(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((imported) => imported.fileName);
}

describe("layering", () => {
  test("src/core imports nothing from gRPC, Node built-ins (streams, events…) or the other layers: it runs in browsers", () => {
    const offenders = sources("core").flatMap((file) =>
      imports(file)
        .filter((spec) => /grpc|^node:|^(stream|events|fs|net|util|buffer)$|\.\.\/(grpc|interop|testing|examples|node)\//.test(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(sources("core").length).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });

  test("src/testing depends only on the core (and each runner's setup file on its runner: vitest, node:test)", () => {
    const runnerOf: Record<string, string> = { "vitest-setup.ts": "vitest", "node-test.ts": "node:test" };
    const offenders = sources("testing").flatMap((file) =>
      imports(file)
        .filter((spec) => !spec.startsWith("./") && !spec.startsWith("../core/") && spec !== runnerOf[file.split(sep).at(-1) ?? ""])
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  test("importing the core has no side effects: no bridge, no registry entry, no listener", async () => {
    const listenersBefore = process.listenerCount("warning");
    const core = await import("../../src/core/index.js");
    expect(core.openBridges()).toEqual([]);
    expect(process.listenerCount("warning")).toBe(listenersBefore);
  });
});

// sluice/node holds the Node-only adapters, so that the portable subpaths never load a Node built-in.
describe("layering: sluice/node", () => {
  test("src/node imports only the core and Node built-ins, and nothing outside it imports src/node", () => {
    const offenders = sources("node").flatMap((file) =>
      imports(file)
        .filter((spec) => !spec.startsWith("node:") && !spec.startsWith("./") && !spec.startsWith("../core/"))
        .map((spec) => `${file}: ${spec}`),
    );
    const importers = ["core", "interop", "testing", "grpc"].flatMap((folder) =>
      sources(folder).flatMap((file) => imports(file).filter((spec) => /\.\.\/node\//.test(spec)).map((spec) => `${file}: ${spec}`)),
    );
    expect(sources("node").length).toBeGreaterThanOrEqual(3);
    expect([...offenders, ...importers]).toEqual([]);
  });
});

// sluice/interop/effect is its own subpath so that nothing else requires the optional `effect` peer.
describe("layering: sluice/interop/effect", () => {
  const interop = join(root, "interop");
  const isEffectFile = (file: string): boolean => file === join(interop, "effect.ts") || file.startsWith(join(interop, "effect") + sep);

  test("src/interop imports only the core and itself; only the effect files import effect, and no other file imports them", () => {
    const offenders = sources("interop").flatMap((file) =>
      imports(file)
        .filter((spec) => {
          if (spec === "effect" || spec.startsWith("effect/")) return !isEffectFile(file);
          if (!spec.startsWith(".")) return true;
          const target = resolve(dirname(file), spec);
          const inCore = target.startsWith(join(root, "core") + sep);
          const inInterop = target.startsWith(interop + sep);
          return !(inCore || inInterop) || (isEffectFile(target.replace(/\.js$/, ".ts")) && !isEffectFile(file));
        })
        .map((spec) => `${file}: ${spec}`),
    );
    expect(sources("interop").filter(isEffectFile).length).toBeGreaterThan(1);
    expect(offenders).toEqual([]);
  });

  test("importing it has no side effects: no bridge, no listener", async () => {
    const listenersBefore = process.listenerCount("warning");
    const effect = await import("../../src/interop/effect.js");
    expect(typeof effect.fromStream).toBe("function");
    expect(effect.toStream.length).toBe(2);
    const core = await import("../../src/core/index.js");
    expect(core.openBridges()).toEqual([]);
    expect(process.listenerCount("warning")).toBe(listenersBefore);
  });
});

// src/grpc is grouped by the way a call travels; imports only point down this list (a folder may use its own files).
describe("layering: src/grpc", () => {
  const grpc = join(root, "grpc");
  /** Lowest first. A file may import from its own group or a lower one (and from the core), never from a higher one. */
  const groups: ReadonlyArray<{ readonly name: string; readonly contains: (file: string) => boolean }> = [
    { name: "shared (src/grpc/*.ts but index.ts)", contains: (f) => dirname(f) === grpc && f !== join(grpc, "index.ts") },
    { name: "in-process/server-calls", contains: (f) => f.startsWith(join(grpc, "in-process", "server-calls") + sep) },
    { name: "adapters", contains: (f) => f.startsWith(join(grpc, "adapters") + sep) },
    { name: "pipe", contains: (f) => f.startsWith(join(grpc, "pipe") + sep) },
    { name: "in-process", contains: (f) => f.startsWith(join(grpc, "in-process") + sep) },
    { name: "direct", contains: (f) => f.startsWith(join(grpc, "direct") + sep) },
    { name: "client", contains: (f) => f.startsWith(join(grpc, "client") + sep) },
    { name: "index", contains: (f) => f === join(grpc, "index.ts") },
  ];
  const rank = (file: string): number => groups.findIndex((group) => group.contains(file));

  test("every file belongs to a group, and imports only from its own group, a lower one, or the core", () => {
    const offenders: string[] = [];
    for (const file of sources("grpc")) {
      const own = rank(file);
      if (own === -1) offenders.push(`${file}: in no group`);
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
        if (target.startsWith(join(root, "core") + sep)) continue;
        const other = rank(target);
        if (other === -1 || other > own) offenders.push(`${file} (${groups[own]?.name}) imports ${spec} (${groups[other]?.name ?? "outside src/grpc"})`);
      }
    }
    expect(sources("grpc").length).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
