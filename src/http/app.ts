import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { EventListener } from "../engine/events.js";
import type { Store } from "../engine/store.js";
import { accessGuard } from "./access.js";
import { MAX_BODY_BYTES } from "./body.js";
import { errorResponse, HttpError } from "./errors.js";
import { EventHub } from "./event-hub.js";
import { runRoutes } from "./routes/runs.js";
import { scheduleRoutes } from "./routes/schedules.js";
import { workflowRoutes } from "./routes/workflows.js";
import { RunControl } from "./run-control.js";
import { eventFeed } from "./sse.js";
import { defaultUiDir, serveUi } from "./static-ui.js";
import { watchStore } from "./store-watcher.js";
import type { WorkflowSource } from "./workflows.js";

export interface AppOptions {
  store: Store;
  workflows: WorkflowSource;
  /** When set, every API call must carry it (`Authorization: Bearer …`). */
  token?: string;
  /** The built dashboard (default `dist/ui` of this package); `false` serves the API only. */
  uiDir?: string | false;
  /** How often runs executing elsewhere are looked up in the store (default 500 ms). */
  pollMs?: number;
  /** Extra listeners for the events of runs this server executes (e.g. `otelListener()`). */
  listeners?: EventListener[];
}

export interface BatonApp {
  /** The Hono app: `app.fetch` for a server, `app.request()` in tests. */
  readonly app: Hono;
  readonly hub: EventHub;
  readonly control: RunControl;
  /** Ends the live feeds and the store watcher; waits (up to `graceMs`) for runs executing here. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The HTTP API and the dashboard, without a socket.
 *
 * @example
 * const { app } = createApp({ store, workflows: staticWorkflows({ hello: graph }) });
 * const res = await app.request("/api/runs");
 */
export function createApp(options: AppOptions): BatonApp {
  const { store, workflows } = options;
  const hub = new EventHub();
  const control = new RunControl(store, workflows, hub, options.listeners ?? []);
  const watcher = watchStore({
    store,
    hub,
    isLocal: (id) => control.isLocal(id),
    ...(options.pollMs ? { intervalMs: options.pollMs } : {}),
  });
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error));
  const noEndpoint = (c: Context) =>
    errorResponse(c, new HttpError(404, "NOT_FOUND", `No such endpoint: ${c.req.method} ${c.req.path}`));
  app.notFound((c) => (c.req.path.startsWith("/api/") ? noEndpoint(c) : c.text("Not found", 404)));
  app.use("/api/*", accessGuard(options.token ? { token: options.token } : {}));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        errorResponse(
          c,
          new HttpError(413, "PAYLOAD_TOO_LARGE", `Bodies are limited to ${MAX_BODY_BYTES} bytes`),
        ),
    }),
  );
  app.use("/api/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });
  app.get("/api/health", (c) => c.json({ ok: true, running: control.running }));
  app.get("/api/events", (c) => eventFeed(c, hub, undefined));
  app.route("/api/runs", runRoutes({ store, workflows, hub, control }));
  app.route("/api/workflows", workflowRoutes(workflows));
  app.route("/api/schedules", scheduleRoutes({ store, workflows }));
  if (options.uiDir !== false) {
    const ui = serveUi(options.uiDir ?? defaultUiDir());
    app.get("*", (c) => (c.req.path === "/api" || c.req.path.startsWith("/api/") ? noEndpoint(c) : ui(c)));
  }
  return {
    app,
    hub,
    control,
    async close(graceMs = 2_000) {
      watcher.stop();
      hub.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([control.settled(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
