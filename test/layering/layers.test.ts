// Folders are layers (STYLE.md habit 1): src/core imports no gRPC and no Node streams; nothing runs at import time.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

const root = join(import.meta.dirname, "..", "..", "src");

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(root, folder, file));
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:import|export)[^'"]*from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? "",
  );
}

describe("layering", () => {
  test("src/core imports nothing from gRPC, Node streams or the other layers", () => {
    const offenders = sources("core").flatMap((file) =>
      imports(file)
        .filter((spec) => /grpc|^node:stream|^stream$|\.\.\/(grpc|interop|testing|examples)\//.test(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(sources("core").length).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });

  test("src/testing depends only on the core (and vitest for its setup file)", () => {
    const offenders = sources("testing").flatMap((file) =>
      imports(file)
        .filter((spec) => !spec.startsWith("./") && !spec.startsWith("../core/") && spec !== "vitest")
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

test("src/interop imports only the core (and Effect only from its effect file, which the index does not re-export)", () => {
  const offenders = sources("interop").flatMap((file) => {
    const isEffectFile = /[\\/]effect\.ts$/.test(file);
    return imports(file)
      .filter((spec) => {
        if (spec.startsWith("../core/")) return false;
        if (spec.startsWith("./")) return spec === "./effect.js" && file.endsWith("index.ts");
        return !(isEffectFile && (spec === "effect" || spec.startsWith("effect/")));
      })
      .map((spec) => `${file}: ${spec}`);
  });
  expect(sources("interop").length).toBeGreaterThan(0);
  expect(offenders).toEqual([]);
});
