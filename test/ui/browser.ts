/**
 * What the dashboard's browser tests share: the dashboard built from its sources into a temporary
 * folder, Debian's Chromium through playwright-core, a server over any app, and pages that fail
 * the test if the front end throws.
 */
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { expect } from "vitest";
import type { BatonApp } from "../../src/http/app.js";

export const root = join(import.meta.dirname, "..", "..");
export const shots = join(root, "test-output");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Build the dashboard from its sources, so the tests check them and not a stale dist/. */
export async function buildUi(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "baton-ui-")), "ui");
  await build({
    configFile: join(root, "ui", "vite.config.ts"),
    logLevel: "error",
    build: { outDir: dir, emptyOutDir: true },
  });
  mkdirSync(shots, { recursive: true });
  return dir;
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
  });
}

/** An app on a free local port. */
export async function listen(app: BatonApp): Promise<{ url: string; close: () => Promise<void> }> {
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const s = serve({ fetch: app.app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
        resolve({ server: s, port: info.port }),
      );
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close(1_000);
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const pageErrors = new WeakMap<Page, string[]>();

export async function open(
  browser: Browser,
  url: string,
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1440, height: options.height ?? 1000 },
    colorScheme: options.dark ? "dark" : "light",
  });
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return page;
}

/** Close the page; the front end must not have thrown anything meanwhile. */
export async function done(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page)).toEqual([]);
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(shots, name), fullPage: true });

export const waitStatus = (page: Page, s: string, timeout = 30_000) =>
  page.waitForSelector(`[data-testid="run-status"][data-status="${s}"]`, { timeout });
