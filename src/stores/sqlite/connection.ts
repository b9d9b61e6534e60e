import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { BatonError } from "../../errors.js";

/**
 * `normal`: a commit survives the process being killed (WAL with `synchronous=NORMAL`: the OS has
 * the write; a power cut may lose the last commits). `full`: each commit is fsynced before it
 * returns, so it survives power loss too, at the cost of one fsync per write.
 */
export type Durability = "normal" | "full";

export interface ConnectionOptions {
  durability?: Durability;
  /** How long a write waits for another process's lock before failing (default 5,000 ms). */
  busyTimeoutMs?: number;
}

/**
 * Small pages suit a run store: most rows are a few hundred bytes, each commit writes whole pages
 * to the WAL, and a 1 KiB task write spills into one 1 KiB overflow page instead of a 4 KiB one.
 * Measured on the storage200 benchmark (200 steps × 1 KiB): 264 KB on disk with 1 KiB pages, 987 KB
 * with 4 KiB pages, and no slower commits. Applies to new files only.
 */
const PAGE_SIZE = 1024;
/** Checkpoint the WAL into the database every 4 MiB, not every 1,000 (small) pages: fewer fsyncs. */
const AUTOCHECKPOINT_PAGES = 4096;
/** Truncate the WAL file back to this after a checkpoint (bytes). */
const WAL_SIZE_LIMIT = 8 * 1024 * 1024;

/** Open (creating its folder) and configure one connection; the schema is not touched here. @internal */
export function connect(path: string, options: ConnectionOptions = {}): Database.Database {
  if (path !== ":memory:" && !path.startsWith("file:")) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // First, so every later statement (the WAL switch included) waits for other processes' locks.
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma(`page_size = ${PAGE_SIZE}`);
    enableWal(db, busyTimeoutMs);
    db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    db.pragma("temp_store = MEMORY");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * WAL lets readers (a dashboard, `baton status`) run beside the writer. Switching a new file to WAL
 * takes an exclusive lock, and when processes create the file at the same moment SQLite may answer
 * SQLITE_BUSY at once instead of calling the busy handler (seen under load in
 * test/stores/sqlite-processes.int.test.ts): retry until the busy timeout runs out.
 */
function enableWal(db: Database.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode === "wal" || db.name === ":memory:") return;
      throw new BatonError(
        "STORE",
        `SQLite refused WAL mode for ${db.name} (journal_mode is ${String(mode)})`,
      );
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > deadline) throw error;
      // A synchronous pause: opening is synchronous (the default store opens on first use).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20);
    }
  }
}
