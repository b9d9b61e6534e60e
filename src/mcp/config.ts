import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import {
  type BundledServerName,
  type BundledServerOptions,
  bundledServerNames,
  bundledServers,
} from "./bundled.js";
import {
  type CircuitSettings,
  DEFAULT_SERVER_SETTINGS,
  type HttpServerConfig,
  type McpConfig,
  type McpServerConfig,
  type RetrySettings,
  type ServerSettings,
  type StdioServerConfig,
} from "./config-types.js";
import { type EnvLookup, expandEnv } from "./env-expand.js";
import { McpConfigError } from "./errors.js";

export type {
  CircuitSettings,
  HttpServerConfig,
  McpConfig,
  McpServerConfig,
  RetrySettings,
  StdioServerConfig,
};
export { DEFAULT_SERVER_SETTINGS };

export const CONFIG_FILE_NAME = "baton.config.json";

const int = (min: number) => z.number().int().min(min).max(2_147_483_647);
const stringMap = z.record(z.string(), z.string());

const entrySchema = z
  .object({
    type: z.enum(["stdio", "http", "streamable-http", "streamableHttp"]).optional(),
    transport: z.enum(["stdio", "http", "streamable-http", "streamableHttp"]).optional(),
    bundled: z.enum(bundledServerNames).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: stringMap.optional(),
    cwd: z.string().min(1).optional(),
    url: z.string().min(1).optional(),
    headers: stringMap.optional(),
    timeoutMs: int(1).optional(),
    startTimeoutMs: int(1).optional(),
    retry: z
      .object({ attempts: int(1).max(20).optional(), delayMs: int(0).optional() })
      .strict()
      .optional(),
    circuit: z
      .object({
        failureThreshold: int(1).optional(),
        resetAfterMs: int(0).optional(),
        successThreshold: int(1).optional(),
      })
      .strict()
      .optional(),
    description: z.string().optional(),
    disabled: z.boolean().optional(),
    /** Only these tools are listed and may be called (a server that cannot restrict itself). */
    tools: z
      .object({ allow: z.array(z.string().min(1)) })
      .strict()
      .optional(),
  })
  .strict();

/** One server as written in the `mcpServers` map. */
export type McpServerEntry = z.input<typeof entrySchema>;

const fileSchema = z.object({
  $schema: z.string().optional(),
  mcpServers: z.record(z.string(), entrySchema),
});

/** The top-level keys a configuration may have: its servers, and an editor's `$schema`. */
const TOP_LEVEL_KEYS = ["mcpServers", "$schema"];

/** Field names other MCP clients (and the course) use, pointed at ours. */
const FIELD_HINTS: Record<string, string> = {
  timeout: "timeoutMs",
  retry_attempts: "retry.attempts",
  retryAttempts: "retry.attempts",
  circuitBreaker: "circuit",
};

export interface ParseOptions {
  /** Names the origin in error messages (a file path, say). */
  source?: string;
  /** Folder that a relative `cwd` is resolved against (the config file's folder). */
  baseDir?: string;
  /** Variables for `${VAR}` expansion; defaults to `process.env`. */
  env?: EnvLookup;
  /** Options for entries of the form `{ "bundled": "weather" }`. */
  bundled?: BundledServerOptions;
}

/** Validates a parsed `{ mcpServers: {...} }` object and fills in defaults. */
export function parseMcpConfig(input: unknown, options: ParseOptions = {}): McpConfig {
  const misnamed = topLevelIssues(input);
  if (misnamed.length > 0) throw new McpConfigError(misnamed, options.source);
  const parsed = fileSchema.safeParse(input);
  if (!parsed.success) throw new McpConfigError(parsed.error.issues.map(formatIssue), options.source);
  const issues: string[] = [];
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, entry] of Object.entries(parsed.data.mcpServers)) {
    if (entry.disabled === true) continue;
    const server = normaliseEntry(name, entry, options, issues);
    if (server !== undefined) servers[name] = server;
  }
  if (issues.length > 0) throw new McpConfigError(issues, options.source);
  return { servers, source: options.source ?? "inline" };
}

/**
 * A configuration is `{ "mcpServers": {...} }`: a missing `mcpServers`, or any other top-level key
 * (`servers`, `mcpserver`, ...), is named, never ignored (ignoring it would run other servers than
 * the ones the file means).
 */
function topLevelIssues(input: unknown): string[] {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return ['(root): expected an object like { "mcpServers": { "name": { "command": "..." } } }'];
  const unknown = Object.keys(input).filter((key) => !TOP_LEVEL_KEYS.includes(key));
  const issues = unknown.map(
    (key) =>
      `${key}: unknown top-level key${resemblesMcpServers(key) ? ' (did you mean "mcpServers"?)' : '; the servers go under "mcpServers"'}`,
  );
  if (!("mcpServers" in input) && !unknown.some(resemblesMcpServers))
    issues.push(
      'no "mcpServers" key: list the servers as "mcpServers": { "name": { "command": "..." } } (without a config file, the bundled servers are used)',
    );
  return issues;
}

/** `servers`, `mcpserver`, `MCPServers`, `mcp_servers`, `mcpServer`, `mcpServres`... */
function resemblesMcpServers(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z]/g, "");
  return k.includes("server") || k.startsWith("mcp") || editDistance(k, "mcpservers") <= 3;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] as number;
}

