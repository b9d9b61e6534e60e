import { describe, expect, it } from "vitest";
import { ShutdownReason } from "../../src/cluster/lease-lost.js";
import { LeasePool, type LeasePoolOptions } from "../../src/cluster/lease-pool.js";

/** A fake queue of work items and a record of what the pool did with them. */
function fakes(items: string[], over: Partial<LeasePoolOptions<string>> = {}) {
  const queue = [...items];
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const signals = new Map<string, AbortSignal>();
  let renew = (held: readonly string[]): string[] => [...held];
  const options: LeasePoolOptions<string> = {
    capacity: 2,
    leaseMs: 300,
    heartbeatMs: 50,
    claim: async (limit) => queue.splice(0, limit),
    key: (item) => item,
    heartbeat: async (held) => renew(held),
    release: async (item) => {
      log.push(`release ${item}`);
    },
    execute: (item, signal) => {
      signals.set(item, signal);
      log.push(`start ${item}`);
      return new Promise<void>((resolve) => {
        const end = () => {
          log.push(`end ${item}${signal.aborted ? " (aborted)" : ""}`);
          resolve();
        };
        gates.set(item, end);
        signal.addEventListener("abort", end, { once: true });
      });
    },
    onLost: (item, why) => log.push(`lost ${item}: ${why}`),
    ...over,
  };
  return {
    pool: new LeasePool(options),
    queue,
    log,
    signals,
    finish: (item: string) => gates.get(item)!(),
    setRenew: (f: typeof renew) => {
      renew = f;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LeasePool", () => {
  it("claims up to its capacity and claims again when work finishes", async () => {
    const f = fakes(["a", "b", "c"]);
    expect(await f.pool.fill()).toBe(2);
    expect(f.pool.free).toBe(0);
    expect(await f.pool.fill()).toBe(0);
    expect(f.queue).toEqual(["c"]);
    f.finish("a");
    await sleep(0);
    expect(f.pool.free).toBe(1);
    expect(await f.pool.fill()).toBe(1);
    expect(f.log).toEqual(["start a", "start b", "end a", "start c"]);
    await f.pool.stop(0);
  });

  it("aborts at once an item whose lease the heartbeat did not renew, and keeps the others", async () => {
    const f = fakes(["a", "b"]);
    await f.pool.fill();
    f.setRenew((held) => held.filter((k) => k !== "b"));
    await sleep(120);
    expect(f.signals.get("b")!.aborted).toBe(true);
    expect(f.signals.get("a")!.aborted).toBe(false);
    expect(f.log).toContain("lost b: not renewed");
    expect(f.pool.size).toBe(1);
    await f.pool.stop(0);
  });

  it("aborts work whose renewal is not confirmed before the lease would run out", async () => {
    const f = fakes(["a"], { heartbeat: () => new Promise(() => undefined) });
    await f.pool.fill();
    await sleep(200);
    expect(f.signals.get("a")!.aborted).toBe(false);
    await sleep(250);
    expect(f.signals.get("a")!.aborted).toBe(true);
    expect(f.log).toContain("lost a: renewal not confirmed in time");
    await f.pool.stop(0);
  });

  it("on stop claims nothing more, lets work finish within the grace period, then releases before aborting", async () => {
    const f = fakes(["a", "b", "c"]);
    await f.pool.fill();
    const stopping = f.pool.stop(150);
    expect(f.pool.free).toBe(0);
    f.finish("a");
    await stopping;
    expect(f.log).toEqual(["start a", "start b", "end a", "release b", "end b (aborted)"]);
    expect(f.signals.get("b")!.reason).toBeInstanceOf(ShutdownReason);
    expect(await f.pool.fill()).toBe(0);
    expect(f.queue).toEqual(["c"]);
  });

  it("starts an item claimed again only after its lost predecessor has unwound", async () => {
    const ends: string[] = [];
    let runs = 0;
    let release: (() => void) | undefined;
    const queue = ["a"];
    const pool = new LeasePool<string>({
      capacity: 2,
      leaseMs: 300,
      heartbeatMs: 40,
      claim: async (limit) => queue.splice(0, limit),
      key: (k) => k,
      heartbeat: async () => [],
      release: async () => undefined,
      execute: async (item, signal) => {
        const n = ++runs;
        ends.push(`start ${item}#${n}`);
        if (n === 1) {
          // Ignores its abort for a while, as user code may.
          await new Promise<void>((r) => {
            release = r;
          });
        } else await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        ends.push(`end ${item}#${n}`);
      },
    });
    await pool.fill();
    await sleep(80); // lost: not renewed
    queue.push("a");
    await pool.fill();
    await sleep(10);
    expect(ends).toEqual(["start a#1"]);
    release!();
    await sleep(10);
    expect(ends).toEqual(["start a#1", "end a#1", "start a#2"]);
    await pool.stop(0);
  });
});
