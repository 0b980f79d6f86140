import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const core = join(import.meta.dirname, "../../src/core");

test("src/core imports no gRPC and no node:stream (DESIGN.md layout)", () => {
  const offenders: string[] = [];
  for (const file of readdirSync(core).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(core, file), "utf8");
    for (const match of text.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']/g)) {
      const spec = match[1] ?? match[2] ?? "";
      if (/^(node:)?stream(\/|$)|^@grpc\/|\/grpc\//.test(spec)) offenders.push(`${file}: ${spec}`);
    }
  }
  expect(offenders).toEqual([]);
});
