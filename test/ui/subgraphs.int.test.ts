/// <reference lib="dom" />
/**
 * Subgraphs in the dashboard, in Chromium, against a real HTTP server over a SQLite file: the
 * subgraph node drawn as a box holding its graph (closed and opened by mouse and keyboard), the
 * links between a run and its subgraph and child runs, and the history's entries from subgraph runs
 * labelled with their level.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { staticWorkflows } from "../../src/http/workflows.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import type { SqliteStore } from "../../src/stores/sqlite/store.js";
import { paperGraph, receiptGraph } from "../http/subgraph-fixtures.js";
import { buildUi, done, launch, listen, open, shot, waitStatus } from "./browser.js";

let browser: Browser;
let store: SqliteStore;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  const uiDir = await buildUi();
  store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "baton-ui-sub-")), "runs.db")) as SqliteStore;
  const receipt = receiptGraph(store);
  const app = createApp({
    store,
    workflows: staticWorkflows({ paper: paperGraph(store, receipt), receipt }),
    uiDir,
    pollMs: 100,
  });
  server = await listen(app);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
});

const node = (path: string) => `[data-testid="graph-node-${path}"]`;
const box = (path: string) => `[data-testid="graph-subgraph-${path}"]`;
const toggle = (path: string) => `[data-testid="graph-subgraph-toggle-${path}"]`;

describe("subgraphs in the dashboard", () => {
  it("draws a subgraph as a box holding its graph, closed and opened by click and keyboard", async () => {
    const res = await fetch(`${server.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workflow: "paper", runId: "ui-paper", input: { topic: "owls" } }),
    });
    expect(res.status).toBe(201);
    const page = await open(browser, `${server.url}/runs/ui-paper`);
    await waitStatus(page, "completed");
    // Open by default, two levels deep; inner nodes coloured from the nested history.
    await page.waitForSelector(`${box("review")}[data-collapsed="false"]`);
    await page.waitForSelector(`${box("review")} ${node("review/draft")}[data-status="succeeded"]`);
    await page.waitForSelector(`${box("review/deep")}[data-collapsed="false"]`);
    await page.waitForSelector(`${node("review/deep/dig")}[data-status="succeeded"]`);
    await page.waitForSelector(`${node("review")}[data-status="succeeded"]`);
    expect(await page.getAttribute(toggle("review"), "aria-expanded")).toBe("true");
    await shot(page, "dashboard-subgraph-open.png");

    // Close the inner box by click: its nodes go, the outer box stays open.
    await page.click(toggle("review/deep"));
    await page.waitForSelector(`${box("review/deep")}[data-collapsed="true"]`);
    expect(await page.$(node("review/deep/dig"))).toBeNull();
    expect(await page.$(node("review/check"))).not.toBeNull();

    // Close the outer one from the keyboard, and open it again.
    await page.focus(toggle("review"));
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${box("review")}[data-collapsed="true"]`);
    expect(await page.$(node("review/draft"))).toBeNull();
    expect(await page.getAttribute(toggle("review"), "aria-expanded")).toBe("false");
    await shot(page, "dashboard-subgraph-closed.png");
    await page.keyboard.press(" ");
    await page.waitForSelector(`${box("review")}[data-collapsed="false"]`);
    await page.waitForSelector(node("review/draft"));
    // The inner box stays as it was left: closed.
    await page.waitForSelector(`${box("review/deep")}[data-collapsed="true"]`);
    await done(page);
  }, 90_000);

  it("labels the subgraph runs' history entries with their level, and links parent, subgraph and child runs", async () => {
    const page = await open(browser, `${server.url}/runs/ui-paper`);
    await waitStatus(page, "completed");
    const levels = await page
      .locator('[data-testid="history-entry"][data-level="review"] [data-testid="history-level"]')
      .first();
    await levels.waitFor();
    expect(await levels.textContent()).toBe("review ›");
    const deep = page.locator('[data-testid="history-entry"][data-level="review/deep"]').first();
    await deep.waitFor();
    expect(await deep.textContent()).toContain("review › deep ›");
    expect(
      await page
        .locator('[data-testid="history-entry"][data-level="review/deep"][data-type="attempt"]')
        .textContent(),
    ).toContain("dig attempt 1 succeeded");
    // The run's own entries carry no level.
    expect(
      await page
        .locator('[data-testid="history-entry"][data-level=""] [data-testid="history-level"]')
        .count(),
    ).toBe(0);

    // The children, with kind and status.
    const sub = page.locator('[data-testid="lineage-child"][data-kind="subgraph"]');
    await sub.waitFor();
    expect(await sub.textContent()).toContain("paper/review");
    expect(await sub.locator('[data-status="completed"]').count()).toBe(1);
    const child = page.locator('[data-testid="lineage-child"][data-kind="child"]');
    expect(await child.textContent()).toContain("receipt");
    expect(await child.textContent()).toContain("task bill at step 3");

    // To the subgraph run and back to its parent.
    await sub.locator("a").click();
    await page.waitForURL(/\/runs\/ui-paper%3Areview%3A2%3Asub$|\/runs\/ui-paper:review:2:sub$/);
    await page.waitForSelector('[data-testid="run-page"][data-run-id="ui-paper:review:2:sub"]');
    await waitStatus(page, "completed");
    expect(await page.getAttribute('[data-testid="run-parent"]', "data-kind")).toBe("subgraph");
    expect(await page.textContent('[data-testid="lineage-parent"]')).toContain(
      "subgraph run of ui-paper (task review at step 2)",
    );
    // Its own graph is the subgraph's, its own subgraph box inside; its history labels `deep ›`.
    await page.waitForSelector(`${box("deep")}[data-collapsed="false"]`);
    await page.waitForSelector('[data-testid="history-entry"][data-level="deep"]');
    await shot(page, "dashboard-subgraph-child.png");
    await page.click('[data-testid="run-parent-link"]');
    await page.waitForSelector('[data-testid="run-page"][data-run-id="ui-paper"]');

    // The child run of ctx.runChild, from the graph box's neighbour: the lineage link.
    await page.locator('[data-testid="lineage-child"][data-kind="child"] a').click();
    await page.waitForSelector('[data-testid="run-page"][data-run-id^="ui-paper:bill"]');
    expect(await page.getAttribute('[data-testid="run-parent"]', "data-kind")).toBe("child");
    expect(await page.textContent('[data-testid="lineage-parent"]')).toContain("child run of ui-paper");
    await done(page);
  }, 90_000);
});
