import { loadWorkflow } from "../../host/load-workflow.js";
import { type InputOptions, readInput, runInput } from "../../host/run-input.js";
import type { Runtime, RuntimeOptions } from "../../host/runtime.js";
import { rememberWorkflowPath, workflowPathFor } from "../../host/workflow-paths.js";
import {
  addSchedule,
  deleteSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  type ScheduleRecord,
  type ScheduleView,
  scheduleView,
  triggerSchedule,
  type WorkflowLookup,
} from "../../schedules/index.js";
import { cliActor } from "../actor.js";
import { EXIT, UsageError, wholeNumberOption } from "../exit.js";
import { table } from "./inspect.js";
import { withRuntime } from "./run.js";

export interface ScheduleAddOptions extends RuntimeOptions, InputOptions {
  cron: string;
  tz?: string;
  overlap?: string;
  catchUp?: string;
  paused?: boolean;
}

type ScheduleOptions = RuntimeOptions & { json?: boolean };

/**
 * `baton schedule add`: check everything (the workflow, the expression, the zone, the policies, the
 * input against the workflow's state) before storing the schedule. Its ticks start runs wherever
 * due work runs: `baton worker`, or `baton serve`, on this database.
 */
export async function scheduleAddCommand(
  name: string,
  ref: string,
  options: ScheduleAddOptions,
): Promise<number> {
  const input = readInput(options);
  const catchUp =
    options.catchUp === undefined ? undefined : wholeNumberOption(options.catchUp, "--catch-up", 0);
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    rt.requireWritable("baton schedule add");
    const workflow = await loadWorkflow(ref, rt.ctx);
    const schedule = await addSchedule(rt.store, {
      name,
      workflow: workflow.graph,
      cron: options.cron,
      ...(options.tz !== undefined ? { tz: options.tz } : {}),
      input: runInput(workflow, input, options.query),
      ...(options.overlap !== undefined ? { overlap: options.overlap as "skip" | "allow" } : {}),
      ...(catchUp !== undefined ? { catchUp } : {}),
      ...(options.paused ? { paused: true } : {}),
      by: cliActor(),
    });
    // Whoever runs the ticks finds a workflow file by its graph name, as `baton resume` does.
    if (workflow.path) rememberWorkflowPath(rt.dbSpec, workflow.graph.name, workflow.path);
    if (options.json) return print(await scheduleView(rt.store, schedule));
    process.stdout.write(`${describe(schedule)}\n`);
    process.stderr.write(
      `baton: ticks start runs while \`baton worker\` or \`baton serve\` runs on ${rt.dbSpec}\n`,
    );
    return EXIT.ok;
  });
}

/** `baton schedule list`: every schedule, its next tick and its last run. */
export async function scheduleListCommand(options: ScheduleOptions): Promise<number> {
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    const views = await listSchedules(rt.store);
    if (options.json) return print(views);
    if (views.length === 0) {
      process.stdout.write(
        "No schedules. Add one: baton schedule add <name> <workflow> --cron '0 2 * * *'\n",
      );
      return EXIT.ok;
    }
    const rows = views.map((v) => [
      v.name,
      v.workflow,
      v.cron,
      v.tz,
      v.paused ? "paused" : (v.nextAt ?? "no more ticks"),
      v.lastRun ? `${v.lastRun.id} (${v.lastRun.status ?? "gone"})` : "-",
      v.lastSkip ? `${v.lastSkip.count} ${v.lastSkip.reason}, last ${v.lastSkip.tick}` : "-",
      `${v.overlap}, catch-up ${v.catchUp}`,
    ]);
    const header = ["NAME", "WORKFLOW", "CRON", "TZ", "NEXT", "LAST RUN", "LAST SKIP", "POLICY"];
    process.stdout.write(`${table(header, rows)}\n`);
    return EXIT.ok;
  });
}

/** `baton schedule pause|resume|delete <name>`. */
export async function scheduleControlCommand(
  action: "pause" | "resume" | "delete",
  name: string,
  options: ScheduleOptions,
): Promise<number> {
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    rt.requireWritable(`baton schedule ${action}`);
    if (action === "delete") {
      await deleteSchedule(rt.store, name);
      if (options.json) return print({ name, deleted: true });
      process.stdout.write(`schedule ${name} deleted (its runs are kept)\n`);
      return EXIT.ok;
    }
    const schedule =
      action === "pause" ? await pauseSchedule(rt.store, name) : await resumeSchedule(rt.store, name);
    if (options.json) return print(await scheduleView(rt.store, schedule));
    process.stdout.write(`${describe(schedule)}\n`);
    return EXIT.ok;
  });
}

/** `baton schedule trigger <name>`: one run now, with the schedule's input; prints its id. */
export async function scheduleTriggerCommand(name: string, options: ScheduleOptions): Promise<number> {
  return withRuntime({ ...options, lazyConfig: true }, async (rt) => {
    rt.requireWritable("baton schedule trigger");
    const { runId, created } = await triggerSchedule(rt.store, name, {
      workflow: lookup(rt),
      by: cliActor(),
    });
    if (options.json) return print({ runId, created, status: "pending" });
    process.stdout.write(`${runId}\n`);
    return EXIT.ok;
  });
}

/** A schedule's workflow by graph name: shipped, or the file `baton schedule add` recorded. */
function lookup(rt: Runtime): WorkflowLookup {
  return async (graph) => {
    const { graph: g } = await loadWorkflow(workflowPathFor(rt.dbSpec, graph) ?? graph, rt.ctx);
    if (g.name !== graph)
      throw new UsageError(`The file recorded for workflow "${graph}" now holds "${g.name}"`);
    return g;
  };
}

function describe(s: ScheduleRecord): string {
  const when = s.paused
    ? "paused"
    : s.nextAt === undefined
      ? "no more ticks"
      : `next tick ${new Date(s.nextAt).toISOString()}`;
  return `schedule ${s.name}: ${s.workflow} on "${s.cron}" (${s.tz}), overlap ${s.overlap}, catch-up ${s.catchUp}; ${when}`;
}

function print(value: ScheduleView | readonly ScheduleView[] | object): number {
  process.stdout.write(`${JSON.stringify(value)}\n`);
  return EXIT.ok;
}
