import { z } from "zod";
import type { RunStatus } from "../engine/records.js";
import { RUN_SORTS } from "../engine/run-search.js";

export const RUN_STATUSES = [
  "pending",
  "running",
  "interrupted",
  "sleeping",
  "waiting",
  "completed",
  "failed",
  "cancelled",
  "compensating",
  "compensated",
  "compensation_failed",
] as const satisfies readonly RunStatus[];

const runId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/, "may hold only letters, digits and . _ : -");
const stateObject = z.record(z.string(), z.unknown());

/** Who acts, for the run's history (a name, an email). */
const by = z.string().min(1).max(200).optional();

/** `POST /api/runs` */
export const StartRunBody = z.strictObject({
  workflow: z.string().min(1),
  input: stateObject.default({}),
  runId: runId.optional(),
  /** Start later: an ISO 8601 time in the future (the run waits `pending` until then). */
  startAt: z.iso.datetime({ offset: true }).optional(),
  by,
});

/** `POST /api/runs/:id/signals/:name`: the event's payload. */
export const SignalBody = z.strictObject({ value: z.unknown().optional(), by });

/**
 * `POST /api/runs/:id/resume`. A run whose owner is gone is taken over; `takeOver` is accepted for
 * older clients and no longer needed.
 */
export const ResumeBody = z.strictObject({
  value: z.unknown().optional(),
  force: z.boolean().optional(),
  takeOver: z.boolean().optional(),
  by,
});

/** `POST /api/runs/:id/cancel` (`takeOver`: as for resume). */
export const CancelBody = z.strictObject({
  compensate: z.boolean().default(false),
  takeOver: z.boolean().optional(),
  by,
});

/** `POST /api/runs/:id/retry` */
export const RetryBody = z.strictObject({ force: z.boolean().optional(), by });

/** `POST /api/runs/:id/recover` */
export const RecoverBody = z.strictObject({ by });

/**
 * `GET /api/runs/:id/history?after=&limit=&nested=1`: a page of the run's history; `nested`: with
 * its subgraph runs' entries, each tagged with its level (`after` then counts in the merged list).
 */
export const HistoryQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  nested: z
    .enum(["0", "1", "true", "false"])
    .transform((s) => s === "1" || s === "true")
    .default(false),
});

/** `POST /api/runs/:id/fork` */
export const ForkBody = z.strictObject({
  step: z.number().int().min(0),
  update: stateObject.optional(),
  runId: runId.optional(),
});

/** A point in time: epoch milliseconds or an ISO 8601 date (`2026-12-01T10:00:00Z`). */
const instant = z.string().transform((s, ctx) => {
  const at = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (Number.isFinite(at)) return at;
  ctx.addIssue({ code: "custom", message: "must be epoch milliseconds or an ISO 8601 date" });
  return z.NEVER;
});

/**
 * `GET /api/runs?status=failed,compensated&graph=order-saga&q=london&from=…&to=…&sort=created&order=desc&offset=50&limit=50`
 */
export const ListRunsQuery = z.strictObject({
  status: z
    .string()
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(z.array(z.enum(RUN_STATUSES)).min(1))
    .optional(),
  graph: z.string().min(1).optional(),
  /** Part of a run id, or text in its input. */
  q: z.string().trim().max(200).optional(),
  from: instant.optional(),
  to: instant.optional(),
  sort: z.enum(RUN_SORTS).default("created"),
  order: z.enum(["asc", "desc"]).default("desc"),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
