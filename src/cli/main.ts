import { Command, CommanderError, Option } from "commander";
import { BatonError } from "../errors.js";
import { cancelCommand } from "./commands/cancel.js";
import { initCommand } from "./commands/init.js";
import { graphCommand, runsCommand, showCommand } from "./commands/inspect.js";
import { mcpToolsCommand } from "./commands/mcp.js";
import { resumeCommand, runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { submitCommand } from "./commands/submit.js";
import { queueCommand, workerCommand } from "./commands/worker.js";
import { type Act, EXIT, UsageError } from "./exit.js";

const db = () =>
  new Option("--db <path|url>", "SQLite file or postgres:// URL (default: $BATON_DB or .baton/baton.db)");
const config = () =>
  new Option(
    "--config <file>",
    "MCP server configuration (default: baton.config.json, else the bundled servers)",
  );
const json = () => new Option("--json", "print one JSON object instead of progress");

/** Build the `baton` program; each action resolves to an exit code. */
export function program(setCode: (code: number) => void): Command {
  const p = new Command("baton")
    .description("Durable, parallel, conditional workflows whose steps call tools on MCP servers")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  const act: Act =
    (fn) =>
    async (...args) =>
      setCode(await fn(...args));

  p.command("run")
    .description("run a shipped workflow (parallel-research, support-router, order-saga) or a .ts file")
    .argument("<workflow>", "shipped workflow name or path to a .ts/.js file")
    .addOption(new Option("--input <json>", "input state as JSON").conflicts("inputFile"))
    .option("--input-file <file>", "read the input JSON from a file")
    .option("--query <text>", "free-text query for workflows that take one")
    .option("--run-id <id>", "your own run id (starting the same id twice returns the same run)")
    .addOption(db())
    .addOption(config())
    .addOption(json())
    .action(act(runCommand));
  p.command("resume")
    .description("continue an interrupted or crashed run")
    .argument("<runId>")
    .option("--value <json>", "the answer the waiting node receives")
    .option("--workflow <workflow>", "the workflow, when it cannot be found from the run")
    .option("--force", "resume even if the graph's structure changed")
    .addOption(db())
    .addOption(config())
    .addOption(json())
    .action(act(resumeCommand));
  p.command("cancel")
    .description("cancel a run; --compensate undoes its completed steps")
    .argument("<runId>")
    .option("--compensate", "run the compensations of completed steps")
    .option("--workflow <workflow>", "the workflow, when it cannot be found from the run")
    .addOption(db())
    .addOption(config())
    .action(act(cancelCommand));
  p.command("runs")
    .description("list runs, newest first")
    .option("--status <status>", "only runs with this status")
    .option("--limit <n>", "at most n runs", "20")
    .addOption(db())
    .addOption(json())
    .action(act(runsCommand));
  p.command("show")
    .description("show a run: status, steps, state")
    .argument("<runId>")
    .option("--history", "list every checkpoint with its state")
    .option("--workflow <workflow>", "the workflow, when it cannot be found from the run")
    .addOption(db())
    .addOption(config())
    .addOption(json())
    .action(act(showCommand));
  p.command("graph")
    .description("print a workflow's graph")
    .argument("<workflow>")
    .option("--format <format>", "output format", "mermaid")
    .addOption(db())
    .action(act(graphCommand));
  p.command("mcp")
    .description("MCP servers")
    .command("tools")
    .description("start the configured MCP servers and list their tools")
    .addOption(config())
    .addOption(json())
    .action(act(mcpToolsCommand));
  p.command("serve")
    .description("HTTP API and web dashboard over the run store")
    .option("--port <port>", "port to listen on", "7400")
    .option("--host <host>", "address to listen on (any non-loopback address needs a token)", "127.0.0.1")
    .option("--token <token>", "require this bearer token on every API call (default: $BATON_TOKEN)")
    .addOption(db())
    .addOption(config())
    .action(act(serveCommand));
  p.command("submit")
    .description("enqueue a run for baton worker processes (PostgreSQL) and print its id")
    .argument("<workflow>", "shipped workflow name or path to a .ts/.js file")
    .addOption(new Option("--input <json>", "input state as JSON").conflicts("inputFile"))
    .option("--input-file <file>", "read the input JSON from a file")
    .option("--query <text>", "free-text query for workflows that take one")
    .option("--queue <queue>", "the queue to put it in (default: default)")
    .option("--run-id <id>", "your own run id (submitting the same id twice is one run)")
    .option("--wait", "wait until a worker has run it; exit as baton run would")
    .addOption(db())
    .addOption(json())
    .action(act(submitCommand));
  p.command("worker")
    .description("claim and execute submitted runs from PostgreSQL until SIGTERM")
    .option("--concurrency <n>", "most runs executed at once", "10")
    .option("--task-concurrency <n>", "most tasks of distributed steps run at once (default: --concurrency)")
    .option("--queue <queue...>", "only these queues (default: all)")
    .option(
      "--lease-ms <ms>",
      "lease length: a dead worker's runs are taken over this long after it died",
      "30000",
    )
    .option("--poll-ms <ms>", "longest wait between claims when no notification arrives", "500")
    .option(
      "--grace-ms <ms>",
      "on SIGTERM, how long runs in flight may finish before they are given back",
      "20000",
    )
    .option("--distribute-above <n>", "spread a step over all workers when it has more tasks than this", "32")
    .option(
      "--workflow <workflow...>",
      "workflow files (or names) this worker runs, besides the shipped ones",
    )
    .option("--id <id>", "worker id (default: host:pid:random)")
    .addOption(db())
    .addOption(config())
    .addOption(new Option("--json", "print one JSON line per worker event on stdout"))
    .action(act(workerCommand));
  p.command("queue")
    .description("set a queue's concurrency limit, across all workers (PostgreSQL)")
    .argument("<name>")
    .requiredOption(
      "--concurrency <n|none>",
      "most runs of the queue at once; 0 pauses it, none lifts the limit",
    )
    .addOption(db())
    .action(act(queueCommand));
  p.command("init")
    .description("write a baton.config.json and an example workflow here")
    .option("--force", "overwrite existing files")
    .action(act(initCommand));
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
      process.stderr.write(`baton: ${error.message}\n`);
      return EXIT.usage;
    }
    if (
      error instanceof BatonError &&
      [
        "INPUT_INVALID",
        "GRAPH_INVALID",
        "CONFIG_INVALID",
        "GRAPH_CHANGED",
        "RUN_NOT_FOUND",
        "RUN_STATE",
      ].includes(error.code)
    ) {
      process.stderr.write(`baton: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`baton: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failed;
  }
}
