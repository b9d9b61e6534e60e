/**
 * Command-line conventions, through the real `baton` command: tables with a header row and local
 * times with their zone, no escape codes off a terminal or with NO_COLOR, help with examples and exit
 * codes and unquoted defaults, `runId` in every JSON output.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, baton, batonJson, cleanup, REPO, tempDir } from "./helpers.js";

afterAll(cleanup);

const ESC = "\x1b[";

const TRIVIAL = readFileSync(join(REPO, "test/fixtures/trivial-workflow.ts"), "utf8");

function trivialDir(label: string): string {
  const cwd = tempDir(label);
  writeFileSync(join(cwd, "trivial.ts"), TRIVIAL);
  return cwd;
}

/** `script` gives the command a pseudo-terminal (stdout and stderr both a TTY); its output is both. */
const hasScript = spawnSync("script", ["--version"]).status === 0;
function onTerminal(args: string[], cwd: string, env: Record<string, string>): string {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("BATON_") && k !== "NO_COLOR") clean[k] = v;
  const r = spawnSync("script", ["-qec", quoted, "/dev/null"], {
    cwd,
    env: { ...clean, TERM: "xterm", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.status, r.stdout).toBe(0);
  return r.stdout;
}

describe.concurrent("baton runs: a table", () => {
  it("has a header row, and local times with their UTC offset", async () => {
    const cwd = trivialDir("runs-table");
    for (const id of ["t-1", "t-2"]) {
      const r = await baton(["run", "trivial.ts", "--run-id", id], { cwd });
      expect(r.code, r.stderr).toBe(0);
    }
    // A zone that is never UTC, so "local" is visible: India is UTC+05:30 all year.
    const r = await baton(["runs"], { cwd, env: { TZ: "Asia/Kolkata" } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^RUN ID +STATUS +WORKFLOW +STEP +STARTED$/);
    expect(lines[1]).toMatch(/^t-2 +completed +trivial +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30$/);
    expect(lines[2]).toMatch(/^t-1 +completed +trivial +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30$/);
    // The columns line up under their headers.
    const at = (line: string, word: string) => line.indexOf(word);
    expect(at(lines[1]!, "completed")).toBe(at(lines[0]!, "STATUS"));
    expect(at(lines[1]!, "trivial")).toBe(at(lines[0]!, "WORKFLOW"));
    // The time is the run's own, in that zone: within a few minutes of now there.
    const shown = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) \+05:30$/.exec(lines[1]!)!.slice(1).map(Number);
    const asUtc =
      Date.UTC(shown[0]!, shown[1]! - 1, shown[2]!, shown[3]!, shown[4]!, shown[5]!) - 330 * 60_000;
    expect(Math.abs(Date.now() - asUtc)).toBeLessThan(10 * 60_000);
    // `show` says when the run started, the same way.
    const show = await baton(["show", "t-1"], { cwd, env: { TZ: "Asia/Kolkata" } });
    expect(show.stdout.split("\n")[0]).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30$/);
    // No runs: one line that says so, no header.
    expect((await baton(["runs", "--status", "failed"], { cwd })).stdout).toBe("no runs\n");
  });
});

describe.concurrent("JSON output: runId everywhere", () => {
  it("run --json, runs --json and show --json all name the run runId (and none says id)", async () => {
    const cwd = trivialDir("json-ids");
    const run = await batonJson(["run", "trivial.ts", "--run-id", "j-1"], { cwd });
    expect(run.runId).toBe("j-1");
    const runs = JSON.parse((await baton(["runs", "--json"], { cwd })).stdout) as Array<
      Record<string, unknown>
    >;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ runId: "j-1", status: "completed", graph: "trivial" });
    expect(runs[0]).not.toHaveProperty("id");
    const shown = JSON.parse((await baton(["show", "j-1", "--json"], { cwd })).stdout) as {
      run: Record<string, unknown>;
      tasks: Array<Record<string, unknown>>;
    };
    expect(shown.run).toMatchObject({ runId: "j-1", status: "completed" });
    expect(shown.run).not.toHaveProperty("id");
    expect(shown.tasks.every((t) => t.runId === "j-1")).toBe(true);
  });
});

