import { Hono } from "hono";
import type { Actor } from "../../engine/history.js";
import type { Store } from "../../engine/store.js";
import {
  addSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  scheduleView,
  triggerSchedule,
  type WorkflowLookup,
} from "../../schedules/index.js";
import { readBody } from "../body.js";
import { badRequest } from "../errors.js";
import { AddScheduleBody, ScheduleActionBody } from "../schedule-schemas.js";
import type { WorkflowSource } from "../workflows.js";

const apiActor = (by: string | undefined): Actor => ({ via: "api", ...(by ? { who: by } : {}) });

/**
 * `/api/schedules…`: list, add, pause, resume, trigger, delete. Each schedule reads as a
 * `ScheduleView` (name, workflow, cron, tz, paused, nextAt, lastRun…); a refusal changes nothing.
 */
export function scheduleRoutes({ store, workflows }: { store: Store; workflows: WorkflowSource }): Hono {
  const app = new Hono();
  const lookup: WorkflowLookup = async (name) => {
    const graph = await workflows.load(name);
    if (!graph) throw badRequest(`Unknown workflow "${name}"`, "workflow");
    return graph;
  };

  app.get("/", async (c) => c.json({ schedules: await listSchedules(store) }));

  app.post("/", async (c) => {
    const { workflow: name, by, ...body } = await readBody(c, AddScheduleBody);
    const workflow = await workflows.load(name);
    if (!workflow) throw badRequest(`Unknown workflow "${name}"`, "workflow");
    const schedule = await addSchedule(store, { ...body, workflow, by: apiActor(by) });
    return c.json(await scheduleView(store, schedule), 201);
  });

  app.get("/:name", async (c) => {
    return c.json(await scheduleView(store, await getSchedule(store, c.req.param("name"))));
  });

  app.post("/:name/pause", async (c) => {
    await readBody(c, ScheduleActionBody);
    return c.json(await scheduleView(store, await pauseSchedule(store, c.req.param("name"))));
  });

  app.post("/:name/resume", async (c) => {
    await readBody(c, ScheduleActionBody);
    return c.json(await scheduleView(store, await resumeSchedule(store, c.req.param("name"))));
  });

  app.post("/:name/trigger", async (c) => {
    const { by } = await readBody(c, ScheduleActionBody);
    const started = await triggerSchedule(store, c.req.param("name"), { workflow: lookup, by: apiActor(by) });
    return c.json({ ...started, status: "pending" }, started.created ? 201 : 200);
  });

  app.delete("/:name", async (c) => {
    const name = c.req.param("name");
    await deleteSchedule(store, name);
    return c.json({ name, deleted: true });
  });

  return app;
}
