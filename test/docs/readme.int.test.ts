/**
 * The README's first ten minutes, done as written, in a project that depends on Baton the way an
 * installed one does (`node_modules/baton`, `node_modules/.bin/baton`, `npx`): the first workflow
 * under `npx tsx` and under `npx baton`, and `npx baton init` and the commands it prints.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The README's section under this heading (up to the next `## `). */
function section(heading: string): string {
  const start = readme.indexOf(`## ${heading}`);
  expect(start, `README section "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The fenced code blocks of a text, by language. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1] as string);
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project with `"type": "module"` that has Baton (this repository) and tsx installed. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "baton-readme-"));
  made.push(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "my-flows", type: "module", private: true }),
  );
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules/baton"));
  symlinkSync("../baton/bin/baton.js", join(dir, "node_modules/.bin/baton"));
  symlinkSync(join(root, "node_modules/tsx"), join(dir, "node_modules/tsx"));
  symlinkSync("../tsx/dist/cli.mjs", join(dir, "node_modules/.bin/tsx"));
  return dir;
}

/** Our environment without `BATON_*` (an outer setting must not leak in). */
function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("BATON_")) out[k] = v;
  return out;
}

/** A shell command line, as a user types it, in the project. */
function sh(line: string, cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("sh", ["-c", line], { cwd, env: env(), encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The runs in the project's store, oldest first. */
function runs(cwd: string): Array<{ graph: string; status: string }> {
  const out = execFileSync(process.execPath, [join(root, "bin/baton.js"), "runs", "--json"], {
    cwd,
    env: env(),
    encoding: "utf8",
  });
  return (JSON.parse(out) as Array<{ graph: string; status: string }>).reverse();
}

describe("README: your first workflow in a minute", () => {
  const text = section("Your first workflow in a minute");

  it("shows examples/first-workflow.ts exactly", () => {
    expect(blocks(text, "ts")[0]).toBe(readFileSync(join(root, "examples/first-workflow.ts"), "utf8"));
  });

  it("runs as written, once per command, under npx tsx and npx baton; baton graph runs nothing", () => {
    const cwd = project();
    writeFileSync(join(cwd, "first-workflow.ts"), blocks(text, "ts")[0] as string);
    const lines = (blocks(text, "sh")[0] as string).trimEnd().split("\n");
    const commands = lines.map((line) => {
      const [command, comment] = line.split(/\s+# /);
      return { command: (command as string).trim(), comment: (comment ?? "").trim() };
    });
    const withInput = `npx baton run first-workflow.ts --input '{"topic": "sagas"}'`;
    // What each command shows, and how many runs the store holds after it.
    const expected: Record<string, { runs: number; check: (stdout: string) => void }> = {
      "npx tsx first-workflow.ts": { runs: 1, check: (out) => expect(out).toBe(`${commands[0]?.comment}\n`) },
      "npx baton run first-workflow.ts": {
        runs: 2,
        check: (out) => expect(JSON.parse(out).summary).toBe("facts about workflows + opinions on workflows"),
      },
      [withInput]: {
        runs: 3,
        check: (out) => expect(JSON.parse(out).summary).toBe("facts about sagas + opinions on sagas"),
      },
      "npx baton graph first-workflow.ts": {
        runs: 3,
        check: (out) => expect(out).toMatch(/^flowchart TD\n[\s\S]*facts[\s\S]*summarise/),
      },
      "npx baton runs": { runs: 3, check: (out) => expect(out.match(/first-workflow/g)).toHaveLength(3) },
    };
    expect(commands.map((c) => c.command)).toEqual(Object.keys(expected));
    for (const { command } of commands) {
      const r = sh(command, cwd);
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      const want = expected[command]!;
      want.check(r.stdout);
      const stored = runs(cwd);
      expect(stored, command).toHaveLength(want.runs);
      expect(stored.every((run) => run.graph === "first-workflow" && run.status === "completed")).toBe(true);
    }
  }, 120_000);

  it("documents compile({ name }), naming after the file, and the function export baton init writes", () => {
    expect(text).toContain("`compile({ name })`");
    expect(text).toMatch(/named after the\s+file \(`first-workflow\.ts` → `first-workflow`\)/);
    expect(text).toContain("`npx baton init` writes such a file, `hello.workflow.ts`");
  });
});

describe("README: npx baton in a project, baton init", () => {
  it("says npx baton where a local install is meant", () => {
    expect(section("Quick start")).toContain("`npx baton run order-saga`");
    expect(section("The `baton` command")).toContain("call it `npx baton`");
    // No bare `baton run <file>` is offered for the first workflow.
    expect(section("Your first workflow in a minute")).not.toMatch(/(?<!npx )baton run first-workflow/);
  });

  it("baton init writes the files the README names and prints commands that work as printed", () => {
    const row = section("The `baton` command")
      .split("\n")
      .find((line) => line.startsWith("| `baton init"));
    const named = [...(row ?? "").matchAll(/`([\w.-]+\.(?:json|ts))`/g)].map((m) => m[1]).sort();
    expect(named).toEqual(["baton.config.json", "hello.workflow.ts"]);

    const cwd = project();
    const init = sh("npx baton init", cwd);
    expect(init.code, init.stderr).toBe(0);
    expect(
      readdirSync(cwd)
        .filter((f) => f !== "node_modules" && f !== "package.json")
        .sort(),
    ).toEqual(named);
    const config = JSON.parse(readFileSync(join(cwd, "baton.config.json"), "utf8"));
    expect(Object.keys(config)).toEqual(["mcpServers"]);
    expect(Object.keys(config.mcpServers)).toEqual(["weather", "database", "filesystem"]);
    // "such a file" (README): a function of the command's context, declaring the servers it calls.
    const workflow = readFileSync(join(cwd, "hello.workflow.ts"), "utf8");
    expect(workflow).toContain("export default (ctx: WorkflowContext) =>");
    expect(workflow).toContain('export const servers = ["weather"];');

    // Every command it prints is `npx baton …`, and each one works, here, as printed.
    const printed = init.stdout
      .split("\n")
      .map((line) => line.replace(/^[a-z ]+:\s+|^\s+/, ""))
      .filter((line) => /\bbaton\b/.test(line) && !line.startsWith("wrote"));
    expect(printed.length).toBeGreaterThanOrEqual(3);
    for (const command of printed) {
      expect(command).toMatch(/^npx baton /);
      const r = sh(command, cwd);
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
    }
    const stored = runs(cwd);
    expect(stored.map((r) => [r.graph, r.status])).toEqual([
      ["hello", "completed"],
      ["hello", "completed"],
    ]);
  }, 120_000);
});