describe.concurrent("colours and escape codes", () => {
  it("off a terminal there are none, even without NO_COLOR", async () => {
    const cwd = trivialDir("no-tty");
    const r = await baton(["run", "trivial.ts"], { cwd, env: { NO_COLOR: "" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ inc \d+ms/);
    expect(r.stderr).not.toContain(ESC);
    expect(r.stdout).not.toContain(ESC);
    const shipped = await baton(["run", "order-saga", "--input", '{"failAt": "charge_payment"}'], {
      cwd,
      env: { NO_COLOR: "" },
    });
    expect(shipped.code).toBe(1);
    expect(shipped.stderr).toMatch(/compensating: create_account/);
    expect(`${shipped.stdout}${shipped.stderr}`).not.toContain(ESC);
  });

  it.skipIf(!hasScript)("on a terminal: colours by default, none at all with NO_COLOR", () => {
    const cwd = trivialDir("tty");
    const coloured = onTerminal(["run", "trivial.ts"], cwd, {});
    expect(coloured).toContain(`${ESC}32m✓${ESC}0m`);
    const plain = onTerminal(["run", "trivial.ts"], cwd, { NO_COLOR: "1" });
    expect(plain).toMatch(/✓ inc \d+ms/);
    expect(plain).toMatch(/✓ completed in/);
    expect(plain).not.toContain("\x1b");
  });
});

describe.concurrent("help", () => {
  it("baton --help has examples, exit codes and the environment it reads", async () => {
    const r = await baton(["--help"], { cwd: tempDir("help") });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Examples:\n {2}\$ baton run order-saga/m);
    expect(r.stdout).toMatch(/^Exit codes:\n {2}0 {2}completed/m);
    expect(r.stdout).toMatch(/^ {2}1 {2}the run failed/m);
    expect(r.stdout).toMatch(/^ {2}2 {2}usage or configuration error/m);
    expect(r.stdout).toMatch(/^ {2}3 {2}the run is waiting for input/m);
    expect(r.stdout).toMatch(/^ {2}130 {2}stopped by Ctrl-C/m);
    expect(r.stdout).toMatch(/NO_COLOR/);
  });

  it("each command's help has its examples; those that run workflows, the exit codes", async () => {
    const cwd = tempDir("help-commands");
    const run = await baton(["run", "--help"], { cwd });
    expect(run.stdout).toMatch(/^Examples:\n {2}\$ baton run parallel-research/m);
    expect(run.stdout).toMatch(/^Exit codes:/m);
    for (const command of [
      "runs",
      "show",
      "resume",
      "cancel",
      "graph",
      "serve",
      "submit",
      "worker",
      "queue",
      "init",
    ]) {
      const r = await baton([command, "--help"], { cwd });
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toMatch(new RegExp(`^Examples:\\n {2}\\$ baton ${command}`, "m"));
    }
    const tools = await baton(["mcp", "tools", "--help"], { cwd });
    expect(tools.stdout).toMatch(/^Examples:\n {2}\$ baton mcp tools/m);
  });

  it("defaults print unquoted", async () => {
    const cwd = tempDir("help-defaults");
    const texts = await Promise.all(
      [["runs"], ["graph"], ["serve"], ["worker"]].map(
        async (c) => (await baton([...c, "--help"], { cwd })).stdout,
      ),
    );
    const all = texts.join("\n");
    expect(texts[0]).toMatch(/--limit <n> +at most n runs \(default: 20\)/);
    expect(texts[1]).toMatch(/\(default: mermaid\)/);
    expect(texts[2]).toMatch(/\(default: 7400\)/);
    expect(texts[2]).toMatch(/\(default: 127\.0\.0\.1\)/);
    expect(texts[3]).toMatch(/\(default: 30000\)/);
    expect(all).not.toMatch(/\(default: "/);
  });
});
