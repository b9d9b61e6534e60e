import { readFileSync } from "node:fs";
import type { LoadedWorkflow } from "./load-workflow.js";
import { parseJsonOption, UsageError } from "./usage-error.js";

/** The options `baton run` and `baton submit` take for a new run's input. */
export interface InputOptions {
  input?: string;
  inputFile?: string;
  query?: string;
}

/** `--input` or `--input-file`, parsed: read before anything opens, so a mistake costs nothing. */
export function readInput(options: InputOptions): Record<string, unknown> | undefined {
  if (options.input !== undefined && options.inputFile !== undefined)
    throw new UsageError("Give --input or --input-file, not both");
  let text = options.input;
  let source = "--input";
  if (options.inputFile !== undefined) {
    source = `--input-file ${options.inputFile}`;
    try {
      text = readFileSync(options.inputFile, "utf8");
    } catch {
      throw new UsageError(`Input file not found: ${options.inputFile}`);
    }
  }
  if (text === undefined) return undefined;
  const parsed = parseJsonOption(text, source);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${source} must be a JSON object`);
  if (options.query !== undefined && Object.hasOwn(parsed, "query"))
    throw new UsageError(
      `Both --query and ${source} give a query; give it once (drop --query, or the "query" key of the input)`,
    );
  return parsed as Record<string, unknown>;
}

/**
 * A new run's input: `--query` as the workflow reads it, with the given input's keys beside (or
 * over) what the query gives; else the given input; else the workflow's default.
 */
export function runInput(
  workflow: LoadedWorkflow,
  input: Record<string, unknown> | undefined,
  query: string | undefined,
): Record<string, unknown> {
  if (query !== undefined) return { ...(workflow.shipped?.fromQuery?.(query) ?? { query }), ...input };
  if (input) return input;
  return workflow.shipped?.defaultInput ?? {};
}
