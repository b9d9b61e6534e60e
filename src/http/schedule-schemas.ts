import { z } from "zod";

/**
 * `POST /api/schedules`. The shape is checked here; the name, expression, zone, policies and the
 * input against the workflow's state are checked by `addSchedule`, which names what is wrong.
 */
export const AddScheduleBody = z.strictObject({
  name: z.string().min(1).max(100),
  workflow: z.string().min(1),
  cron: z.string().min(1).max(200),
  tz: z.string().min(1).max(100).optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  overlap: z.enum(["skip", "allow"]).optional(),
  catchUp: z.number().int().min(0).optional(),
  paused: z.boolean().optional(),
  /** Who adds it, for the record (a name, an email). */
  by: z.string().min(1).max(200).optional(),
});

/** `POST /api/schedules/:name/pause|resume|trigger`: who asks (kept on a triggered run). */
export const ScheduleActionBody = z.strictObject({ by: z.string().min(1).max(200).optional() });
