import { afterEach, describe, expect, it } from "vitest";
import { serveCommand } from "../../src/cli/commands/serve.js";
import { isLoopbackHost } from "../../src/http/access.js";
import { startServer } from "../../src/http/server.js";
import { type TestApp, testApp } from "./fixtures.js";

let t: TestApp;
afterEach(async () => t?.close());

const get = (app: TestApp["app"], path: string, headers: Record<string, string> = {}) =>
  app.request(path, { headers });

describe("access: tokens and hosts", () => {
  it("checks the token on every API call when one is set", async () => {
    t = testApp({ token: "s3cret" });
    expect((await get(t.app, "/api/runs")).status).toBe(401);
    const none = await get(t.app, "/api/runs");
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await get(t.app, "/api/runs", { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await get(t.app, "/api/runs", { authorization: "Bearer s3cre" })).status).toBe(401);
    expect((await get(t.app, "/api/runs", { authorization: "Bearer s3cret" })).status).toBe(200);
    const post = await t.app.request("/api/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workflow: "approval" }),
    });
    expect(post.status).toBe(401);
    expect((await get(t.app, "/api/workflows/approval/graph")).status).toBe(401);
  });

  it("takes ?token= on the live feeds only (EventSource cannot send headers)", async () => {
    t = testApp({ token: "s3cret" });
    expect((await get(t.app, "/api/runs?token=s3cret")).status).toBe(401);
    const feed = await get(t.app, "/api/events?token=s3cret");
    expect(feed.status).toBe(200);
    expect(feed.headers.get("content-type")).toBe("text/event-stream");
    await feed.body?.cancel();
    expect((await get(t.app, "/api/events?token=nope")).status).toBe(401);
  });

  it("serves requests for any host with a token, and only loopback hosts without one", async () => {
    t = testApp({ token: "s3cret" });
    const remote = await t.app.request("http://10.0.0.5:7400/api/runs", {
      headers: { authorization: "Bearer s3cret" },
    });
    expect(remote.status).toBe(200);
    await t.close();
    t = testApp();
    expect((await t.app.request("http://localhost:7400/api/runs")).status).toBe(200);
    expect((await t.app.request("http://127.0.0.1:7400/api/runs")).status).toBe(200);
    // A page on evil.example whose DNS now points at 127.0.0.1 still says evil.example in Host.
    const rebound = await t.app.request("http://evil.example:7400/api/runs");
    expect(rebound.status).toBe(403);
  });

  it("refuses changes sent by a page of another origin", async () => {
    t = testApp();
    const cross = await t.app.request("http://localhost/api/runs", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ workflow: "approval" }),
    });
    expect(cross.status).toBe(403);
    const same = await t.app.request("http://localhost/api/runs", {
      method: "POST",
      headers: { origin: "http://localhost", "content-type": "application/json" },
      body: JSON.stringify({ workflow: "approval" }),
    });
    expect(same.status).toBe(201);
  });

  it("refuses to listen beyond loopback without a token", async () => {
    const saved = process.env.BATON_TOKEN;
    delete process.env.BATON_TOKEN;
    try {
      await expect(startServer({ host: "0.0.0.0", port: 0, db: ":memory:" })).rejects.toThrow(
        /Refusing to listen on 0\.0\.0\.0 without a token/,
      );
      await expect(serveCommand({ host: "0.0.0.0", port: "0" })).rejects.toThrow(
        /BATON_TOKEN or pass --token/,
      );
      await expect(serveCommand({ port: "http" })).rejects.toThrow(/--port must be/);
    } finally {
      if (saved !== undefined) process.env.BATON_TOKEN = saved;
    }
  });

  it("knows which hosts are loopback", () => {
    for (const h of ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.5", "::", "example.com", "127.0.0.1.evil.com"])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});
