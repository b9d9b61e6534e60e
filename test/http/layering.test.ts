/**
 * Layers: the HTTP server does not import the CLI's files, and the host (the workflow loader, the
 * registry of workflow files and the runtime, which both use) imports neither of them. biome.json's
 * `noRestrictedImports` says the same for imports, re-exports and `import()`; this also reads the
 * type queries (`typeof import("…")`) the lint rule does not see.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.[cm]?tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** The relative module paths a text names: `from "…"`, `import("…")` (also in `typeof import`), `import "…"`. */
const moduleSpecs = (text: string): string[] =>
  [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)].map(
    (m) => m[1]!,
  );

/** Every relative module a file imports, as named and as a path under src/. */
function imports(file: string): { spec: string; target: string }[] {
  return moduleSpecs(readFileSync(file, "utf8")).map((spec) => ({
    spec,
    target: relative(SRC, resolve(file, "..", spec)),
  }));
}

function offending(layer: string, forbidden: readonly string[]): string[] {
  return sourceFiles(join(SRC, layer)).flatMap((file) =>
    imports(file)
      .filter(({ target }) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
      .map(({ spec }) => `${relative(SRC, file)} imports ${spec}`),
  );
}

describe("layering", () => {
  it("src/http imports nothing from src/cli", () => {
    expect(sourceFiles(join(SRC, "http")).length).toBeGreaterThan(0);
    expect(offending("http", ["cli"])).toEqual([]);
  });

  it("src/host imports nothing from src/cli or src/http", () => {
    expect(sourceFiles(join(SRC, "host")).length).toBeGreaterThan(0);
    expect(offending("host", ["cli", "http"])).toEqual([]);
  });

  it("the check sees the ways a file names a module", () => {
    expect(
      moduleSpecs(
        `import { a } from "../cli/a.js";\nimport type { B } from '../cli/b.js';\nexport { c } from "../cli/c.js";\nimport "../cli/d.js";\nconst e = await import("../cli/e.js");\ntype F = typeof import("../cli/f.js");`,
      ),
    ).toEqual(["../cli/a.js", "../cli/b.js", "../cli/c.js", "../cli/d.js", "../cli/e.js", "../cli/f.js"]);
  });
});
