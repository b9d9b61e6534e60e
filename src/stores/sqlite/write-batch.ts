import type { Database } from "better-sqlite3";

interface Pending {
  readonly apply: () => void;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for task records. The tasks of a parallel step that finish in the same tick (say,
 * three synchronous branches) are queued and committed in one transaction at the end of the tick:
 * one WAL commit instead of one each. Each write's promise settles only after its commit, so
 * "stored the moment it finishes" still holds. Every other store call flushes the queue first,
 * so reads and later writes always see the queued ones, in order.
 */
export class WriteBatch {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  push(apply: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ apply, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Commit whatever is queued, now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    if (batch.length > 1) {
      try {
        this.db
          .transaction(() => {
            for (const write of batch) write.apply();
          })
          .immediate();
        for (const write of batch) write.resolve();
        return;
      } catch {
        // Rolled back as a whole: apply one by one below, so only a faulty write fails.
      }
    }
    for (const write of batch) {
      try {
        write.apply();
        write.resolve();
      } catch (error) {
        write.reject(error);
      }
    }
  }
}