function normaliseEntry(
  name: string,
  entry: McpServerEntry,
  options: ParseOptions,
  issues: string[],
): McpServerConfig | undefined {
  const at = `mcpServers.${name}`;
  const kinds = [entry.command, entry.url, entry.bundled].filter((v) => v !== undefined).length;
  if (kinds !== 1) {
    issues.push(
      kinds === 0
        ? `${at}: expected "command" (stdio), "url" (Streamable HTTP) or "bundled"`
        : `${at}: give only one of "command", "url" and "bundled"`,
    );
    return undefined;
  }
  const declared = entry.type ?? entry.transport;
  const isHttp = entry.url !== undefined;
  if (declared !== undefined && (declared === "stdio") === isHttp) {
    issues.push(`${at}.type: "${declared}" does not match ${isHttp ? '"url"' : '"command"'}`);
  }
  if (isHttp && (entry.args ?? entry.env ?? entry.cwd) !== undefined) {
    issues.push(`${at}: "args", "env" and "cwd" apply to stdio servers only`);
  }
  if (!isHttp && entry.headers !== undefined)
    issues.push(`${at}.headers: applies to Streamable HTTP servers only`);
  const expand = expander(at, options.env ?? process.env, issues);
  const settings = mergeSettings(entry);
  if (entry.bundled !== undefined) return bundledEntry(entry.bundled, entry, settings, options, expand);
  if (isHttp) return httpEntry(at, entry.url as string, entry, settings, expand, issues);
  const cwd =
    entry.cwd === undefined ? undefined : resolve(options.baseDir ?? process.cwd(), expand("cwd", entry.cwd));
  return {
    transport: "stdio",
    command: expand("command", entry.command as string),
    args: (entry.args ?? []).map((arg, i) => expand(`args[${i}]`, arg)),
    env: expandMap("env", entry.env, expand),
    ...(cwd === undefined ? {} : { cwd }),
    ...settings,
  };
}

type Expand = (field: string, text: string) => string;

function expander(at: string, env: EnvLookup, issues: string[]): Expand {
  return (field, text) =>
    expandEnv(text, env, (variable) =>
      issues.push(`${at}.${field}: environment variable ${variable} is not set`),
    );
}

function expandMap(
  field: string,
  map: Record<string, string> | undefined,
  expand: Expand,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) out[key] = expand(`${field}.${key}`, value);
  return out;
}

function mergeSettings(entry: McpServerEntry): ServerSettings {
  const d = DEFAULT_SERVER_SETTINGS;
  return {
    timeoutMs: entry.timeoutMs ?? d.timeoutMs,
    startTimeoutMs: entry.startTimeoutMs ?? d.startTimeoutMs,
    retry: { ...d.retry, ...stripUndefined(entry.retry ?? {}) },
    circuit: { ...d.circuit, ...stripUndefined(entry.circuit ?? {}) },
    ...(entry.description === undefined ? {} : { description: entry.description }),
    ...(entry.tools === undefined ? {} : { tools: { allow: [...entry.tools.allow] } }),
  };
}

function httpEntry(
  at: string,
  url: string,
  entry: McpServerEntry,
  settings: ServerSettings,
  expand: Expand,
  issues: string[],
): HttpServerConfig {
  const expanded = expand("url", url);
  let valid = false;
  try {
    valid = ["http:", "https:"].includes(new URL(expanded).protocol);
  } catch {
    valid = false;
  }
  if (!valid) issues.push(`${at}.url: expected an http(s) URL, got "${expanded}"`);
  return {
    transport: "http",
    url: expanded,
    headers: expandMap("headers", entry.headers, expand),
    ...settings,
  };
}

/** `{ "bundled": "database", "env": {...} }`: the bundled server with overrides; extra args are appended. */
function bundledEntry(
  which: BundledServerName,
  entry: McpServerEntry,
  settings: ServerSettings,
  options: ParseOptions,
  expand: Expand,
): StdioServerConfig {
  const base = bundledServers(options.bundled).servers[which] as StdioServerConfig;
  const cwd =
    entry.cwd === undefined ? base.cwd : resolve(options.baseDir ?? process.cwd(), expand("cwd", entry.cwd));
  return {
    ...base,
    ...settings,
    description: settings.description ?? base.description,
    args: [...base.args, ...(entry.args ?? []).map((arg, i) => expand(`args[${i}]`, arg))],
    env: { ...base.env, ...expandMap("env", entry.env, expand) },
    ...(cwd === undefined ? {} : { cwd }),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `mcpServers.weather.command: expected string, received number` */
function formatIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((key) => {
        const hint = FIELD_HINTS[key];
        const field = path === "" ? key : `${path}.${key}`;
        return `${field}: unknown field${hint === undefined ? "" : ` (did you mean "${hint}"?)`}`;
      })
      .join("; ");
  }
  const message = issue.message.replace(/^Invalid input: /, "").replace(/^Invalid option: /, "");
  return `${path === "" ? "(root)" : path}: ${message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

export interface LoadOptions extends Omit<ParseOptions, "source" | "baseDir"> {
  /** Folder searched for `baton.config.json` when no path is given; defaults to the process cwd. */
  cwd?: string;
}

/**
 * Reads `path`, or `baton.config.json` in the cwd. No file means the bundled servers; a file must
 * have `mcpServers` (and nothing else but `$schema`). A path given explicitly must exist.
 */
export async function loadMcpConfig(path?: string, options: LoadOptions = {}): Promise<McpConfig> {
  const file = resolve(options.cwd ?? process.cwd(), path ?? CONFIG_FILE_NAME);
  if (path === undefined && !existsSync(file)) return bundledServers(options.bundled);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new McpConfigError([`cannot read the file: ${(error as Error).message}`], file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new McpConfigError([`not valid JSON: ${(error as Error).message}`], file);
  }
  return parseMcpConfig(json, { ...options, source: file, baseDir: dirname(file) });
}
