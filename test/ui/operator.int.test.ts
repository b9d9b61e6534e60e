/// <reference lib="dom" />
/**
 * The dashboard as an operator uses it, in Chromium, against a real HTTP server over a SQLite file:
 * retries, approvals, cancels and crashes on the timeline, errors, outputs and task details,
 * finding runs, the phone layout and dark mode. Each test saves a screenshot under test-output/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewHistoryEvent } from "../../src/engine/history.js";
import type { RunStatus } from "../../src/engine/records.js";
import { startDueRunner } from "../../src/host/due-runner.js";
import type { RunList } from "../../src/http/api-types.js";
import { createApp } from "../../src/http/app.js";
import { staticWorkflows } from "../../src/http/workflows.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";
import type { SqliteStore } from "../../src/stores/sqlite/store.js";
import { fillRuns } from "../helpers/generated-runs.js";
import { approvalGraph, flakyGraph, sagaGraph } from "../http/fixtures.js";
import { buildUi, done, launch, listen, open, root, shot, waitStatus } from "./browser.js";
import { parcelGraph, reviewGraph, tourGraph } from "./fixtures.js";

let browser: Browser;
let uiDir: string;
let store: SqliteStore;
let dbPath: string;
let server: { url: string; close: () => Promise<void> };
const broken = { on: true };

beforeAll(async () => {
  uiDir = await buildUi();
  dbPath = join(mkdtempSync(join(tmpdir(), "baton-operator-")), "runs.db");
  store = openSqliteStore(dbPath) as SqliteStore;
  const app = createApp({
    store,
    workflows: staticWorkflows({
      "mini-saga": sagaGraph(store),
      approval: approvalGraph(store),
      flaky: flakyGraph(store, broken),
      "refund-review": reviewGraph(store),
      tour: tourGraph(store),
    }),
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

async function start(workflow: string, runId: string, input: Record<string, unknown> = {}): Promise<void> {
  const res = await fetch(`${server.url}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ workflow, input, runId }),
  });
  expect(res.status).toBe(201);
}

const kinds = (page: Page, row: string) =>
  page.$$eval(`[data-testid="timeline-row"][data-node="${row}"] [data-testid="timeline-segment"]`, (els) =>
    els.map((e) => e.getAttribute("data-kind")),
  );

describe("operator dashboard", () => {
  it("keeps the failed attempts on screen after a retry, and lists every failure with a copy button", async () => {
    await start("flaky", "ui-retry");
    const page = await open(browser, `${server.url}/runs/ui-retry`);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await waitStatus(page, "failed");
    await page.waitForSelector('[data-testid="error-panel"] [data-testid="failure"]');
    expect(await page.textContent('[data-testid="run-error"]')).toContain("shaky is down");
    await page.click('[data-testid="copy-errors"]');
    await page.waitForSelector('[data-testid="copy-errors"]:has-text("Copied")');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("shaky is down");
    expect(await kinds(page, "shaky")).toEqual(["failed"]);

    broken.on = false;
    await page.click('[data-testid="retry-submit"]');
    await waitStatus(page, "completed");
    await expect.poll(() => kinds(page, "shaky")).toEqual(["failed", "succeeded"]);
    // The failure stays readable after the run completed.
    expect(await page.$$('[data-testid="failure"]')).toHaveLength(1);
    await page.waitForSelector('[data-testid="timeline-mark"][data-type="retried"]');
    await page.waitForSelector('[data-testid="lineage-retried"]');
    expect(await page.textContent('[data-testid="action-message"]')).toContain("Retry started");
    await shot(page, "dashboard-retry.png");
    await done(page);
  }, 60_000);

  it("builds the approval form from the interrupt's schema; the page shows the wait and who approved", async () => {
    await start("refund-review", "ui-approve", { amount: 120 });
    const page = await open(browser, `${server.url}/runs/ui-approve`);
    await waitStatus(page, "interrupted");
    expect(await page.textContent('[data-testid="resume-panel"] h3')).toBe("Approve a refund of 120 EUR?");
    await page.waitForSelector('[data-testid="reject-submit"]');
    await page.fill('[data-testid="answer-assignee"]', "dana");
    await page.fill('[data-testid="approver-name"]', "Dana Ops");
    // While it waits, the wait is drawn as waiting, open to now.
    await page.waitForSelector('[data-testid="timeline-row"][data-node="review"] [data-kind="waiting"]');
    await shot(page, "dashboard-approval-waiting.png");
    await page.click('[data-testid="approve-submit"]');
    await waitStatus(page, "completed");
    expect(await kinds(page, "review")).toEqual(["interrupted", "waiting", "succeeded"]);
    const answered = page.locator('[data-testid="timeline-mark"][data-type="interrupt_answered"]');
    expect(await answered.getAttribute("aria-label")).toContain("approved by Dana Ops (api)");
    expect(await page.textContent('[data-testid="history"]')).toContain(
      'approved by Dana Ops (api): {"approved":true,"assignee":"dana"}',
    );
    expect(await page.getAttribute('[data-testid="graph-node-book"]', "data-status")).toBe("succeeded");
    await answered.focus();
    expect(await page.textContent('[data-testid="timeline-focus"]')).toContain("approved by Dana Ops");
    await shot(page, "dashboard-approval.png");
    await done(page);

    await start("refund-review", "ui-reject", { amount: 9000 });
    const other = await open(browser, `${server.url}/runs/ui-reject`);
    await waitStatus(other, "interrupted");
    await other.click('[data-testid="reject-submit"]');
    await waitStatus(other, "completed");
    expect(await other.getAttribute('[data-testid="graph-node-refuse"]', "data-status")).toBe("succeeded");
    expect(await other.textContent('[data-testid="history"]')).toContain("rejected by");
    await done(other);
  }, 60_000);

  it("shows a user's cancel as cancelled: the node it stopped, the undos at their real times, who asked", async () => {
    // Each step takes 4 s: long enough for a slow, shared machine to open the page mid-run.
    await start("mini-saga", "ui-cancel", { delayMs: 4000 });
    const page = await open(browser, `${server.url}/runs/ui-cancel`);
    await page.waitForSelector('[data-testid="timeline-row"][data-node="pay"] [data-kind="running"]');
    await page.check('[data-testid="cancel-compensate"]');
    await page.click('[data-testid="cancel-submit"]');
    // Cancelled with its completed steps undone: `compensated`, and said so in words, not as an error.
    await waitStatus(page, "compensated");
    expect(await page.$('[data-testid="cancel-submit"]')).toBeNull();
    await page.waitForSelector(
      '[data-testid="action-message"]:has-text("Cancelled; the completed steps were undone")',
    );
    expect(await page.textContent('[data-testid="cancel-note"]')).toContain("Cancel requested by api");
    expect(await page.$(".error-panel.failed")).toBeNull();
    expect(await kinds(page, "pay")).toEqual(["cancelled"]);
    expect(await page.getAttribute('[data-testid="graph-node-pay"]', "data-status")).toBe("cancelled");
    const reserveEnd = Number(
      await page.getAttribute(
        '[data-testid="timeline-row"][data-node="reserve"][data-group="task"] [data-kind="succeeded"]',
        "data-end",
      ),
    );
    const undo = page.locator(
      '[data-testid="timeline-row"][data-group="undo"][data-node="reserve"] [data-testid="timeline-segment"]',
    );
    const [undoStart, undoEnd] = [
      Number(await undo.getAttribute("data-start")),
      Number(await undo.getAttribute("data-end")),
    ];
    // The undo ran after the cancel (when pay had been running a while), not from reserve's end.
    expect(undoStart).toBeGreaterThan(reserveEnd + 100);
    expect(undoEnd - undoStart).toBeLessThan(1000);
    await page.waitForSelector('[data-testid="timeline-mark"][data-type="cancel_requested"]');
    await shot(page, "dashboard-cancel.png");
    await done(page);
  }, 60_000);

  it("opens a task's detail on click or from the keyboard: a Send's payload and label, writes, attempts", async () => {
    await start("tour", "ui-tour", { cities: ["London", "Tokyo"] });
    const page = await open(browser, `${server.url}/runs/ui-tour`);
    await waitStatus(page, "completed");
    const labels = await page.$$eval(
      '[data-testid="timeline-row"][data-node="visit"] .tl-label button',
      (els) => els.map((e) => e.textContent),
    );
    expect(labels).toEqual(["visit#0 · London", "visit#1 · Tokyo"]);
    await page.click(
      '[data-testid="timeline-row"][data-key="task:2:visit#1"] [data-testid="timeline-segment"]',
    );
    await page.waitForSelector('[data-testid="task-detail"][data-key="task:2:visit#1"]');
    expect(await page.textContent('[data-testid="task-input"]')).toContain('"Tokyo"');
    expect(await page.textContent('[data-testid="task-writes"]')).toContain("visited Tokyo");
    expect(await page.$$('[data-testid="task-attempts"] tbody tr')).toHaveLength(1);
    await shot(page, "dashboard-task-detail.png");
    await page.click('[data-testid="task-detail"] button:has-text("Close")');
    // The keyboard reaches every bar (they are buttons) and Enter opens the detail.
    await page.focus(
      '[data-testid="timeline-row"][data-key="task:2:visit#0"] [data-testid="timeline-segment"]',
    );
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="task-detail"][data-key="task:2:visit#0"]');
    await page.click('[data-testid="graph-node-plan"]');
    await page.waitForSelector('[data-testid="task-detail"][data-key="task:1:plan"]');
    expect(await page.textContent('[data-testid="run-input"]')).toContain('"London"');
    const output = page.locator('[data-testid="run-output"] details').first();
    expect(await output.getAttribute("open")).not.toBeNull();
    await page.locator('[data-testid="run-output"] summary').first().click();
    expect(await output.getAttribute("open")).toBeNull();
    await done(page);
  }, 60_000);

  it("shows lineage: a fork links to its parent, and the parent lists its fork", async () => {
    const page = await open(browser, `${server.url}/runs/ui-tour`);
    await waitStatus(page, "completed");
    await page.click('[data-testid="checkpoint-1"]');
    await page.click("text=Fork a new run from step 1…");
    await page.fill('[data-testid="fork-update"]', '{"cities": ["Sydney"]}');
    await page.click('[data-testid="fork-submit"]');
    await page.waitForSelector('[data-testid="lineage-parent"]:has-text("ui-tour")');
    await waitStatus(page, "completed");
    const fork = await page.getAttribute('[data-testid="run-page"]', "data-run-id");
    expect(await page.textContent('[data-testid="history"]')).toContain("forked from ui-tour at step 1");
    await page.click('[data-testid="lineage-parent"] a');
    await page.waitForSelector(`[data-testid="lineage-fork"]:has-text("${fork}")`);
    await shot(page, "dashboard-lineage.png");
    await done(page);
  }, 60_000);

  it("finds runs: search, combined filters, pages with totals and counts, sorting; Back in one press", async () => {
    fillRuns(store, 130, Date.now() - 200_000);
    const api = (await (await fetch(`${server.url}/api/runs?limit=1`)).json()) as RunList;
    const page = await open(browser, `${server.url}/`);
    await page.waitForSelector(`[data-testid="page-range"]:has-text("1–50 of ${api.total}")`);
    expect(await page.textContent('[data-testid="count-failed"]')).toBe(String(api.counts.failed));
    await page.click('[data-testid="page-next"]');
    await page.waitForSelector(`[data-testid="page-range"]:has-text("51–100 of ${api.total}")`);
    await page.fill('[data-testid="search"]', "gen-00012");
    await page.waitForSelector('[data-testid="page-range"]:has-text("1–10 of 10")');
    const ids = await page.$$eval('[data-testid="run-row"]', (rows) =>
      rows.map((r) => r.getAttribute("data-run-id")),
    );
    expect(ids.every((id) => id?.startsWith("gen-00012"))).toBe(true);
    await page.click('[data-testid="clear-filters"]');
    await page.click('[data-testid="status-failed"]');
    await page.click('[data-testid="status-cancelled"]');
    await page.selectOption('[data-testid="filter-graph"]', "order-saga");
    await expect
      .poll(() =>
        page.$$eval('[data-testid="run-row"]', (rows) => rows.map((r) => r.getAttribute("data-status"))),
      )
      .toSatisfy((s: string[]) => s.length > 0 && s.every((x) => x === "failed" || x === "cancelled"));
    expect(page.url()).toContain("status=failed%2Ccancelled");
    await page.click('[data-testid="sort-duration"]');
    await page.waitForSelector('th[aria-sort="descending"] [data-testid="sort-duration"]');
    const exact = await page.getAttribute('[data-testid="run-row"] button.time', "title");
    expect(exact).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC[+-]\d\d:\d\d/);
    await shot(page, "dashboard-runs-search.png");
    const listUrl = page.url();
    const before = await page.evaluate(() => history.length);
    await page.click('[data-testid="run-row"] [data-testid="run-link"]');
    await page.waitForSelector('[data-testid="run-page"]');
    expect(await page.evaluate(() => history.length)).toBe(before + 1);
    await page.goBack();
    await page.waitForSelector('[data-testid="runs-table"]');
    expect(page.url()).toBe(listUrl);
    await done(page);
  }, 60_000);

  it("marks crashed runs and recovers one with its Recover button", async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "test/ui/hang-run.ts"), dbPath, "ui-crash", "800"],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("started") && resolve());
      child.on("exit", (code) => reject(new Error(`hang-run exited early (${code})`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const list = await open(browser, `${server.url}/?q=ui-crash`);
    await list.waitForSelector('[data-testid="run-row"][data-run-id="ui-crash"] .st-crashed');
    await done(list);
    const page = await open(browser, `${server.url}/runs/ui-crash`);
    await page.waitForSelector('[data-testid="crash-banner"]');
    expect(await page.textContent('[data-testid="crash-banner"]')).toContain("process exited");
    await shot(page, "dashboard-crashed.png");
    await page.click('[data-testid="recover-submit"]');
    await waitStatus(page, "completed");
    expect(await page.$('[data-testid="crash-banner"]')).toBeNull();
    expect(await page.textContent('[data-testid="history"]')).toContain("took over from");
    await done(page);
  }, 60_000);

  it("draws statuses and history kinds it does not know as waiting and as plain events", async () => {
    await store.createRun({
      id: "ui-odd",
      graph: "mini-saga",
      graphHash: "h",
      status: "parked" as RunStatus,
      input: {},
    });
    await store.appendHistory([
      {
        runId: "ui-odd",
        at: Date.now(),
        type: "sleep_started",
        until: Date.now() + 60_000,
      } as unknown as NewHistoryEvent,
    ]);
    const page = await open(browser, `${server.url}/runs/ui-odd`);
    await waitStatus(page, "parked");
    await page.waitForSelector('[data-testid="timeline-mark"][data-type="sleep_started"]');
    await page.waitForSelector('[data-testid="history-entry"][data-type="sleep_started"].unknown');
    await done(page);
    const list = await open(browser, `${server.url}/`);
    await list.waitForSelector('[data-testid="count-parked"]:has-text("1")');
    await done(list);
  }, 30_000);

  it("lists schedules with their next tick; pauses one and starts a run of it now", async () => {
    const res = await fetch(`${server.url}/api/schedules`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "nightly",
        workflow: "approval",
        cron: "0 3 * * *",
        tz: "UTC",
        input: { topic: "calm" },
      }),
    });
    expect(res.status).toBe(201);
    const page = await open(browser, `${server.url}/`);
    await page.click('[data-testid="nav-schedules"]');
    const row = '[data-testid="schedule-row"][data-name="nightly"]';
    await page.waitForSelector(`${row} button.time`);
    expect(await page.textContent(row)).toContain("0 3 * * *");
    await page.click(`${row} button:has-text("Pause")`);
    await page.waitForSelector(`${row} .badge:has-text("paused")`);
    await page.click(`${row} button:has-text("Run now")`);
    await page.waitForSelector(`${row} a[href^="/runs/nightly"]`);
    await shot(page, "dashboard-schedules.png");
    await done(page);
  }, 30_000);

  it("fits a 390 px screen with no horizontal overflow and no text under 12 px; dark mode follows the system", async () => {
    for (const [path, ready] of [
      ["/", '[data-testid="run-row"]'],
      ["/runs/ui-cancel", '[data-testid="run-timeline"]'],
      ["/runs/ui-approve", '[data-testid="run-timeline"]'],
      ["/runs/ui-tour", '[data-testid="run-timeline"]'],
      ["/schedules", '[data-testid="schedule-row"]'],
    ] as const) {
      const page = await open(browser, `${server.url}${path}`, { width: 390, height: 844 });
      await page.waitForSelector(ready);
      const { scroll, client, smallest } = await page.evaluate(() => {
        let smallest = { size: 99, text: "" };
        for (const el of Array.from(document.querySelectorAll("body *"))) {
          const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim());
          if (!own || el.getClientRects().length === 0) continue;
          const size = Number.parseFloat(getComputedStyle(el).fontSize);
          if (size < smallest.size) smallest = { size, text: el.textContent!.slice(0, 40) };
        }
        return {
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
          smallest,
        };
      });
      expect(scroll, path).toBeLessThanOrEqual(client);
      expect(smallest.size, `${path}: "${smallest.text}"`).toBeGreaterThanOrEqual(12);
      await shot(page, `dashboard-390${path === "/" ? "-runs" : path.replaceAll("/", "-")}.png`);
      await done(page);
    }
    const dark = await open(browser, `${server.url}/runs/ui-cancel`, { dark: true });
    await dark.waitForSelector('[data-testid="run-timeline"]');
    const bg = await dark.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(150);
    await shot(dark, "dashboard-dark.png");
    await done(dark);
  }, 60_000);
});

describe("the runs page at 100,000 runs", () => {
  it("shows the first page, a search and the next page quickly", async () => {
    const big = openSqliteStore(
      join(mkdtempSync(join(tmpdir(), "baton-100k-ui-")), "runs.db"),
    ) as SqliteStore;
    fillRuns(big, 100_000, Date.now() - 100_000_000);
    const app = createApp({ store: big, workflows: staticWorkflows({}), uiDir });
    const s = await listen(app);
    try {
      const page = await open(browser, `${s.url}/`);
      await page.waitForSelector('[data-testid="page-range"]:has-text("1–50 of 100,000")');
      await page.waitForSelector('[data-testid="run-row"][data-run-id="gen-099999"]');
      // From the start of the navigation (the page's own clock), not counting opening a tab.
      const first = await page.evaluate(() => performance.now());
      const t1 = performance.now();
      await page.fill('[data-testid="search"]', "gen-04242");
      await page.waitForSelector('[data-testid="page-range"]:has-text("1–10 of 10")');
      const search = performance.now() - t1;
      await page.click('[data-testid="clear-filters"]');
      await page.waitForSelector('[data-testid="page-range"]:has-text("1–50 of 100,000")');
      const t2 = performance.now();
      await page.click('[data-testid="page-next"]');
      await page.waitForSelector('[data-testid="page-range"]:has-text("51–100 of 100,000")');
      const next = performance.now() - t2;
      console.log(
        `runs page at 100,000 runs: first page ${first.toFixed(0)} ms (navigation start to rows), search ${search.toFixed(0)} ms (typing to rows, 250 ms debounce included), next page ${next.toFixed(0)} ms`,
      );
      await shot(page, "dashboard-100k.png");
      expect(first).toBeLessThan(8_000);
      expect(search).toBeLessThan(5_000);
      expect(next).toBeLessThan(3_000);
      await done(page);
    } finally {
      await s.close();
      await big.close();
    }
  }, 90_000);
});

describe("runs waiting for an event", () => {
  it("says what the run waits for, sends the event from the page, and draws the wait", async () => {
    const own = openSqliteStore(
      join(mkdtempSync(join(tmpdir(), "baton-wait-ui-")), "runs.db"),
    ) as SqliteStore;
    const workflows = staticWorkflows({ parcel: parcelGraph(own) });
    const app = createApp({ store: own, workflows, uiDir, pollMs: 100 });
    const runner = startDueRunner({
      store: own,
      workflow: (name) => workflows.load(name),
      pollMs: 100,
      onEvent: app.control.onEvent,
      onDriven: (runId, running) => app.control.adopt(runId, running),
    });
    const s = await listen(app);
    try {
      const res = await fetch(`${s.url}/api/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ workflow: "parcel", runId: "ui-parcel", input: { parcel: "P-1" } }),
      });
      expect(res.status).toBe(201);
      const page = await open(browser, `${s.url}/runs/ui-parcel`);
      await waitStatus(page, "waiting");
      await page.waitForSelector('[data-testid="wait"][data-kind="event"]:has-text("delivered")');
      await page.waitForSelector('[data-testid="timeline-row"][data-node="await"] [data-kind="waiting"]');
      await page.fill('[data-testid="signal-payload"]', '{"signedBy": "Kim"}');
      await shot(page, "dashboard-waiting-event.png");
      await page.click('[data-testid="signal-submit"]');
      await waitStatus(page, "completed");
      await expect.poll(() => kinds(page, "await")).toEqual(["interrupted", "waiting", "succeeded"]);
      expect(await page.textContent('[data-testid="run-output"]')).toContain('"Kim"');
      await page.waitForSelector('[data-testid="timeline-mark"][data-type="event_received"]');
      await done(page);
    } finally {
      await runner.stop();
      await s.close();
      await own.close();
    }
  }, 60_000);
});
