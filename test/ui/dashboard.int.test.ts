/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * `baton serve` (in-process `startServer`) on a temporary SQLite file, with the shipped workflows and
 * their MCP servers. Screenshots go to `test-output/`; with BATON_UPDATE_DOCS=1 the run page of the
 * compensated order also becomes `docs/dashboard-run.png`.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/http/server.js";

const root = join(import.meta.dirname, "..", "..");
const shots = join(root, "test-output");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let server: RunningServer;
let browser: Browser;
let uiDir: string;
const saved = { db: process.env.BATON_DATABASE_PATH };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const dir = mkdtempSync(join(tmpdir(), "baton-ui-"));
  // Build the dashboard from its sources, so the test checks them and not a stale dist/.
  uiDir = join(dir, "ui");
  await build({
    configFile: join(root, "ui", "vite.config.ts"),
    logLevel: "error",
    build: { outDir: uiDir, emptyOutDir: true },
  });
  process.env.BATON_DATABASE_PATH = join(dir, "database.db");
  server = await startServer({ port: 0, db: join(dir, "runs.db"), uiDir });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
  });
  mkdirSync(shots, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (saved.db === undefined) delete process.env.BATON_DATABASE_PATH;
  else process.env.BATON_DATABASE_PATH = saved.db;
});

async function start(workflow: string, input: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${server.url}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ workflow, input }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

