import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { serveCommand } from "../../src/cli/commands/serve.js";
import { type RunningServer, startServer } from "../../src/http/server.js";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const tmp = () => mkdtempSync(join(tmpdir(), "baton-serve-"));

/** A stand-in for the built dashboard. */
function fakeUi(): string {
  const dir = join(tmp(), "ui");
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(dir, "index.html"), "<!doctype html><div id=root>dashboard</div>");
  writeFileSync(join(dir, "assets", "app-1234.js"), "console.log('hi')");
  return dir;
}

describe("startServer", () => {
  it("serves the API and the built dashboard on a socket, with the SPA fallback", async () => {
    server = await startServer({ port: 0, db: join(tmp(), "runs.db"), uiDir: fakeUi() });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toEqual({ ok: true, running: 0 });
    const index = await fetch(`${server.url}/`);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await index.text()).toContain("dashboard");
    const deep = await fetch(`${server.url}/runs/abc`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain("dashboard");
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    const noApi = await fetch(`${server.url}/api/nothing`);
    expect(noApi.status).toBe(404);
    expect(await noApi.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    // `..` never leaves the dashboard's folder: such paths end at the index page, never at a file outside.
    const outside = await fetch(`${server.url}/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd`);
    expect(await outside.text()).not.toContain("root:");
    const workflows = (await (await fetch(`${server.url}/api/workflows`)).json()) as {
      workflows: Array<{ name: string }>;
    };
    expect(workflows.workflows.map((w) => w.name)).toEqual([
      "parallel-research",
      "support-router",
      "order-saga",
    ]);
  });

  it("says how to build the dashboard when it is not built, and keeps the API up", async () => {
    server = await startServer({ port: 0, db: join(tmp(), "runs.db"), uiDir: join(tmp(), "nothing") });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("npm run build");
    expect((await fetch(`${server.url}/api/runs`)).status).toBe(200);
  });

  it("needs the token from BATON_TOKEN on every API call, and listens beyond loopback with it", async () => {
    vi.stubEnv("BATON_TOKEN", "t0ken");
    server = await startServer({ port: 0, host: "0.0.0.0", db: join(tmp(), "runs.db"), uiDir: fakeUi() });
    const url = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${url}/api/runs`, { headers: { authorization: "Bearer t0ken" } })).status).toBe(200);
    // The dashboard's files hold no data: they load, then ask for the token.
    expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it("says so when the port is taken", async () => {
    server = await startServer({ port: 0, db: join(tmp(), "runs.db") });
    await expect(startServer({ port: server.port, db: join(tmp(), "runs.db") })).rejects.toThrow(
      `Port ${server.port} on 127.0.0.1 is in use`,
    );
  });
});

describe("serveCommand", () => {
  it("serves until SIGINT, then stops cleanly with exit code 0", async () => {
    let said = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      said += String(chunk);
      return true;
    });
    const code = serveCommand({ port: "0", db: join(tmp(), "runs.db") });
    await vi.waitFor(() => expect(said).toMatch(/baton dashboard on http:\/\/127\.0\.0\.1:\d+\//), {
      timeout: 10_000,
    });
    const url = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(said)![1];
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    process.emit("SIGINT");
    expect(await code).toBe(0);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });
});
