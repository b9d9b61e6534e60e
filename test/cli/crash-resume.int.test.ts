import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import {
  baton,
  batonJson,
  cleanup,
  type Snapshot,
  seededDir,
  snapshot,
  spawnBaton,
  waitForStderr,
} from "./helpers.js";

afterAll(cleanup);

const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((done) => child.on("close", (_code, signal) => done(signal)));

/** Start order-saga slowly and SIGKILL it once step `afterStep` has finished (the next one is in flight). */
async function killMidRun(cwd: string, runId: string, fields: Record<string, unknown>, afterStep: number) {
  const child = spawnBaton(
    ["run", "order-saga", "--run-id", runId, "--input", JSON.stringify({ stepDelayMs: 400, ...fields })],
    { cwd },
  );
  const gone = exited(child);
  await waitForStderr(child, new RegExp(`step +${afterStep} +✓`));
  child.kill("SIGKILL");
  expect(await gone).toBe("SIGKILL");
  const shown = JSON.parse((await baton(["show", runId, "--json"], { cwd })).stdout);
  expect(shown.run.status).toBe("running"); // as the dead process left it
  return shown;
}

const mine = (s: Snapshot, runId: string) => ({
  payments: s.payments!.filter((p) => p.transaction_id === `txn-${runId}`),
  shipments: s.shipments!.filter((p) => p.tracking_number === `TRK-${runId}`),
});

describe.concurrent("order-saga killed with SIGKILL, then `baton resume`", () => {
  it("completes the run with exactly one row of each kind", async () => {
    const cwd = await seededDir("crash");
    const before = snapshot(cwd);
    await killMidRun(cwd, "crash-1", {}, 2);
    const r = await batonJson(["resume", "crash-1"], { cwd });
    expect(r.code).toBe(0);
    expect(r.status).toBe("completed");
    // Steps 1 and 2 finished before the kill and did not run again.
    expect(r.output.log).toEqual([
      "create_account done",
      "charge_payment done",
      "send_notification done",
      "reserve_inventory done",
      "create_shipping_label done",
    ]);
    const after = snapshot(cwd);
    for (const table of ["users", "payments", "notifications", "shipments"])
      expect(after[table]!.length, table).toBe(before[table]!.length + 1);
    expect(mine(after, "crash-1").payments).toHaveLength(1);
    expect(mine(after, "crash-1").shipments).toHaveLength(1);
    const mouse = (s: Snapshot) => s.inventory!.find((i) => i.sku === "MOUSE-001")!;
    expect([mouse(after).stock, mouse(after).reserved]).toEqual([
      (mouse(before).stock as number) - 1,
      (mouse(before).reserved as number) + 1,
    ]);
    const tasks = JSON.parse((await baton(["show", "crash-1", "--json"], { cwd })).stdout).tasks as Array<{
      node: string;
    }>;
    expect(tasks.filter((t) => t.node === "charge_payment")).toHaveLength(1);
  });

  it("with failAt, the resumed run retries, compensates, and leaves the database as it was", async () => {
    const cwd = await seededDir("crash-fail");
    const before = snapshot(cwd);
    await killMidRun(cwd, "crash-2", { failAt: "create_shipping_label" }, 3);
    const r = await baton(["resume", "crash-2"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/resuming order-saga {2}run crash-2/);
    expect(r.stderr).toContain(
      "compensating: reserve_inventory ← send_notification ← charge_payment ← create_account",
    );
    expect(r.stdout).toContain("run crash-2 compensated");
    expect(snapshot(cwd)).toEqual(before);
  });

  it("`baton cancel --compensate` takes over a crashed run and undoes its steps", async () => {
    const cwd = await seededDir("crash-cancel");
    const before = snapshot(cwd);
    await killMidRun(cwd, "crash-3", {}, 2);
    const r = await baton(["cancel", "crash-3", "--compensate"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("run crash-3 compensated\n");
    expect(snapshot(cwd)).toEqual(before);
  });
});