const pageErrors = new WeakMap<Page, string[]>();

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}${path}`);
  return page;
}

/** Close the page; the front end must not have thrown anything meanwhile. */
async function done(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page)).toEqual([]);
}

const status = (page: Page, s: string, timeout = 45_000) =>
  page.waitForSelector(`[data-testid="run-status"][data-status="${s}"]`, { timeout });

describe("dashboard", () => {
  it("approves an escalated support request from its page and watches it complete", async () => {
    const page = await open("/");
    await page.click("text=Start a run…");
    await page.selectOption('[data-testid="new-run-workflow"]', "support-router");
    await page.fill(
      '[data-testid="new-run-input"]',
      JSON.stringify({
        query: "URGENT: I am frustrated, my account is locked, I want a manager",
        customer: "alice@example.com",
      }),
    );
    await page.click('[data-testid="new-run-submit"]');
    await page.waitForURL(/\/runs\/[\w-]+$/);
    await status(page, "interrupted");
    expect(await page.getAttribute('[data-testid="graph-node-escalate"]', "data-status")).toBe("interrupted");
    expect(await page.textContent('[data-testid="interrupt-payload"]')).toContain("escalation words");
    // The form comes from the decision's schema: Approve and Reject, the assignee and a note.
    await page.waitForSelector('[data-testid="reject-submit"]');
    await page.waitForSelector('[data-testid="answer-note"]');
    await page.screenshot({ path: join(shots, "dashboard-support-waiting.png"), fullPage: true });

    await page.fill('[data-testid="answer-assignee"]', "dana");
    await page.click('[data-testid="approve-submit"]');
    await status(page, "completed");
    for (const node of ["classify", "lookup_customer", "triage", "escalate", "customer_service", "respond"])
      await page.waitForSelector(`[data-testid="graph-node-${node}"][data-status="succeeded"]`);
    expect(await page.getAttribute('[data-testid="graph-node-sales"]', "data-status")).toBe("idle");
    const taken = await page.$$eval('[data-testid="graph-edge"][data-taken="true"]', (els) =>
      els.map((e) => `${e.getAttribute("data-from")}>${e.getAttribute("data-to")}`),
    );
    expect(taken).toEqual(
      expect.arrayContaining(["triage>escalate", "escalate>customer_service", "respond>__end__"]),
    );
    expect(taken).not.toContain("triage>customer_service");
    await page.click('[data-testid="tab-state"]');
    expect(await page.textContent('[data-testid="state-json"]')).toContain('"assignee": "dana"');
    await page.screenshot({ path: join(shots, "dashboard-support-completed.png"), fullPage: true });
    await done(page);
  }, 90_000);

  it("shows a failed order saga live: retries on the timeline, the failed node, the undos in reverse", async () => {
    const runId = await start("order-saga", { failAt: "create_shipping_label", stepDelayMs: 900 });
    const page = await open(`/runs/${runId}`);
    // The page is open while the run works, and follows it through the live feed.
    await page.waitForSelector('[data-testid="run-status"][data-status="running"]', { timeout: 10_000 });
    await status(page, "compensated");
    await page.waitForSelector('[data-testid="timeline-row"][data-group="undo"]');
    const undone = await page.$$eval('[data-testid="timeline-row"][data-group="undo"]', (rows) =>
      rows.map((r) => r.getAttribute("data-node")),
    );
    expect(undone).toEqual(["reserve_inventory", "send_notification", "charge_payment", "create_account"]);
    const attempts = await page.$$eval(
      '[data-testid="timeline-row"][data-node="create_shipping_label"] [data-testid="timeline-segment"]',
      (segs) => segs.map((s) => `${s.getAttribute("data-kind")}${s.getAttribute("data-attempt")}`),
    );
    expect(attempts).toEqual(["failed1", "backoff", "failed2", "backoff", "failed3"]);
    expect(await page.getAttribute('[data-testid="graph-node-create_shipping_label"]', "data-status")).toBe(
      "failed",
    );
    for (const node of ["create_account", "charge_payment", "send_notification", "reserve_inventory"])
      expect(await page.getAttribute(`[data-testid="graph-node-${node}"]`, "data-undo")).toBe("done");
    expect(await page.textContent('[data-testid="run-error"]')).toContain("failed after 3 attempts");
    await page.click('[data-testid="checkpoint-1"]');
    expect(await page.textContent('[data-testid="state-diff"]')).toContain("account");
    await page.click('[data-testid="checkpoint-4"]');
    const shot = join(shots, "dashboard-order-saga.png");
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.BATON_UPDATE_DOCS === "1") copyFileSync(shot, join(root, "docs", "dashboard-run.png"));
    await done(page);
  }, 90_000);

  it("lists runs with their status, filters them, and updates live", async () => {
    const page = await open("/");
    await page.waitForSelector('[data-testid="run-row"][data-status="compensated"]');
    expect(await page.$$('[data-testid="run-row"]')).toHaveLength(2);
    await page.click('[data-testid="status-completed"]');
    const rows = page.locator('[data-testid="run-row"]');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getAttribute('[data-testid="run-row"]', "data-status")).toBe("completed");
    await page.click('[data-testid="status-completed"]');
    await expect.poll(() => rows.count()).toBe(2);
    // A run started elsewhere (here: through the API) appears without a reload.
    const runId = await start("order-saga", {});
    await page.waitForSelector(`[data-testid="run-row"][data-run-id="${runId}"][data-status="completed"]`, {
      timeout: 30_000,
    });
    await page.screenshot({ path: join(shots, "dashboard-runs.png"), fullPage: true });
    await page.click(`[data-testid="run-row"][data-run-id="${runId}"] [data-testid="run-link"]`);
    await status(page, "completed");
    expect(page.url()).toBe(`${server.url}/runs/${runId}`);
    await done(page);
  }, 60_000);

  it("asks for the token when the server has one, and uses it for the API and the live feed", async () => {
    const guarded = await startServer({
      port: 0,
      db: join(mkdtempSync(join(tmpdir(), "baton-ui-")), "t.db"),
      uiDir,
      token: "open-sesame",
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${guarded.url}/`);
      await page.waitForSelector('[data-testid="token-form"]');
      await page.fill('[data-testid="token-input"]', "open-sesame");
      await page.click('[data-testid="token-form"] button');
      await page.waitForSelector('[data-testid="runs-table"]');
      await page.waitForSelector('[data-testid="live-indicator"]:has-text("live")');
      await page.close();
      // A link with ?token= works too, and the token leaves the address bar.
      const linked = await browser.newPage();
      await linked.goto(`${guarded.url}/?token=open-sesame`);
      await linked.waitForSelector('[data-testid="runs-table"]');
      expect(linked.url()).toBe(`${guarded.url}/`);
      await linked.close();
    } finally {
      await guarded.close();
    }
  }, 30_000);
});
