import { Command, CommanderError, Option } from "commander";
import type { RuntimeOptions } from "../host/runtime.js";
// Only types from the command modules: each command's code (and the MCP SDK, the HTTP server, zod,
// tsx, the database drivers behind it) is imported by its action, so `baton --version` and `--help`
// load commander and nothing else.
import type { ResumeCommandOptions, RunCommandOptions } from "./commands/run.js";
import type { ServeCommandOptions } from "./commands/serve.js";
import type { SignalCommandOptions } from "./commands/signal.js";
import type { SubmitCommandOptions } from "./commands/submit.js";
import type { WorkerCommandOptions } from "./commands/worker.js";
import { type Act, EXIT, UsageError } from "./exit.js";
import { scheduleCommands } from "./schedule-commands.js";

const db = () =>
  new Option("--db <path|url>", "SQLite file or postgres:// URL (default: $BATON_DB or .baton/baton.db)");
const config = () =>
  new Option(
    "--config <file>",
    "MCP server configuration (default: baton.config.json, else the bundled servers)",
  );
const json = () => new Option("--json", "print one JSON object instead of progress");
/** An option with a default, shown unquoted in the help: `(default: 20)`, not `(default: "20")`. */
const withDefault = (flags: string, description: string, value: string) =>
  new Option(flags, description).default(value, value);

const EXIT_CODES = `
Exit codes:
  0  completed (for commands that do not run a workflow: done)
  1  the run failed, was compensated or cancelled, or something unexpected went wrong
  2  usage or configuration error: a bad option, an unknown workflow or run, a bad config file
  3  the run is waiting for input (interrupted) or still queued (pending)
  130  stopped by Ctrl-C (SIGINT) or SIGTERM: the run can be resumed`;

const PROGRAM_HELP = `
Examples:
  $ baton run order-saga                                   run a shipped workflow, with live progress
  $ baton run order-saga --input '{"failAt": "create_shipping_label"}'
  $ baton run ./my-workflow.ts --input '{"topic": "workflows"}' --json
  $ baton runs --limit 5                                   the latest runs of this folder
  $ baton show <runId> --history                           a run's steps, state and checkpoints
  $ baton resume <runId> --value '{"approved": true}'      answer a waiting run
  $ baton <command> --help                                 options and examples of one command
${EXIT_CODES}

Environment:
  BATON_DB     the run store when --db is not given (a SQLite file or a postgres:// URL)
  NO_COLOR     no colours in the progress display (none either when it is not a terminal)
  BATON_DEBUG  set to 1 to print the stack trace of an unexpected error`;

/** Examples (and, for commands that run workflows, the exit codes) below a command's options. */
function help(command: Command, examples: readonly string[], exitCodes = false): Command {
  const lines = examples.map((e) => `  $ baton ${e}`).join("\n");
  return command.addHelpText("after", `\nExamples:\n${lines}\n${exitCodes ? `${EXIT_CODES}\n` : ""}`);
}

