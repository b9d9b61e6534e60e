import type { FeedEvent } from "./api-types.js";

export type FeedListener = (event: FeedEvent) => void;

/** How many events of how many runs the hub remembers, for `GET /api/runs/:id` and late subscribers. */
const KEEP_EVENTS_PER_RUN = 1_000;
const KEEP_RUNS = 200;

/**
 * The server's live feed: every event of the runs it executes, and the changes the store watcher
 * finds in runs executing elsewhere. Subscribers follow one run or all of them. A listener that
 * throws is dropped, never allowed to break a run.
 */
export class EventHub {
  private readonly all = new Set<FeedListener>();
  private readonly byRun = new Map<string, Set<FeedListener>>();
  private readonly recentByRun = new Map<string, FeedEvent[]>();
  private readonly closers = new Set<() => void>();
  private closed = false;

  /** Follow one run (`runId`) or every run (undefined); returns the unsubscribe function. */
  subscribe(runId: string | undefined, listener: FeedListener): () => void {
    const set = runId === undefined ? this.all : this.runSet(runId);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (runId !== undefined && set.size === 0) this.byRun.delete(runId);
    };
  }

  publish(event: FeedEvent): void {
    if (event.type !== "run_changed" && event.type !== "task_changed") this.remember(event);
    for (const listener of [...this.all, ...(this.byRun.get(event.runId) ?? [])]) {
      try {
        listener(event);
      } catch (error) {
        console.error("baton serve: a feed listener threw; dropping it:", error);
        this.all.delete(listener);
        this.byRun.get(event.runId)?.delete(listener);
      }
    }
  }

  /** The engine events this server saw for the run, oldest first. */
  recent(runId: string): readonly FeedEvent[] {
    return this.recentByRun.get(runId) ?? [];
  }

  /** Runs someone follows individually right now. */
  watchedRuns(): string[] {
    return [...this.byRun.keys()];
  }

  get subscribers(): number {
    let n = this.all.size;
    for (const set of this.byRun.values()) n += set.size;
    return n;
  }

  /** Called when the hub closes (the server stops): live feeds end their responses. */
  onClose(fn: () => void): () => void {
    if (this.closed) {
      fn();
      return () => undefined;
    }
    this.closers.add(fn);
    return () => this.closers.delete(fn);
  }

  close(): void {
    this.closed = true;
    for (const fn of [...this.closers]) fn();
    this.closers.clear();
  }

  private runSet(runId: string): Set<FeedListener> {
    let set = this.byRun.get(runId);
    if (!set) {
      set = new Set();
      this.byRun.set(runId, set);
    }
    return set;
  }

  private remember(event: FeedEvent): void {
    let list = this.recentByRun.get(event.runId);
    if (!list) {
      list = [];
      this.recentByRun.set(event.runId, list);
      if (this.recentByRun.size > KEEP_RUNS) {
        const oldest = this.recentByRun.keys().next().value;
        if (oldest !== undefined) this.recentByRun.delete(oldest);
      }
    }
    list.push(event);
    if (list.length > KEEP_EVENTS_PER_RUN) list.splice(0, list.length - KEEP_EVENTS_PER_RUN);
  }
}
