import { ShutdownReason } from "./lease-lost.js";

/** What a pool of leased work is handed: how to claim, keep, give back and do one kind of work. */
export interface LeasePoolOptions<T> {
  /** Most items held at once. */
  readonly capacity: number;
  readonly leaseMs: number;
  /** How often leases are renewed; default a third of the lease, so two renewals may fail in a row. */
  readonly heartbeatMs?: number;
  /** Most items asked for in one claim (default: all the room there is). */
  readonly batch?: number;
  claim(limit: number): Promise<readonly T[]>;
  key(item: T): string;
  /** Renew the leases on these items; returns the keys renewed. */
  heartbeat(items: readonly T[]): Promise<Iterable<string>>;
  release(item: T): Promise<unknown>;
  /** Do the work; `signal` aborts when the lease is lost or the pool stops. Should not reject. */
  execute(item: T, signal: AbortSignal): Promise<unknown>;
  onLost?(item: T, why: string): void;
  onReleased?(item: T): void;
  onError?(error: unknown, during: string): void;
  /** An item finished: there is room to claim more. */
  onFree?(): void;
  now?(): number;
}

interface Held<T> {
  readonly item: T;
  readonly controller: AbortController;
  /** Local time until which the lease is known to be live: the last confirmed renewal's send time + lease. */
  validUntil: number;
  done: Promise<void>;
}

/**
 * A worker's leased work of one kind (runs, or step tasks): claims up to its capacity, renews the
 * leases while the work runs, and aborts at once any item whose lease was not renewed — either the
 * database said so, or no renewal was confirmed before the lease would have run out. Knows nothing
 * of databases or runs: it is handed its functions, so it is tested with plain fakes.
 */
export class LeasePool<T> {
  private readonly held = new Map<string, Held<T>>();
  /** Lost items still unwinding (their code has not returned yet), by key. */
  private readonly unwinding = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private renewing = false;
  private stopped = false;

  constructor(private readonly o: LeasePoolOptions<T>) {
    this.now = o.now ?? (() => performance.now());
    this.heartbeatMs = o.heartbeatMs ?? Math.max(1, Math.floor(o.leaseMs / 3));
  }

  get size(): number {
    return this.held.size;
  }

  get free(): number {
    return this.stopped ? 0 : Math.max(0, this.o.capacity - this.held.size);
  }

  /** Claim until full or nothing more is claimable; returns how many items were claimed. */
  async fill(): Promise<number> {
    let claimed = 0;
    while (this.free > 0) {
      const limit = Math.min(this.free, this.o.batch ?? this.free);
      const sentAt = this.now();
      const items = await this.o.claim(limit);
      if (this.stopped) {
        // Stopped while claiming: give these back at once.
        await Promise.all(items.map((item) => this.o.release(item).catch(() => undefined)));
        break;
      }
      for (const item of items) this.start(item, sentAt);
      claimed += items.length;
      if (items.length < limit) break;
    }
    return claimed;
  }

  private start(item: T, claimedAt: number): void {
    this.timer ??= setInterval(() => this.tick(), this.heartbeatMs);
    const key = this.o.key(item);
    // Claimed again while we thought we held it: the lease we had is gone, and so is its work.
    const stale = this.held.get(key);
    if (stale) this.lose(stale, "claimed again");
    const controller = new AbortController();
    // The same item may come back while its lost predecessor is still unwinding: start after it.
    const before = this.unwinding.get(key) ?? Promise.resolve();
    const h: Held<T> = { item, controller, validUntil: claimedAt + this.o.leaseMs, done: Promise.resolve() };
    h.done = before
      .then(async () => {
        await this.o.execute(item, controller.signal);
      })
      .catch((error: unknown) => this.o.onError?.(error, "execute"))
      .finally(() => {
        if (this.held.get(key) === h) this.held.delete(key);
        if (this.held.size === 0) this.stopTimer();
        this.o.onFree?.();
      });
    this.held.set(key, h);
  }

  private lose(h: Held<T>, why: string): void {
    const key = this.o.key(h.item);
    if (this.held.get(key) === h) this.held.delete(key);
    this.unwinding.set(key, h.done);
    h.done.then(() => {
      if (this.unwinding.get(key) === h.done) this.unwinding.delete(key);
    });
    h.controller.abort(new Error(`lease lost: ${why}`));
    this.o.onLost?.(h.item, why);
  }

  /** Drop what can no longer be trusted, then renew the rest (one renewal in flight at a time). */
  private tick(): void {
    const now = this.now();
    for (const h of [...this.held.values()])
      if (h.validUntil <= now) this.lose(h, "renewal not confirmed in time");
    if (this.renewing || this.held.size === 0) return;
    const batch = [...this.held.values()];
    this.renewing = true;
    this.o
      .heartbeat(batch.map((h) => h.item))
      .then(
        (keys) => {
          const kept = new Set(keys);
          for (const h of batch) {
            if (this.held.get(this.o.key(h.item)) !== h) continue;
            if (kept.has(this.o.key(h.item))) h.validUntil = now + this.o.leaseMs;
            else this.lose(h, "not renewed");
          }
        },
        (error: unknown) => this.o.onError?.(error, "heartbeat"),
      )
      .finally(() => {
        this.renewing = false;
      });
  }

  /**
   * Stop claiming; let what runs finish for `graceMs`; then give back what is left — released in
   * the database first, so that nothing it still tries to write is stored, then aborted here.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    await within(graceMs, Promise.all([...this.held.values()].map((h) => h.done)));
    const left = [...this.held.values()];
    this.held.clear();
    await Promise.all(
      left.map(async (h) => {
        await this.o.release(h.item).then(
          () => this.o.onReleased?.(h.item),
          (error: unknown) => this.o.onError?.(error, "release"),
        );
        h.controller.abort(new ShutdownReason());
      }),
    );
    // Work that ignores its signal is not waited for long: its writes are refused anyway.
    await within(5_000, Promise.all(left.map((h) => h.done)));
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Wait for `promise`, but no longer than `ms`; leaves no timer behind. */
async function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
