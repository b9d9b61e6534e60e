import { describe, expect, it } from "vitest";
import type { WorkerEventInput } from "../../src/cluster/events.js";
import { Worker, type WorkKind } from "../../src/cluster/worker.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kind(
  queue: string[],
  claims: { count: number; fail?: boolean },
): WorkKind<string> & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    claim: async (limit) => {
      claims.count++;
      if (claims.fail) throw new Error("database away");
      return queue.splice(0, limit);
    },
    key: (k) => k,
    heartbeat: async (items) => items,
    release: async () => undefined,
    execute: async (item) => {
      ran.push(item);
    },
  };
}

describe("Worker loop", () => {
  it("claims new work as soon as it is announced, not at the next poll", async () => {
    const queue: string[] = [];
    const claims = { count: 0 };
    let announce: () => void = () => undefined;
    let closed = false;
    const events: WorkerEventInput[] = [];
    const runs = kind(queue, claims);
    const worker = new Worker(
      { concurrency: 2, taskConcurrency: 2, leaseMs: 1_000, pollMs: 60_000, emit: (e) => events.push(e) },
      {
        runs,
        listen: async (onWork) => {
          announce = onWork;
          return {
            close: async () => {
              closed = true;
            },
          };
        },
      },
    );
    await worker.start();
    await sleep(20);
    queue.push("r1", "r2", "r3");
    announce();
    await sleep(20);
    expect(runs.ran).toEqual(["r1", "r2", "r3"]);
    await worker.stop(0);
    expect(closed).toBe(true);
    expect(events.map((e) => e.type)).toEqual(["worker_started", "worker_stopping", "worker_stopped"]);
  });

  it("backs off while claims fail, reporting each failure, and recovers", async () => {
    const claims = { count: 0, fail: true };
    const events: WorkerEventInput[] = [];
    const queue = ["r1"];
    const runs = kind(queue, claims);
    const worker = new Worker(
      { concurrency: 1, taskConcurrency: 1, leaseMs: 1_000, pollMs: 20, emit: (e) => events.push(e) },
      { runs },
    );
    await worker.start();
    await sleep(300);
    // 20 ms polls would have tried ~15 times; doubling waits (40, 80, 160 ms) try about four.
    expect(claims.count).toBeGreaterThanOrEqual(3);
    expect(claims.count).toBeLessThanOrEqual(5);
    expect(events.filter((e) => e.type === "error").length).toBe(claims.count);
    claims.fail = false;
    worker.wake();
    await sleep(30);
    expect(runs.ran).toEqual(["r1"]);
    await worker.stop(0);
  });
});
