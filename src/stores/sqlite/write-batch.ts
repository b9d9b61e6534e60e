import type { Database, Transaction } from "better-sqlite3";

interface Pending {
  readonly apply: () => void;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit. Writes issued in the same tick (the tasks of a parallel step that finish together,
 * a run's last checkpoint and its status) are queued and committed in one transaction at the end
 * of the tick: one WAL commit instead of one each. A write may be several statements; it is
 * always applied inside a transaction, so it is atomic on its own too. Each write's promise settles only after its commit, so
 * "stored the moment it finishes" still holds. Every other store call flushes the queue first,
 * so reads and later writes always see the queued ones, in order.
 */
export class WriteBatch {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Applies the writes given to it in one transaction (`.immediate()`: take the write lock first). */
  private readonly commit: Transaction<(writes: readonly Pending[]) => void>;

  constructor(db: Database) {
    this.commit = db.transaction((writes: readonly Pending[]) => {
      for (const write of writes) write.apply();
    });
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
    try {
      this.commit.immediate(batch);
      for (const write of batch) write.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Rolled back as a whole: commit one by one below, so only a faulty write fails.
    }
    for (const write of batch) {
      try {
        this.commit.immediate([write]);
        write.resolve();
      } catch (error) {
        write.reject(error);
      }
    }
  }
}
