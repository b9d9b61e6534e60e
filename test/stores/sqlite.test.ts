import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import { storeContract } from "./contract.js";

const dir = mkdtempSync(join(tmpdir(), "baton-sqlite-contract-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract("sqlite", async () => openSqliteStore(join(dir, `contract-${++n}.db`)));
