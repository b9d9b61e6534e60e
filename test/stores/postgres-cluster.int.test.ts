import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { NewRun } from "../../src/engine/records.js";
import type { ClaimedRun, PostgresStore } from "../../src/stores/postgres/index.js";
import { describeWithPostgres, dropSchema, openTestStore, testSchema } from "./postgres-helpers.js";

const describePg = await describeWithPostgres("PostgreSQL cluster operations (postgres-cluster.int.test.ts)");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let counter = 0;
const newRun = (over: Partial<NewRun> = {}): NewRun => ({
  id: `run-${String(++counter).padStart(4, "0")}-${globalThis.crypto.randomUUID().slice(0, 8)}`,
  graph: "g",
  graphHash: "h",
  status: "running",
  input: {},
  ...over,
});
const LEASE = 30_000;
/** Short enough to wait out, long enough that a loaded machine does not expire it early. */
const SHORT = 600;
const PAST_SHORT = 800;

describePg("ClusterStore on PostgreSQL", () => {
  const schema = testSchema("cluster");
  let store: PostgresStore;
  /** One store (own pool, own connections) per simulated worker process. */
  let workers: PostgresStore[] = [];

  beforeAll(async () => {
    store = await openTestStore(schema);
    workers = await Promise.all(Array.from({ length: 20 }, () => openTestStore(schema, 2)));
  });
  afterAll(async () => {
    await Promise.all([store, ...workers].map((s) => s?.close()));
    await dropSchema(schema);
  });
  beforeEach(async () => {
    // Each test starts with no runnable work and no queue limits.
    await store.pool.query(`TRUNCATE "${schema}".runs, "${schema}".queues`);
  });

  const submit = async (n: number, over: Partial<NewRun> = {}) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await store.submitRun(newRun(over))).run.id);
    return ids;
  };
  /** Claim until nothing is left for this worker. */
  const drain = async (worker: PostgresStore, id: string, leaseMs = LEASE, queues?: string[]) => {
    const got: ClaimedRun[] = [];
    for (;;) {
      const claim = await worker.claimRun(id, leaseMs, queues);
      if (!claim) return got;
      got.push(claim);
    }
  };
  const liveLeases = async (queue: string) => {
    const { rows } = await store.pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".runs
       WHERE queue = $1 AND lease_owner IS NOT NULL AND lease_expires_at > statement_timestamp()`,
      [queue],
    );
    return rows[0].n as number;
  };

  it("submits runs as pending, idempotently, and claims them oldest first under a lease", async () => {
    const first = await store.submitRun(newRun({ status: "running", queue: "q1" }));
    expect(first).toMatchObject({ created: true, run: { status: "pending", queue: "q1" } });
    expect((await store.submitRun({ ...newRun(), id: first.run.id })).created).toBe(false);
    const [second] = await submit(1);
    const before = Date.now();
    const a = (await store.claimRun("w1", 5000))!;
    // The claimed run is the submitted one, now owned by the claiming worker.
    expect(a.run).toEqual({ ...first.run, owner: expect.objectContaining({ id: "w1" }) });
    expect(a.lease).toEqual({ owner: "w1", expiresAt: expect.any(Number), attempts: 1 });
    expect(a.lease.expiresAt).toBeGreaterThanOrEqual(before + 4900);
    expect(a.lease.expiresAt).toBeLessThanOrEqual(Date.now() + 5100);
    expect((await store.claimRun("w2", 5000))!.run.id).toBe(second);
    expect(await store.claimRun("w3", 5000)).toBeUndefined();
    expect((await store.getRun(first.run.id))!.status).toBe("pending");
  });

  it("never claims runs started in-process, paused, or finished", async () => {
    await store.createRun(newRun({ status: "running" }));
    await store.createRun(newRun({ status: "compensating" }));
    for (const status of ["interrupted", "completed", "failed", "cancelled", "compensated"] as const) {
      const { run } = await store.submitRun(newRun());
      await store.updateRun(run.id, { status });
    }
    expect(await store.claimRun("w1", LEASE)).toBeUndefined();
  });

  it("renews live leases only; an expired lease is lost and the run is taken over", async () => {
    const [id] = await submit(1);
    await store.claimRun("w1", SHORT);
    expect(await store.heartbeat("w1", [id!, "unknown"], SHORT)).toEqual([id]);
    expect(await store.heartbeat("w2", [id!], SHORT)).toEqual([]);
    expect(await store.claimRun("w2", LEASE)).toBeUndefined();
    await sleep(PAST_SHORT);
    // Expired but not yet taken: still lost, because its queue slot may have been given away.
    expect(await store.heartbeat("w1", [id!], SHORT)).toEqual([]);
    const taken = (await store.claimRun("w2", LEASE))!;
    expect(taken.run.id).toBe(id);
    expect(taken.lease).toMatchObject({ owner: "w2", attempts: 2, previousOwner: "w1" });
    expect(await store.releaseRun("w1", id!)).toBe(false);
    expect(await store.heartbeat("w2", [id!], LEASE)).toEqual([id]);
  });

  it("takes over running and compensating runs whose worker died", async () => {
    const ids = await submit(2);
    await store.claimRun("dead", SHORT);
    await store.claimRun("dead", SHORT);
    await store.updateRun(ids[0]!, { status: "running" });
    await store.updateRun(ids[1]!, { status: "compensating" });
    expect(await store.claimRun("w2", LEASE)).toBeUndefined();
    await sleep(PAST_SHORT);
    const taken = await drain(store, "w2");
    expect(taken.map((c) => [c.run.id, c.run.status, c.lease.previousOwner])).toEqual([
      [ids[0], "running", "dead"],
      [ids[1], "compensating", "dead"],
    ]);
  });

  it("makes a released run claimable at once, and only its owner may release it", async () => {
    const [id] = await submit(1);
    await store.claimRun("w1", LEASE);
    await store.updateRun(id!, { status: "running" });
    expect(await store.releaseRun("w2", id!)).toBe(false);
    expect(await store.claimRun("w2", LEASE)).toBeUndefined();
    expect(await store.releaseRun("w1", id!)).toBe(true);
    const again = (await store.claimRun("w2", LEASE))!;
    expect(again.run).toMatchObject({ id, status: "running" });
    expect(again.lease.attempts).toBe(2);
    expect(again.lease.previousOwner).toBeUndefined();
  });

  it("claims only from the queues asked for", async () => {
    const [a] = await submit(1, { queue: "a" });
    const [b] = await submit(1, { queue: "b" });
    expect(await store.claimRun("w", LEASE, [])).toBeUndefined();
    expect((await store.claimRun("w", LEASE, ["b", "c"]))!.run.id).toBe(b);
    expect(await store.claimRun("w", LEASE, ["b"])).toBeUndefined();
    expect((await store.claimRun("w", LEASE))!.run.id).toBe(a);
  });

  it("holds a queue to its concurrency limit; 0 pauses it and null lifts the limit", async () => {
    await store.setQueueConcurrency("limited", 2);
    const limited = await submit(5, { queue: "limited" });
    const free = await submit(3, { queue: "free" });
    const got = await drain(store, "w");
    expect(got.map((c) => c.run.id)).toEqual([limited[0], limited[1], ...free]);
    await store.updateRun(limited[0]!, { status: "completed" });
    // Completing the run ended its lease in the same write: nothing is left to release.
    expect(await store.releaseRun("w", limited[0]!)).toBe(false);
    expect((await drain(store, "w")).map((c) => c.run.id)).toEqual([limited[2]]);
    await store.setQueueConcurrency("limited", 0);
    // Released unfinished: claimable again, but not while the queue is paused.
    await store.releaseRun("w", limited[1]!);
    expect(await drain(store, "w")).toEqual([]);
    await store.setQueueConcurrency("limited", null);
    expect((await drain(store, "w")).map((c) => c.run.id)).toEqual([limited[1], limited[3], limited[4]]);
  });

  it("counts only live leases against the limit: an expired one frees its slot", async () => {
    await store.setQueueConcurrency("q", 1);
    const ids = await submit(2, { queue: "q" });
    await store.claimRun("dead", SHORT);
    expect(await store.claimRun("w", LEASE)).toBeUndefined();
    await sleep(PAST_SHORT);
    // The oldest runnable run comes first: the dead worker's, taken over.
    expect((await store.claimRun("w", LEASE))!.run.id).toBe(ids[0]);
    expect(await store.claimRun("w", LEASE)).toBeUndefined();
  });

  it("rejects a lease that is not a positive duration and a limit that is not a count", async () => {
    await expect(store.claimRun("w", 0)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(store.heartbeat("w", ["x"], Number.NaN)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(store.setQueueConcurrency("q", -1)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(store.setQueueConcurrency("q", 1.5)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("never gives one run to two of 20 workers claiming at once (100 runs)", async () => {
    const ids = await submit(100);
    const claims = await Promise.all(workers.map((w, i) => drain(w, `w${i}`)));
    const claimed = claims.flat().map((c) => c.run.id);
    expect(claimed).toHaveLength(100);
    expect(new Set(claimed)).toEqual(new Set(ids));
    // Everyone got a share: the claims really ran side by side.
    expect(claims.filter((c) => c.length > 0).length).toBeGreaterThan(1);
  });

  it("never lets two of 20 workers take over the same expired run (100 runs)", async () => {
    await submit(100);
    for (let i = 0; i < 100; i++) expect(await store.claimRun("dead", LEASE)).toBeDefined();
    expect(await store.claimRun("dead", LEASE)).toBeUndefined();
    // The dead worker's leases run out (without waiting 30 s for it).
    await store.pool.query(`UPDATE "${schema}".runs SET lease_expires_at = now() - interval '1 second'`);
    const claims = await Promise.all(workers.map((w, i) => drain(w, `w${i}`)));
    const taken = claims.flat();
    expect(taken).toHaveLength(100);
    expect(new Set(taken.map((c) => c.run.id)).size).toBe(100);
    for (const c of taken) expect(c.lease).toMatchObject({ attempts: 2, previousOwner: "dead" });
  });

  it("gives a limited queue exactly its limit when 20 workers claim at once", async () => {
    await store.setQueueConcurrency("tight", 5);
    await submit(60, { queue: "tight" });
    for (let round = 0; round < 5; round++) {
      const claims = (await Promise.all(workers.map((w, i) => w.claimRun(`w${i}`, LEASE)))).filter(
        (c) => c !== undefined,
      );
      expect(claims).toHaveLength(5);
      expect(await liveLeases("tight")).toBe(5);
      for (const c of claims) expect(await store.releaseRun(c.lease.owner, c.run.id)).toBe(true);
      for (const c of claims) await store.updateRun(c.run.id, { status: "completed" });
    }
  });

  it("keeps the limit while 20 workers claim, hold and release runs at random (sampled)", async () => {
    const limit = 3;
    await store.setQueueConcurrency("churn", limit);
    const ids = await submit(60, { queue: "churn" });
    const done = new Set<string>();
    let max = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        max = Math.max(max, await liveLeases("churn"));
        await sleep(2);
      }
    })();
    await Promise.all(
      workers.map(async (w, i) => {
        while (done.size < ids.length) {
          const claim = await w.claimRun(`w${i}`, LEASE);
          if (!claim) {
            await sleep(3);
            continue;
          }
          expect(done.has(claim.run.id)).toBe(false);
          await sleep(Math.random() * 10);
          await w.updateRun(claim.run.id, { status: "completed" });
          done.add(claim.run.id);
          await w.releaseRun(`w${i}`, claim.run.id);
        }
      }),
    );
    sampling = false;
    await sampler;
    expect(done.size).toBe(ids.length);
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(limit);
  });
});
