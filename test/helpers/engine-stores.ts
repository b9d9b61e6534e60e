import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { Store } from "../../src/engine/store.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";

/**
 * The stores an engine test runs on, for `describe.each`: memory, and a fresh SQLite file per call
 * in a folder removed after the file's tests.
 */
export function engineStores(label: string): Array<[string, () => Store]> {
  const dir = mkdtempSync(join(tmpdir(), `baton-${label}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return [
    ["memory", () => new MemoryStore()],
    ["sqlite", () => openSqliteStore(join(dir, `${++files}.db`))],
  ];
}
