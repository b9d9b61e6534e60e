import { type Command, Option } from "commander";
// Only types from the command module: its code loads when a schedule command runs.
import type { ScheduleAddOptions } from "./commands/schedule.js";
import type { Act } from "./exit.js";

/** The helpers `main.ts` builds every command with. */
export interface CommandKit {
  act: Act;
  help: (command: Command, examples: readonly string[], exitCodes?: boolean) => Command;
  db: () => Option;
  json: () => Option;
  withDefault: (flags: string, description: string, value: string) => Option;
}

/** `baton schedule add|list|pause|resume|delete|trigger`: cron schedules that start runs. */
export function scheduleCommands(p: Command, { act, help, db, json, withDefault }: CommandKit): void {
  const s = p
    .command("schedule")
    .description("start a workflow on a cron schedule (ticks run in baton worker or serve)");
  const load = () => import("./commands/schedule.js");
  help(
    s
      .command("add")
      .description("add a schedule: each tick of the cron expression starts one run")
      .argument("<name>", "the schedule's name (letters, digits, . _ -); its runs are <name>:<tick time>")
      .argument("<workflow>", "shipped workflow name or path to a .ts/.js file")
      .requiredOption(
        "--cron <expr>",
        'when: 5 fields ("0 2 * * *"), 6 with seconds first, or @hourly, @daily…',
      )
      .option("--tz <zone>", "IANA time zone the expression is read in (default: UTC)")
      .addOption(new Option("--input <json>", "each run's input state as JSON").conflicts("inputFile"))
      .option("--input-file <file>", "read the input JSON from a file")
      .option("--query <text>", "free-text query for workflows that take one")
      .addOption(
        new Option(
          "--overlap <policy>",
          "a tick while the previous run is unfinished: skip it, or allow a second run",
        )
          .choices(["skip", "allow"])
          .default("skip"),
      )
      .addOption(
        withDefault("--catch-up <n>", "of the ticks missed while nothing ran, start the latest n", "1"),
      )
      .option("--paused", "add it paused (no ticks until baton schedule resume)")
      .addOption(db())
      .addOption(json())
      .action(
        act(async (name: string, ref: string, o: ScheduleAddOptions) =>
          (await load()).scheduleAddCommand(name, ref, o),
        ),
      ),
    [
      `schedule add nightly-saga order-saga --cron "0 2 * * *" --tz Europe/Paris`,
      `schedule add paris-weather parallel-research --cron "*/15 * * * *" --query 'weather in Paris' --catch-up 0`,
      `schedule add report ./report.ts --cron "@hourly" --overlap allow --input '{"team": "ops"}'`,
    ],
  );
  help(
    s
      .command("list")
      .description("list schedules: next tick, last run, policies")
      .addOption(db())
      .addOption(json())
      .action(act(async (o) => (await load()).scheduleListCommand(o))),
    ["schedule list", "schedule list --json | jq '.[] | {name, nextAt}'"],
  );
  for (const [action, description] of [
    ["pause", "stop starting runs (runs already started carry on)"],
    ["resume", "start runs again from the next tick (ticks missed while paused are not caught up)"],
    ["delete", "remove a schedule (its runs are kept)"],
  ] as const) {
    help(
      s
        .command(action)
        .description(description)
        .argument("<name>")
        .addOption(db())
        .addOption(json())
        .action(act(async (name: string, o) => (await load()).scheduleControlCommand(action, name, o))),
      [`schedule ${action} nightly-saga`],
    );
  }
  help(
    s
      .command("trigger")
      .description("start one run of the schedule now (paused or not), and print its id")
      .argument("<name>")
      .addOption(db())
      .addOption(json())
      .action(act(async (name: string, o) => (await load()).scheduleTriggerCommand(name, o))),
    ["schedule trigger nightly-saga", "schedule trigger nightly-saga --json"],
  );
}
