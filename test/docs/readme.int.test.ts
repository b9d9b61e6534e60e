import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("README", () => {
  it("shows the first workflow exactly as examples/first-workflow.ts, which runs as written", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Your first workflow"));
    const block = section.slice(
      section.indexOf("```ts\n") + 6,
      section.indexOf("```", section.indexOf("```ts\n") + 6),
    );
    expect(block).toBe(readFileSync(join(root, "examples/first-workflow.ts"), "utf8"));
    const db = join(mkdtempSync(join(tmpdir(), "baton-readme-")), "runs.db");
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", join(root, "examples/first-workflow.ts")],
      {
        cwd: root,
        env: { ...process.env, BATON_DB: db },
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe("facts about workflows + opinions on workflows");
  });
});
