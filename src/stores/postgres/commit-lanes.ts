import type { Pool, PoolClient, QueryResultRow } from "pg";
import { execute, type Statement, storeError } from "./db.js";

type Rows = QueryResultRow[];

interface Pending {
  readonly statement: Statement;
  readonly resolve: (rows: Rows) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane {
  pending: Pending[];
}

/**
 * Group commit for PostgreSQL, one lane per run. A run's writes issued together (a lone task's record
 * and the step's checkpoint; the last checkpoint and the final status; the records of parallel
 * branches finishing in the same turn of the event loop) are sent in one round trip and committed
 * once. While a lane's commit is in flight, the run's next writes queue up and go together in the
 * following one: a lane commits in issue order, so a later write never lands without an earlier one
 * (the store `ordersWrites`). Different runs commit side by side on the pool's connections.
 *
 * Each write's promise settles only after its commit, so "stored the moment it finishes" holds
 * exactly as with one statement per write. A batch that fails is rolled back whole and retried one
 * write at a time, so only a faulty write fails (as SQLite's `WriteBatch` does).
 */
export class CommitLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly pool: Pool) {}

  /** Queue a write of run `key`; resolves with its rows once committed. */
  write<R extends QueryResultRow>(key: string, statement: Statement): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      const item: Pending = { statement, resolve: resolve as (rows: Rows) => void, reject };
      const lane = this.lanes.get(key);
      if (lane) {
        lane.pending.push(item);
        return;
      }
      const fresh: Lane = { pending: [item] };
      this.lanes.set(key, fresh);
      // At the end of this turn, not at once: the writes the engine issues right after this one
      // (the step's checkpoint after its tasks' records) join the same commit.
      setImmediate(() => void this.drain(key, fresh));
    });
  }

  private async drain(key: string, lane: Lane): Promise<void> {
    while (lane.pending.length > 0) {
      const batch = lane.pending;
      lane.pending = [];
      try {
        await this.commit(batch);
      } catch (error) {
        // Never leave a lane stuck: its run's later writes would wait forever.
        for (const p of batch) p.reject(storeError(p.statement.op, error));
      }
    }
    this.lanes.delete(key);
  }

  private async commit(batch: readonly Pending[]): Promise<void> {
    if (batch.length === 1) return settleOne(this.pool, batch[0]!);
    const units = merged(batch);
    if (units.length === 1) {
      const unit = units[0]!;
      try {
        const rows = await execute(this.pool, unit.statement);
        for (const p of unit.members) p.resolve(rows);
        return;
      } catch {
        for (const p of batch) await settleOne(this.pool, p);
        return;
      }
    }
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const p of batch) p.reject(storeError(p.statement.op, error));
      return;
    }
    let results: PromiseSettledResult<Rows>[];
    let broken: Error | undefined;
    try {
      results = await inOneTransaction(client, units);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      results = [];
    } finally {
      client.release(broken);
    }
    if (!broken && results.every((r) => r.status === "fulfilled")) {
      for (const [i, unit] of units.entries())
        for (const p of unit.members) p.resolve((results[i] as PromiseFulfilledResult<Rows>).value);
      return;
    }
    // Rolled back as a whole (or the connection broke): one by one, so only a faulty write fails.
    for (const p of batch) await settleOne(this.pool, p);
  }
}

/** One statement to run, standing for one write or for several merged ones. */
interface Unit {
  readonly statement: Statement;
  readonly members: readonly Pending[];
}

/**
 * Writes of one kind issued back to back (the records of a parallel step's tasks) become one
 * statement; the order of everything else is kept. Merged writes read no rows back.
 */
function merged(batch: readonly Pending[]): Unit[] {
  const units: Unit[] = [];
  let run: Pending[] = [];
  const close = () => {
    if (run.length === 1) units.push({ statement: run[0]!.statement, members: run });
    else if (run.length > 1)
      units.push({
        statement: run[0]!.statement.merge!.combine(run.map((p) => p.statement.merge!.item)),
        members: run,
      });
    run = [];
  };
  for (const p of batch) {
    const kind = p.statement.merge?.kind;
    if (kind === undefined || (run.length > 0 && run[0]!.statement.merge!.kind !== kind)) close();
    if (kind === undefined) units.push({ statement: p.statement, members: [p] });
    else run.push(p);
  }
  close();
  return units;
}

async function settleOne(pool: Pool, p: Pending): Promise<void> {
  try {
    p.resolve(await execute(pool, p.statement));
  } catch (error) {
    p.reject(error);
  }
}

/**
 * BEGIN, the statements, COMMIT. On a pipelined connection (the store's own pool) they are written
 * at once and answered in one round trip; any other connection runs them one after another. A
 * failed statement aborts the transaction and its COMMIT rolls back: nothing of the batch is kept.
 * Throws when the connection itself failed (the COMMIT's outcome is then unknown).
 */
async function inOneTransaction(
  client: PoolClient,
  batch: readonly Unit[],
): Promise<PromiseSettledResult<Rows>[]> {
  const pipelined = (client as { pipeline?: boolean }).pipeline === true;
  const run = (s: Statement) => execute(client, s);
  if (pipelined) {
    const begin = run(BEGIN);
    const writes = batch.map((p) => run(p.statement));
    const commit = run(COMMIT);
    const [b, c, ...results] = await Promise.allSettled([begin, commit, ...writes]);
    if (b!.status === "rejected") throw b.reason;
    if (c!.status === "rejected") throw c.reason;
    return results;
  }
  await run(BEGIN);
  const results: PromiseSettledResult<Rows>[] = [];
  for (const p of batch) {
    try {
      results.push({ status: "fulfilled", value: await run(p.statement) });
    } catch (reason) {
      results.push({ status: "rejected", reason });
      break;
    }
  }
  await run(results.every((r) => r.status === "fulfilled") ? COMMIT : ROLLBACK);
  return results;
}

const BEGIN: Statement = { op: "commit", text: "BEGIN", values: [] };
const COMMIT: Statement = { op: "commit", text: "COMMIT", values: [] };
const ROLLBACK: Statement = { op: "commit", text: "ROLLBACK", values: [] };
