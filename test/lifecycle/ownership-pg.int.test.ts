import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO } from "../cli/helpers.js";
import { bundleChild, type ChildCommand } from "../helpers/child-bundle.js";
import { describeWithPostgres, dropSchema, PG_URL, testSchema } from "../stores/postgres-helpers.js";
import { takeoverRaces } from "./races.js";

/** The takeover race of ownership.int.test.ts, on PostgreSQL: leases, not file locks, decide. */
const describePg = await describeWithPostgres("run ownership on PostgreSQL");

describePg("takeover races (PostgreSQL, real processes)", () => {
  const RACES = Number(process.env.TAKEOVER_RACES ?? 100);
  const schema = testSchema("own");
  const dir = mkdtempSync(join(tmpdir(), "baton-own-pg-"));
  let child: ChildCommand;
  beforeAll(async () => {
    child = await bundleChild(join(REPO, "test/fixtures/takeover-child.ts"), "takeover-child-pg");
  });
  afterAll(async () => {
    child?.dispose();
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it(`${RACES} races of two takeovers of a crashed run: exactly one wins each, no node runs twice`, {
    timeout: 120_000,
  }, async () => {
    const url = new URL(PG_URL);
    url.searchParams.set("schema", schema);
    const result = await takeoverRaces(child, url.toString(), join(dir, "races.jsonl"), RACES);
    expect(result.failures).toEqual([]);
    expect(result.won).toBe(RACES);
  });
});