/** Build the `baton` program; each action resolves to an exit code. */
export function program(setCode: (code: number) => void): Command {
  const p = new Command("baton")
    .description("Durable, parallel, conditional workflows whose steps call tools on MCP servers")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride()
    .addHelpText("after", PROGRAM_HELP);
  const act: Act =
    (fn) =>
    async (...args) =>
      setCode(await fn(...args));

  help(
    p
      .command("run")
      .description("run a shipped workflow (parallel-research, support-router, order-saga) or a .ts file")
      .argument("<workflow>", "shipped workflow name or path to a .ts/.js file")
      .addOption(new Option("--input <json>", "input state as JSON").conflicts("inputFile"))
      .option("--input-file <file>", "read the input JSON from a file")
      .option("--query <text>", "free-text query for workflows that take one")
      .option("--run-id <id>", "your own run id (starting the same id twice returns the same run)")
      .option("--thread <id>", "continue this thread: start from the state its last run ended with")
      .addOption(db())
      .addOption(config())
      .addOption(json())
      .action(
        act(async (ref: string, o: RunCommandOptions) =>
          // The MCP servers a shipped workflow uses start as soon as it is loaded, all at once.
          (await import("./commands/run.js")).runCommand(ref, { ...o, prestartMcp: true }),
        ),
      ),
    [
      "run parallel-research --query 'weather in London and Tokyo'",
      `run order-saga --input '{"failAt": "create_shipping_label"}'`,
      "run ./first-workflow.ts --input-file input.json --db .baton/dev.db",
      "run order-saga --json | jq .status",
    ],
    true,
  );
  help(
    p
      .command("resume")
      .description("continue an interrupted or crashed run")
      .argument("<runId>")
      .option("--value <json>", "the answer the waiting node receives")
      .option("--workflow <workflow>", "the workflow, when it cannot be found from the run")
      .option("--force", "resume even if the graph's structure changed")
      .addOption(db())
      .addOption(config())
      .addOption(json())
      .action(
        act(async (runId: string, o: ResumeCommandOptions) =>
          (await import("./commands/run.js")).resumeCommand(runId, o),
        ),
      ),
    [`resume <runId> --value '{"approved": true, "assignee": "sam"}'`, "resume <runId> --workflow ./flow.ts"],
    true,
  );
  help(
    p
      .command("cancel")
      .description("cancel a run; --compensate undoes its completed steps")
      .argument("<runId>")
      .option("--compensate", "run the compensations of completed steps")
      .option("--workflow <workflow>", "the workflow, when it cannot be found from the run")
      .addOption(db())
      .addOption(config())
      .action(
        act(async (runId: string, o: RuntimeOptions & { compensate?: boolean; workflow?: string }) =>
          (await import("./commands/cancel.js")).cancelCommand(runId, o),
        ),
      ),
    ["cancel <runId>", "cancel <runId> --compensate"],
  );
  help(
    p
      .command("retry")
      .description("run a failed or cancelled run again from its last checkpoint (its history is kept)")
      .argument("<runId>")
      .option("--workflow <workflow>", "the workflow, when it cannot be found from the run")
      .option("--force", "retry even if the graph's structure changed")
      .addOption(db())
      .addOption(config())
      .addOption(json())
      .action(
        act(async (runId: string, o: Omit<ResumeCommandOptions, "value">) =>
          (await import("./commands/lifecycle.js")).retryCommand(runId, o),
        ),
      ),
    ["retry <runId>", "retry <runId> --json"],
    true,
  );
  help(
    p
      .command("recover")
      .description("resume every run whose process is gone (crashed, or its lease ran out) and wait for them")
      .addOption(db())
      .addOption(config())
      .addOption(json())
      .action(
        act(async (o: RuntimeOptions & { json?: boolean }) =>
          (await import("./commands/lifecycle.js")).recoverCommand(o),
        ),
      ),
    ["recover", "recover --db postgres://localhost/baton --json"],
  );
  help(
    p
      .command("runs")
      .description("list runs, newest first")
      .option("--status <status>", "only runs with this status")
      .option("--thread <id>", "only runs of this thread, newest first")
      .addOption(withDefault("--limit <n>", "at most n runs", "20"))
      .addOption(db())
      .addOption(json())
      .action(act(async (o) => (await import("./commands/inspect.js")).runsCommand(o))),
    ["runs", "runs --status interrupted --limit 5", "runs --thread chat-42", "runs --json | jq '.[].runId'"],
  );
  help(
    p
      .command("show")
      .description("show a run: status, steps, state")
      .argument("<runId>")
      .option("--history", "list every checkpoint with its state")
      .option("--events", "list the run's history: every attempt and action, in order")
      .option("--workflow <workflow>", "the workflow, when it cannot be found from the run")
      .addOption(db())
      .addOption(config())
      .addOption(json())
      .action(act(async (runId: string, o) => (await import("./commands/inspect.js")).showCommand(runId, o))),
    ["show <runId>", "show <runId> --history", "show <runId> --json | jq .state"],
  );
  help(
    p
      .command("graph")
      .description("print a workflow's graph")
      .argument("<workflow>")
      .addOption(withDefault("--format <format>", "output format", "mermaid"))
      .addOption(db())
      .action(act(async (ref: string, o) => (await import("./commands/inspect.js")).graphCommand(ref, o))),
    ["graph order-saga", "graph ./first-workflow.ts > graph.mmd"],
  );
  help(
    p
      .command("mcp")
      .description("MCP servers")
      .command("tools")
      .description("start the configured MCP servers and list their tools")
      .addOption(config())
      .addOption(json())
      .action(act(async (o) => (await import("./commands/mcp.js")).mcpToolsCommand(o))),
    ["mcp tools", "mcp tools --config baton.config.json --json"],
  );
  help(
    p
      .command("serve")
      .description("HTTP API and web dashboard over the run store")
      .addOption(withDefault("--port <port>", "port to listen on", "7400"))
      .addOption(
        withDefault(
          "--host <host>",
          "address to listen on (any non-loopback address needs a token)",
          "127.0.0.1",
        ),
      )
      .option("--token <token>", "require this bearer token on every API call (default: $BATON_TOKEN)")
      .option("--no-runner", "do not run due work here (sleeps, event waits, delayed and scheduled runs)")
      .addOption(db())
      .addOption(config())
      .action(act(async (o: ServeCommandOptions) => (await import("./commands/serve.js")).serveCommand(o))),
    ["serve", "serve --db postgres://localhost/baton", "BATON_TOKEN=s3cret baton serve --host 0.0.0.0"],
  );
  help(
    p
      .command("submit")
      .description(
        "store a run for baton worker processes to start (now, or --at/--delay later) and print its id",
      )
      .argument("<workflow>", "shipped workflow name or path to a .ts/.js file")
      .addOption(new Option("--input <json>", "input state as JSON").conflicts("inputFile"))
      .option("--input-file <file>", "read the input JSON from a file")
      .option("--query <text>", "free-text query for workflows that take one")
      .option("--queue <queue>", "the queue to put it in (default: default)")
      .option("--run-id <id>", "your own run id (submitting the same id twice is one run)")
      .option("--at <time>", "start it at this ISO 8601 time (e.g. 2026-12-24T09:00:00Z)")
      .option("--delay <duration>", "start it after this long (e.g. 90s, 10m, 2h, 1d)")
      .option("--wait", "wait until a worker has run it; exit as baton run would")
      .addOption(db())
      .addOption(json())
      .action(
        act(async (ref: string, o: SubmitCommandOptions) =>
          (await import("./commands/submit.js")).submitCommand(ref, o),
        ),
      ),
    [
      `submit order-saga --db postgres://localhost/baton --input '{"quantity": 2}'`,
      "submit parallel-research --query 'weather in Paris' --wait",
      "submit order-saga --delay 10m --db .baton/baton.db",
    ],
    true,
  );
  help(
    p
      .command("worker")
      .description(
        "execute submitted, due and scheduled runs until SIGTERM: claims from PostgreSQL, or the local runner of a SQLite file",
      )
      .addOption(withDefault("--concurrency <n>", "most runs executed at once", "10"))
      .option(
        "--task-concurrency <n>",
        "most tasks of distributed steps run at once (default: --concurrency)",
      )
      .option("--queue <queue...>", "only these queues (default: all)")
      .addOption(
        withDefault(
          "--lease-ms <ms>",
          "lease length: a dead worker's runs are taken over this long after it died",
          "30000",
        ),
      )
      .addOption(
        withDefault("--poll-ms <ms>", "longest wait between claims when no notification arrives", "500"),
      )
      .addOption(
        withDefault(
          "--grace-ms <ms>",
          "on SIGTERM, how long runs in flight may finish before they are given back",
          "20000",
        ),
      )
      .addOption(
        withDefault(
          "--distribute-above <n>",
          "spread a step over all workers when it has more tasks than this",
          "32",
        ),
      )
      .option(
        "--workflow <workflow...>",
        "workflow files (or names) this worker runs, besides the shipped ones",
      )
      .option("--id <id>", "worker id (default: host:pid:random)")
      .addOption(db())
      .addOption(config())
      .addOption(new Option("--json", "print one JSON line per worker event on stdout"))
      .action(
        act(async (o: WorkerCommandOptions) => (await import("./commands/worker.js")).workerCommand(o)),
      ),
    [
      "worker --db postgres://localhost/baton --concurrency 20",
      "worker --queue reports --workflow ./report.ts",
    ],
  );
  help(
    p
      .command("queue")
      .description("set a queue's concurrency limit, across all workers (PostgreSQL)")
      .argument("<name>")
      .requiredOption(
        "--concurrency <n|none>",
        "most runs of the queue at once; 0 pauses it, none lifts the limit",
      )
      .addOption(db())
      .action(
        act(async (name: string, o: RuntimeOptions & { concurrency: string }) =>
          (await import("./commands/worker.js")).queueCommand(name, o),
        ),
      ),
    ["queue reports --concurrency 2", "queue reports --concurrency 0", "queue reports --concurrency none"],
  );
  help(
    p
      .command("signal")
      .description("send a named event to a run (ctx.waitForEvent); kept until the run waits for it")
      .argument("<runId>")
      .argument("<name>", "the event's name")
      .option("--value <json>", "the event's payload (default null)")
      .addOption(db())
      .addOption(json())
      .action(
        act(async (runId: string, name: string, o: SignalCommandOptions) =>
          (await import("./commands/signal.js")).signalCommand(runId, name, o),
        ),
      ),
    [`signal <runId> reply --value '{"text": "yes, ship it"}'`, "signal <runId> payment-received"],
  );
  scheduleCommands(p, { act, help, db, json, withDefault });
  help(
    p
      .command("init")
      .description("write a baton.config.json and an example workflow here")
      .option("--force", "overwrite existing files")
      .action(act(async (o) => (await import("./commands/init.js")).initCommand(o))),
    ["init", "init --force"],
  );
  return p;
}

