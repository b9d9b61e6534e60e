import { errorEvent, type WorkerEventInput } from "./events.js";
import { LeasePool } from "./lease-pool.js";
import { Wakeup } from "./wakeup.js";

/** How a worker handles one kind of leased work; the database lives behind these functions. */
export interface WorkKind<T> {
  claim(limit: number): Promise<readonly T[]>;
  key(item: T): string;
  heartbeat(items: readonly T[]): Promise<Iterable<string>>;
  release(item: T): Promise<unknown>;
  execute(item: T, signal: AbortSignal): Promise<unknown>;
  /** Reported when the item's lease is lost or it is given back at shutdown. */
  lost?(item: T, why: string): WorkerEventInput;
  released?(item: T): WorkerEventInput;
}

export interface WorkerLoopOptions {
  /** Most runs driven at once. */
  readonly concurrency: number;
  /** Most step tasks (of runs driven anywhere) run at once. */
  readonly taskConcurrency: number;
  readonly leaseMs: number;
  /** Longest wait between claims when nothing wakes the worker. */
  readonly pollMs: number;
  /** The queues it serves, for its `worker_started` event (default: all). */
  readonly queues?: readonly string[];
  readonly emit: (event: WorkerEventInput) => void;
}

export interface WorkerSetup<R, K> {
  readonly runs: WorkKind<R>;
  readonly tasks?: WorkKind<K>;
  /** Wake the worker when work is announced; returns how to stop listening. */
  readonly listen?: (onWork: () => void) => Promise<{ close(): Promise<void> }>;
}

/**
 * A worker's loop: claim runs and step tasks while there is room, wait for a wake-up or the poll
 * interval, repeat; leases are renewed and lost work aborted by the two pools. The loop is handed
 * its claim/heartbeat/release/execute functions (as graphile-worker's is), so it runs against fakes
 * in tests; `clusterWorker` wires it to PostgreSQL.
 */
export class Worker<R, K = never> {
  readonly runs: LeasePool<R>;
  readonly tasks: LeasePool<K> | undefined;
  private readonly wakeup = new Wakeup();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private listener: { close(): Promise<void> } | undefined;

  constructor(
    private readonly options: WorkerLoopOptions,
    private readonly setup: WorkerSetup<R, K>,
  ) {
    this.runs = this.pool(setup.runs, options.concurrency, 1);
    this.tasks = setup.tasks ? this.pool(setup.tasks, options.taskConcurrency) : undefined;
  }

  private pool<T>(kind: WorkKind<T>, capacity: number, batch?: number): LeasePool<T> {
    const emit = this.options.emit;
    return new LeasePool<T>({
      capacity,
      leaseMs: this.options.leaseMs,
      ...(batch ? { batch } : {}),
      claim: (limit) => kind.claim(limit),
      key: (item) => kind.key(item),
      heartbeat: (items) => kind.heartbeat(items),
      release: (item) => kind.release(item),
      execute: (item, signal) => kind.execute(item, signal),
      onLost: (item, why) => kind.lost && emit(kind.lost(item, why)),
      onReleased: (item) => kind.released && emit(kind.released(item)),
      onError: (error, during) => emit(errorEvent(during, error)),
      onFree: () => this.wakeup.wake(),
    });
  }

  /** Start claiming; resolves once listening (if it listens) and the loop is running. */
  async start(): Promise<void> {
    if (this.loop) return;
    if (this.setup.listen) {
      try {
        this.listener = await this.setup.listen(() => this.wakeup.wake());
      } catch (error) {
        // Polling still finds the work, only later.
        this.options.emit(errorEvent("listen", error));
      }
    }
    this.loop = this.run();
    const { concurrency, taskConcurrency, queues } = this.options;
    this.options.emit({
      type: "worker_started",
      concurrency,
      taskConcurrency,
      ...(queues ? { queues } : {}),
    });
  }

  /** Look for work now instead of at the next poll. */
  wake(): void {
    this.wakeup.wake();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.runs.fill();
        if (this.tasks && !this.stopping) await this.tasks.fill();
        failures = 0;
      } catch (error) {
        failures++;
        this.options.emit(errorEvent("claim", error));
      }
      if (this.stopping) break;
      // After failures (the database is away), back off up to ten seconds.
      await this.wakeup.wait(
        failures ? Math.min(this.options.pollMs * 2 ** failures, 10_000) : this.options.pollMs,
      );
    }
  }

  /** Stop claiming, let work in flight finish for `graceMs`, then give back what is left. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.options.emit({ type: "worker_stopping", graceMs });
    this.wakeup.wake();
    await this.loop;
    await Promise.all([this.runs.stop(graceMs), this.tasks?.stop(graceMs)]);
    await this.listener?.close().catch(() => undefined);
    this.options.emit({ type: "worker_stopped" });
  }
}
