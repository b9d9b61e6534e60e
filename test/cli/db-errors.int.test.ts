/**
 * `--db` that cannot hold a run store: one line naming the path and what to do, exit 2, no stack
 * trace; a database this user may only read is still listable, and commands that write say why not.
 *
 * Permission cases need a user the permission bits apply to. Tests run as root on some machines
 * (root may write anything), so there the command runs as `nobody` through `setpriv`; as any other
 * user it runs as that user.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, baton, batonJson, cleanup, type Result, tempDir } from "./helpers.js";

afterAll(cleanup);

/** One line on stderr, `baton: <message>`, nothing on stdout, exit 2. */
function expectUsageError(r: Result, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^baton: /);
  expect(lines[0]).toMatch(message);
}

describe.concurrent("--db that cannot be a SQLite database", () => {
  it("a folder", async () => {
    const cwd = tempDir("db");
    mkdirSync(join(cwd, "runs"));
    for (const command of [["runs"], ["run", "order-saga"]])
      expectUsageError(
        await baton([...command, "--db", "runs"], { cwd }),
        /Cannot use .*\/runs as a SQLite database: it is a folder; give a file path, like .*\/runs\/baton\.db/,
      );
  });

  it("a file that is not SQLite, left as it was", async () => {
    const cwd = tempDir("db");
    writeFileSync(join(cwd, "notes.txt"), "my notes\n");
    for (const command of [["runs"], ["run", "order-saga"]])
      expectUsageError(
        await baton([...command, "--db", "notes.txt"], { cwd }),
        /Cannot use .*\/notes\.txt as a SQLite database: it is not a SQLite database/,
      );
    expect(readdirSync(cwd).sort()).toEqual(["notes.txt"]);
  });

  it("a path under a regular file, and one under a folder nobody may create files in", async () => {
    const cwd = tempDir("db");
    writeFileSync(join(cwd, "file"), "x");
    expectUsageError(
      await baton(["runs", "--db", "file/runs.db"], { cwd }),
      /Cannot use .*\/file\/runs\.db as a SQLite database: .*\/file is a file, not a folder/,
    );
    // /proc refuses new files even to root (and a recursive mkdir there never returns on Node 20).
    expectUsageError(
      await baton(["run", "order-saga", "--db", "/proc/baton-nowhere/runs.db"], { cwd, timeoutMs: 20_000 }),
      /Cannot use \/proc\/baton-nowhere\/runs\.db as a SQLite database: cannot create the folder \/proc\/baton-nowhere/,
    );
  });

  it("BATON_DEBUG=1 adds the stack trace below the one line", async () => {
    const cwd = tempDir("db");
    mkdirSync(join(cwd, "runs"));
    const r = await baton(["runs", "--db", "runs"], { cwd, env: { BATON_DEBUG: "1" } });
    expect(r.code).toBe(2);
    const [first, ...rest] = r.stderr.trimEnd().split("\n");
    expect(first).toMatch(/^baton: Cannot use .*\/runs as a SQLite database: it is a folder/);
    expect(
      rest.some((line) => /^\s+at /.test(line)),
      r.stderr,
    ).toBe(true);
  });
});

const isRoot = process.getuid?.() === 0;
const hasSetpriv = (() => {
  try {
    execFileSync("setpriv", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
/** `nobody` can read the checkout (not so in a clone under a private folder, e.g. `mktemp -d`'s 0700). */
const nobodyReadsCheckout = (() => {
  if (!isRoot || !hasSetpriv) return false;
  try {
    const probe = `require("fs").accessSync(${JSON.stringify(BIN)}, require("fs").constants.R_OK)`;
    const argv = ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", probe];
    execFileSync("setpriv", argv, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
/** As root the bits mean nothing: run as `nobody` (65534) then, which needs setpriv and a checkout it can read. */
const canDropPrivileges = !isRoot || nobodyReadsCheckout;

/** `baton <args>` as a user the permission bits apply to (see the file's comment). */
function batonAsUser(args: readonly string[], cwd: string): Promise<Result> {
  const [command, argv] = isRoot
    ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: cwd, NO_COLOR: "1" };
  const child = spawn(command as string, argv as string[], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

describe.skipIf(!canDropPrivileges)(
  // The reason, when skipped: running as root without setpriv, or in a checkout `nobody` cannot
  // read, there is no user to whom the permission bits apply.
  "a database this user may not write (as nobody when the tests run as root; needs setpriv and a checkout nobody can read)",
  () => {
    /** A folder with a database holding one completed run and one waiting run, then made read-only. */
    async function readOnlyDb(label: string): Promise<{ cwd: string; done: string; waiting: string }> {
      const cwd = tempDir(label);
      const done = await batonJson(["run", "order-saga"], { cwd });
      expect(done.code, done.stderr).toBe(0);
      const waiting = await batonJson(
        [
          "run",
          "support-router",
          "--query",
          "URGENT: I am frustrated, my account alice@example.com is locked",
        ],
        { cwd },
      );
      expect(waiting.status).toBe("interrupted");
      // Readable by all, writable by nobody (the owner aside, when that is root): the file and its folder.
      chmodSync(join(cwd, ".baton/baton.db"), 0o444);
      chmodSync(join(cwd, ".baton"), 0o555);
      chmodSync(cwd, 0o755);
      return { cwd, done: done.runId, waiting: waiting.runId };
    }

    it("lists and shows its runs, and leaves no file beside it", async () => {
      const { cwd, done, waiting } = await readOnlyDb("ro");
      const before = readdirSync(join(cwd, ".baton")).sort();
      const list = await batonAsUser(["runs", "--json"], cwd);
      expect(list.code, list.stderr).toBe(0);
      const runs = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
      const ids = runs.map((r) => r.runId ?? r.id);
      expect(ids.sort()).toEqual([done, waiting].sort());
      const table = await batonAsUser(["runs", "--db", ".baton/baton.db"], cwd);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toContain(done);
      const show = await batonAsUser(["show", done], cwd);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toMatch(new RegExp(`run ${done} +order-saga +completed`));
      expect(readdirSync(join(cwd, ".baton")).sort()).toEqual(before);
    });

    it("run, resume and cancel say it is read-only, exit 2, and change nothing", async () => {
      const { cwd, waiting } = await readOnlyDb("ro");
      const readOnly =
        /\.baton\/baton\.db is read-only \(this user may not write the file\): .* needs to write to it; make it writable, or use another --db/;
      expectUsageError(await batonAsUser(["run", "order-saga"], cwd), readOnly);
      expectUsageError(
        await batonAsUser(["resume", waiting, "--value", '{"approved": true}'], cwd),
        readOnly,
      );
      expectUsageError(await batonAsUser(["cancel", waiting], cwd), readOnly);
      const list = await baton(["runs", "--json"], { cwd });
      const runs = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
      expect(runs).toHaveLength(2);
      expect(runs.find((r) => (r.runId ?? r.id) === waiting)?.status).toBe("interrupted");
    });

    it("a new database in a folder this user may not write", async () => {
      const cwd = tempDir("ro");
      mkdirSync(join(cwd, "locked"));
      chmodSync(join(cwd, "locked"), 0o555);
      chmodSync(cwd, 0o755);
      expectUsageError(
        await batonAsUser(["run", "order-saga", "--db", "locked/runs.db"], cwd),
        /Cannot use .*\/locked\/runs\.db as a SQLite database: the folder .*\/locked is not writable by this user; choose a path in a folder you can write/,
      );
    });
  },
);
