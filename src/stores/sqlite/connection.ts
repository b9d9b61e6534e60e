import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

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
 * Measured on the 200-step × 1 KiB benchmark: 264 KB on disk with 1 KiB pages, 987 KB with 4 KiB
 * (WITHOUT ROWID) and 344 KB with 4 KiB rowid tables; commits were no slower. Applies to new files.
 */
const PAGE_SIZE = 1024;
/** Checkpoint the WAL into the database every 4 MiB, not every 1,000 (small) pages: fewer fsyncs. */
const AUTOCHECKPOINT_PAGES = 4096;
/** Truncate the WAL file back to this after a checkpoint (bytes). */
const WAL_SIZE_LIMIT = 8 * 1024 * 1024;

/** Open (creating its folder) and configure one connection; the schema is not touched here. */
export function connect(path: string, options: ConnectionOptions = {}): Database.Database {
  if (path !== ":memory:" && !path.startsWith("file:")) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // First, so every later statement (the WAL switch included) waits for other processes' locks.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma(`page_size = ${PAGE_SIZE}`);
    enableWal(db);
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
 * takes an exclusive lock; with busy_timeout already set, processes creating the file at the same
 * moment wait for each other (test/stores/sqlite-processes.int.test.ts starts several at once).
 */
function enableWal(db: Database.Database): void {
  const mode = db.pragma("journal_mode = WAL", { simple: true });
  if (mode !== "wal" && db.name !== ":memory:")
    throw new Error(`SQLite refused WAL mode for ${db.name} (journal_mode is ${String(mode)})`);
}
