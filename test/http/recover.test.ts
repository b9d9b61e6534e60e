/** `POST /api/runs/:id/recover`: refused for a run whose owner is alive or that stopped; 404 for none. */
import { afterEach, describe, expect, it } from "vitest";
import { client, type TestApp, testApp, until } from "./fixtures.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("recover one run", () => {
  it("refuses a finished run and one a live process drives (409), an unknown run (404)", async () => {
    t = testApp();
    const api = client(t.app);
    await api.post("/api/runs", { workflow: "approval", runId: "done", input: { topic: "calm" } });
    await until(async () =>
      (await api.get("/api/runs/done")).body.run.status === "completed" ? true : undefined,
    );
    const finished = await api.post("/api/runs/done/recover", {});
    expect(finished.status).toBe(409);
    expect(finished.body.error.message).toContain("nothing to recover");
    await t.store.createRun({
      id: "alive",
      graph: "approval",
      graphHash: (await t.store.getRun("done"))!.graphHash,
      status: "running",
      input: {},
      owner: { id: "another-process", leaseMs: 60_000 },
    });
    expect((await api.post("/api/runs/alive/recover", {})).status).toBe(409);
    expect((await t.store.getRun("alive"))!.owner!.id).toBe("another-process");
    expect((await api.post("/api/runs/nope/recover", {})).status).toBe(404);
    const bad = await api.post("/api/runs/alive/recover", { who: "me" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("who");
  });
});