/** Run the command line; returns the exit code (0 completed, 1 failed, 2 usage, 3 interrupted). */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const p = program((c) => {
    code = c;
  });
  try {
    await p.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      report(error, error.message);
      return EXIT.usage;
    }
    const { BatonError } = await import("../errors.js");
    if (
      error instanceof BatonError &&
      [
        "INPUT_INVALID",
        "GRAPH_INVALID",
        "CONFIG_INVALID",
        "GRAPH_CHANGED",
        "RUN_NOT_FOUND",
        "RUN_STATE",
        "RUN_BUSY",
        "RUN_CONFLICT",
        "SCHEDULE_INVALID",
        "SCHEDULE_NOT_FOUND",
        "SCHEDULE_EXISTS",
      ].includes(error.code)
    ) {
      report(error, error.message);
      return EXIT.usage;
    }
    const message = error instanceof Error ? error.message || error.name : String(error);
    report(error, debugging() ? message : `${message} (BATON_DEBUG=1 shows the stack trace)`);
    return EXIT.failed;
  }
}

const debugging = () => Boolean(process.env.BATON_DEBUG) && process.env.BATON_DEBUG !== "0";

/** One line on stderr; with `BATON_DEBUG=1`, the stack trace (and its causes') below it. */
function report(error: unknown, message: string): void {
  process.stderr.write(`baton: ${message}\n`);
  if (!debugging()) return;
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    process.stderr.write(
      `${depth === 0 ? "" : "caused by: "}${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    e = e instanceof Error ? e.cause : undefined;
  }
}
