import type { RunRecord } from "../engine/records.js";
import type { Store } from "../engine/store.js";
import type { EventHub } from "./event-hub.js";

export interface StoreWatcherOptions {
  store: Store;
  hub: EventHub;
  /** True for runs executing in this process: their engine events reach the hub directly. */
  isLocal(runId: string): boolean;
  /** Milliseconds between looks (default 500). */
  intervalMs?: number;
  /** How many of the newest runs each look compares (default 200). */
  window?: number;
}

/**
 * Follows runs executing in other processes (a `baton run` on the same SQLite file, workers on
 * PostgreSQL): it reads the store every interval (one small query) and publishes `run_changed`
 * for each run whose record moved, and `task_changed` when a followed run's task or compensation
 * records changed. Looks never overlap; a failed look is retried at the next interval.
 */
export function watchStore(options: StoreWatcherOptions): { stop(): void; poll(): Promise<void> } {
  const { store, hub, isLocal } = options;
  const intervalMs = options.intervalMs ?? 500;
  let runs = new Map<string, string>();
  let tasks = new Map<string, string>();
  let seeded = false;
  // Changes made after the watcher started count, even before its first look finished.
  const since = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let warned = false;

  async function poll(): Promise<void> {
    const listed = await store.listRuns({ limit: options.window ?? 200 });
    const seen = new Map<string, string>();
    for (const run of listed) {
      const mark = `${run.status}|${run.step}|${run.updatedAt}`;
      seen.set(run.id, mark);
      const moved = seeded ? runs.get(run.id) !== mark : run.updatedAt >= since;
      if (moved && !isLocal(run.id)) publishRun(run);
    }
    runs = seen;
    seeded = true;
    const followed = new Map<string, string>();
    for (const runId of hub.watchedRuns()) {
      if (isLocal(runId)) continue;
      const [taskRecords, undos] = await Promise.all([
        store.listTasks(runId),
        store.listCompensations(runId),
      ]);
      const mark = [
        ...taskRecords.map((t) => `${t.step}:${t.taskId}:${t.status}:${t.attempts}`),
        ...undos.map((u) => `${u.taskKey}:${u.status}`),
      ].join(",");
      const before = tasks.get(runId);
      followed.set(runId, mark);
      if (before !== undefined && before !== mark)
        hub.publish({
          type: "task_changed",
          runId,
          at: Date.now(),
          tasks: taskRecords.length,
          compensations: undos.length,
        });
    }
    tasks = followed;
  }

  function publishRun(run: RunRecord): void {
    hub.publish({
      type: "run_changed",
      runId: run.id,
      at: run.updatedAt,
      graph: run.graph,
      status: run.status,
      step: run.step,
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await poll();
        warned = false;
      } catch (error) {
        if (!warned) console.error("baton serve: could not read the store:", (error as Error).message);
        warned = true;
      }
      schedule();
    }, intervalMs);
    timer.unref?.();
  }

  schedule();
  return {
    poll,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
