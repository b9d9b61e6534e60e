import {
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  type Stats,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { BatonError } from "../../errors.js";
import { SqliteStore, type SqliteStoreOptions } from "./store.js";

/** Where runs are kept when nothing says otherwise: `.baton/baton.db` under the working directory. */
export const DEFAULT_DB_PATH = ".baton/baton.db";

/** The database file: the given path, else `BATON_DB`, else `.baton/baton.db` under the cwd. */
export function resolveDbPath(path?: string): string {
  const chosen = path ?? process.env.BATON_DB ?? DEFAULT_DB_PATH;
  return chosen === ":memory:" || chosen.startsWith("file:") ? chosen : resolve(chosen);
}

/**
 * Open (creating the file, its folder and the schema as needed) the SQLite store. A path that
 * cannot hold a database (a folder, a file that is not SQLite, a place this process cannot write)
 * is a `STORE` error naming the path and what to do, before SQLite is asked.
 *
 * @example
 * const store = openSqliteStore();                       // .baton/baton.db, or $BATON_DB
 * const safe = openSqliteStore("runs.db", { durability: "full" }); // survives power loss
 */
export function openSqliteStore(path?: string, options: SqliteStoreOptions = {}): SqliteStore {
  const file = resolveDbPath(path);
  const access = checkSqlitePath(file);
  if (access.readOnly !== undefined)
    throw new BatonError(
      "STORE",
      `The SQLite database ${file} is read-only: ${access.readOnly}; make it writable, or choose another file`,
    );
  return openOrExplain(file, () => new SqliteStore(file, options));
}

/** What a SQLite path is: a file that exists or not, and why this process may only read it. */
export interface SqliteAccess {
  readonly exists: boolean;
  /** Set when the file exists but this process cannot write it (or the -wal beside it). */
  readonly readOnly?: string;
}

/**
 * Check a database path before opening it: throws a `STORE` error for a folder, a file that is not
 * SQLite, a file that cannot be read, or a new file in a folder that cannot be created or written.
 * (Permission checks use `access(2)`: as root, every file is writable.)
 */
export function checkSqlitePath(path: string): SqliteAccess {
  if (path === ":memory:" || path.startsWith("file:")) return { exists: false };
  const fail = (why: string) => new BatonError("STORE", `Cannot use ${path} as a SQLite database: ${why}`);
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw fail((error as Error).message);
    checkCreatable(path, fail);
    return { exists: false };
  }
  if (stats.isDirectory()) throw fail(`it is a folder; give a file path, like ${join(path, "baton.db")}`);
  if (!stats.isFile()) throw fail("it is not a regular file");
  if (!can(path, constants.R_OK)) throw fail("this user may not read it (permission denied)");
  if (stats.size > 0 && !hasSqliteHeader(path))
    throw fail(
      "it is not a SQLite database (the file does not start with the SQLite header); give a Baton database, or a path for a new one",
    );
  if (!can(path, constants.W_OK)) return { exists: true, readOnly: "this user may not write the file" };
  // WAL mode writes `<file>-wal` and `<file>-shm` beside the file: its folder must be writable,
  // unless both exist already and are writable.
  const folder = dirname(path);
  const sidecarsWritable = ["-wal", "-shm"].every(
    (suffix) => existsSync(path + suffix) && can(path + suffix, constants.W_OK),
  );
  if (!can(folder, constants.W_OK) && !sidecarsWritable)
    return {
      exists: true,
      readOnly: `this user may not write its folder ${folder} (SQLite keeps its -wal file there)`,
    };
  return { exists: true };
}

/**
 * A new file: its nearest existing ancestor must be a folder this process can write; the missing
 * folders are created here, one at a time, so a failure names the folder (a recursive `mkdir` under
 * `/proc` never returns on Node 20).
 */
function checkCreatable(path: string, fail: (why: string) => Error): void {
  const missing: string[] = [];
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) {
    missing.unshift(dir);
    dir = dirname(dir);
  }
  let stats: Stats;
  try {
    stats = statSync(dir);
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (!stats.isDirectory()) throw fail(`${dir} is a file, not a folder; choose a path in a folder`);
  if (!can(dir, constants.W_OK))
    throw fail(`the folder ${dir} is not writable by this user; choose a path in a folder you can write`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw fail(
        `cannot create the folder ${folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a path in a folder you can write`,
      );
    }
  }
}

function can(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

const SQLITE_HEADER = "SQLite format 3\u0000";

function hasSqliteHeader(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return read === buffer.length && buffer.toString("latin1") === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

/** SQLite's own failures while opening, as one `STORE` line naming the file. */
function openOrExplain<T>(path: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    if (error instanceof BatonError) throw error;
    const code = (error as { code?: unknown }).code;
    const why =
      code === "SQLITE_NOTADB"
        ? "it is not a SQLite database"
        : code === "SQLITE_CORRUPT"
          ? "the file is corrupt"
          : code === "SQLITE_BUSY" || code === "SQLITE_LOCKED"
            ? "another process holds a lock on it; try again when it is done"
            : code === "SQLITE_READONLY" || code === "SQLITE_CANTOPEN" || code === "EACCES"
              ? `${(error as Error).message} (check that this user may write the file and its folder)`
              : (error as Error).message;
    throw new BatonError("STORE", `Cannot open the SQLite database ${path}: ${why}`, { cause: error });
  }
}

/**
 * Open a copy of a database this process may only read (see `checkSqlitePath`), taken now, for
 * commands that only read it: SQLite cannot open a WAL database in a folder it cannot write, and
 * a reader must not leave `-shm` files there that its owner then cannot write. Writes to the
 * returned store change only the copy (callers refuse them); `close()` removes the copy.
 */
export function openSqliteSnapshot(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), "baton-readonly-"));
  const copy = join(dir, basename(path));
  try {
    // The -wal first: what it holds is not in the main file yet.
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    copyFileSync(path, copy);
    const store = openOrExplain(path, () => new SqliteStore(copy, options));
    const close = store.close.bind(store);
    store.close = async () => {
      try {
        await close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    return store;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
