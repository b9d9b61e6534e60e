import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson, cleanup, type Snapshot, seededDir, snapshot } from "./helpers.js";

afterAll(cleanup);

const input = (fields: Record<string, unknown>) => ["--input", JSON.stringify(fields)];

/** The rows a completed order adds: one of each, and one unit of stock moved to reserved. */
function expectOneOrder(before: Snapshot, after: Snapshot, runId: string, sku = "MOUSE-001") {
  for (const table of ["users", "payments", "notifications", "shipments"])
    expect(after[table]!.length, table).toBe(before[table]!.length + 1);
  const user = after.users!.at(-1)!;
  expect(user).toMatchObject({ full_name: "Alice Johnson", customer_id: 1 });
  expect(after.payments!.at(-1)).toMatchObject({ user_id: user.id, transaction_id: `txn-${runId}` });
  expect(after.notifications!.at(-1)).toMatchObject({ user_id: user.id, recipient: "alice@example.com" });
  expect(after.shipments!.at(-1)).toMatchObject({ sku, tracking_number: `TRK-${runId}` });
  const stock = (s: Snapshot) => s.inventory!.find((r) => r.sku === sku)!;
  expect(stock(after).stock).toBe((stock(before).stock as number) - 1);
  expect(stock(after).reserved).toBe((stock(before).reserved as number) + 1);
  for (const table of ["customers", "products"]) expect(after[table]).toEqual(before[table]);
}

describe.concurrent("baton run order-saga", () => {
  it("completes with the seeded demo customer and product when given no input", async () => {
    const cwd = await seededDir("saga");
    const before = snapshot(cwd);
    const r = await batonJson(["run", "order-saga"], { cwd });
    expect(r.code).toBe(0);
    expect(r.status).toBe("completed");
    expect(r.output).toMatchObject({ customer: "alice@example.com", sku: "MOUSE-001", quantity: 1 });
    expect(r.output.log).toEqual([
      "create_account done",
      "charge_payment done",
      "send_notification done",
      "reserve_inventory done",
      "create_shipping_label done",
    ]);
    expectOneOrder(before, snapshot(cwd), r.runId);
  });

  it("failAt: retries 3 times, then compensates in reverse order and leaves the database as it was", async () => {
    const cwd = await seededDir("saga-fail");
    const before = snapshot(cwd);
    const r = await baton(["run", "order-saga", ...input({ failAt: "create_shipping_label" })], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/run \S+ compensated/);
    expect(r.stderr).toContain("create_shipping_label attempt 1 failed");
    expect(r.stderr).toContain("create_shipping_label attempt 2 failed");
    expect(r.stderr).toContain(
      "compensating: reserve_inventory ← send_notification ← charge_payment ← create_account",
    );
    const undone = [...r.stderr.matchAll(/✓ undo (\w+)/g)].map((m) => m[1]);
    expect(undone).toEqual(["reserve_inventory", "send_notification", "charge_payment", "create_account"]);
    expect(r.stderr).toMatch(/compensated in .*failed after 3 attempts: simulated failure/);
    expect(snapshot(cwd)).toEqual(before);
  });

  it("failAt with --json: status compensated, the error named, exit 1", async () => {
    const cwd = await seededDir("saga-fail-json");
    const before = snapshot(cwd);
    const r = await batonJson(["run", "order-saga", ...input({ failAt: "charge_payment" })], { cwd });
    expect(r.code).toBe(1);
    expect(r.status).toBe("compensated");
    expect(r.errors).toEqual([
      expect.objectContaining({
        code: "NODE_FAILED",
        node: "charge_payment",
        message: expect.stringMatching(/after 3 attempts/),
      }),
    ]);
    expect(r.output.log).toEqual(["create_account done"]);
    expect(snapshot(cwd)).toEqual(before);
  });

  it("failTimes 2: the third attempt succeeds and the order completes", async () => {
    const cwd = await seededDir("saga-flaky");
    const before = snapshot(cwd);
    const r = await baton(["run", "order-saga", ...input({ failAt: "reserve_inventory", failTimes: 2 })], {
      cwd,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/✓ reserve_inventory \d+ms after 3 attempts/);
    expect(r.stderr).not.toContain("compensating");
    const shown = JSON.parse((await baton(["runs", "--json"], { cwd })).stdout) as Array<{ runId: string }>;
    expectOneOrder(before, snapshot(cwd), shown[0]!.runId);
  });

  it("an unknown customer fails at create_account, at once, and changes nothing", async () => {
    const cwd = await seededDir("saga-nobody");
    const before = snapshot(cwd);
    const r = await batonJson(["run", "order-saga", ...input({ customer: "nobody@example.com" })], { cwd });
    expect(r.code).toBe(1);
    expect(r.status).toBe("failed");
    expect(r.errors).toEqual([
      expect.objectContaining({
        node: "create_account",
        message: expect.stringContaining('Unknown customer "nobody@example.com"'),
      }),
    ]);
    expect(r.errors[0]!.message).not.toMatch(/attempts/);
    expect(snapshot(cwd)).toEqual(before);
  });

  it("an out-of-stock product fails at reserve_inventory and undoes the steps before it", async () => {
    const cwd = await seededDir("saga-stock");
    const before = snapshot(cwd);
    const r = await baton(["run", "order-saga", ...input({ sku: "DOCK-001" })], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("✗ reserve_inventory Out of stock: DOCK-001 has 0, the order needs 1");
    expect(r.stderr).not.toContain("reserve_inventory attempt 1 failed");
    expect(r.stderr).toContain("compensating: send_notification ← charge_payment ← create_account");
    expect(r.stdout).toMatch(/run \S+ compensated/);
    expect(snapshot(cwd)).toEqual(before);
  });

  it("rejects a misspelt step name before starting a run (exit 2)", async () => {
    const cwd = await seededDir("saga-typo");
    const r = await baton(["run", "order-saga", ...input({ failAt: "ship" })], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^baton: Run input is invalid: failAt: /),
    ]);
    expect((await baton(["runs"], { cwd })).stdout).toBe("no runs\n");
  });
});
