import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { canonicalJson } from "./canonical-json.js";

/**
 * Replays a write that was already applied. A workflow node that re-runs after a crash sends the same
 * idempotency key with the same arguments; the stored result comes back (marked `replayed`) and nothing is
 * written twice. The key covers the tool and its arguments, so one node may make several different writes;
 * the arguments are hashed in canonical form, so the order of their keys does not matter.
 */
export class IdempotencyLog {
  constructor(private readonly db: Database.Database) {}

  run<T extends Record<string, unknown>>(
    key: string | undefined,
    tool: string,
    args: unknown,
    write: () => T,
  ): T & { replayed?: boolean } {
    if (key === undefined) return write();
    const id = `${key}|${tool}|${createHash("sha256").update(canonicalJson(args)).digest("hex")}`;
    const once = this.db.transaction(() => {
      const stored = this.db.prepare("SELECT result FROM _baton_idempotency WHERE key = ?").get(id) as
        | { result: string }
        | undefined;
      if (stored !== undefined) return { ...(JSON.parse(stored.result) as T), replayed: true };
      const result = write();
      this.db
        .prepare("INSERT INTO _baton_idempotency (key, result) VALUES (?, ?)")
        .run(id, JSON.stringify(result));
      return result;
    });
    return once.immediate();
  }
}
