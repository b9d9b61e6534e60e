import { Hono } from "hono";
import { readNestedHistory } from "../../engine/nested-history.js";
import { readHistory } from "../../engine/run-history.js";
import type { Store } from "../../engine/store.js";
import type { NestedHistoryPage, RunList } from "../api-types.js";
import { readBody, readQuery } from "../body.js";
import { badRequest, notFound } from "../errors.js";
import type { EventHub } from "../event-hub.js";
import type { RunControl } from "../run-control.js";
import { runList } from "../run-list.js";
import { runDetail } from "../run-view.js";
import {
  CancelBody,
  ForkBody,
  HistoryQuery,
  ListRunsQuery,
  RecoverBody,
  ResumeBody,
  RetryBody,
  SignalBody,
  StartRunBody,
} from "../schemas.js";
import { eventFeed } from "../sse.js";
import type { WorkflowSource } from "../workflows.js";

export interface RunRoutesDeps {
  store: Store;
  workflows: WorkflowSource;
  hub: EventHub;
  control: RunControl;
}

/** `/api/runs…`: list, read, start, resume, retry, fork, cancel, recover, signal, and each run's live feed. */
export function runRoutes({ store, workflows, hub, control }: RunRoutesDeps): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const q = readQuery(c, ListRunsQuery);
    if (q.from !== undefined && q.to !== undefined && q.from > q.to)
      throw badRequest(`Invalid query field "from": it is after "to"`, "from");
    const list = await runList(store, {
      sort: q.sort,
      order: q.order,
      offset: q.offset,
      limit: q.limit,
      ...(q.status ? { statuses: q.status } : {}),
      ...(q.graph ? { graph: q.graph } : {}),
      ...(q.q ? { text: q.q } : {}),
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
    });
    return c.json(list satisfies RunList);
  });

  app.post("/", async (c) => {
    const body = await readBody(c, StartRunBody);
    const accepted = await control.start(body);
    return c.json(accepted, accepted.created ? 201 : 200);
  });

  app.get("/:id", async (c) => {
    const id = c.req.param("id");
    return c.json(await runDetail(store, workflows, hub, id, control.isLocal(id)));
  });

  app.get("/:id/events", async (c) => {
    const id = c.req.param("id");
    if (!(await store.getRun(id)))
      return c.json({ error: { code: "NOT_FOUND", message: `No run with id "${id}"` } }, 404);
    return eventFeed(c, hub, id);
  });

  // The run's append-only history, a page at a time (`next` is the `after` of the next page);
  // `nested=1` merges in its subgraph runs' histories, each entry with its level.
  app.get("/:id/history", async (c) => {
    const id = c.req.param("id");
    const q = readQuery(c, HistoryQuery);
    const run = await store.getRun(id);
    if (!run) throw notFound(`No run with id "${id}"`);
    if (q.nested) {
      const all = await readNestedHistory(store, run);
      const events = all.slice(q.after, q.after + q.limit);
      const more = q.after + q.limit < all.length;
      return c.json({ events, next: more ? q.after + q.limit : null } satisfies NestedHistoryPage);
    }
    const events = await readHistory(store, run, { after: q.after, limit: q.limit });
    const last = events.at(-1);
    return c.json({ events, next: events.length === q.limit && last ? last.seq : null });
  });

  app.post("/:id/resume", async (c) => {
    const body = await readBody(c, ResumeBody);
    return c.json(await control.resume(c.req.param("id"), body.value, body), 202);
  });

  app.post("/:id/retry", async (c) => {
    const body = await readBody(c, RetryBody);
    return c.json(await control.retry(c.req.param("id"), body), 202);
  });

  app.post("/:id/fork", async (c) => {
    const body = await readBody(c, ForkBody);
    return c.json(await control.fork(c.req.param("id"), body), 201);
  });

  app.post("/:id/recover", async (c) => {
    const body = await readBody(c, RecoverBody);
    return c.json(await control.recoverRun(c.req.param("id"), body), 202);
  });

  app.post("/:id/cancel", async (c) => {
    const body = await readBody(c, CancelBody);
    return c.json(await control.cancel(c.req.param("id"), body), 202);
  });

  app.post("/:id/signals/:name", async (c) => {
    const body = await readBody(c, SignalBody);
    return c.json(await control.signal(c.req.param("id"), c.req.param("name"), body), 202);
  });

  return app;
}
