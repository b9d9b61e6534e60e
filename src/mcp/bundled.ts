import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEFAULT_SERVER_SETTINGS, type McpConfig, type StdioServerConfig } from "./config-types.js";

export const bundledServerNames = ["weather", "database", "filesystem"] as const;
export type BundledServerName = (typeof bundledServerNames)[number];

export interface BundledServerOptions {
  /** SQLite file of the database server; default `.baton/database.db` under `cwd` (or `BATON_DATABASE_PATH`). */
  databasePath?: string;
  /**
   * Folders the filesystem server may use, with its write tools. Default: the `sample-data/` folder shipped
   * with Baton, read-only (in an installed package it lies inside `node_modules`).
   */
  allowedDirectories?: string[];
  /** Extra environment for every bundled server. Variables named `BATON_*` of this process pass through too. */
  env?: Record<string, string>;
  /** Folder relative paths are resolved against; default the process cwd. */
  cwd?: string;
}

const here = fileURLToPath(import.meta.url);
// Running from `src/*.ts` (vitest, tsx) or from the built `dist/*.js`: the servers sit beside us either way.
const fromSource = here.endsWith(".ts");
const localRequire = createRequire(import.meta.url);

/** The `sample-data/` folder that ships with the package (the filesystem server's default root). */
export const SAMPLE_DATA_DIR = fileURLToPath(new URL("../../sample-data", import.meta.url));

/**
 * The official filesystem server's tools that only read. It has no read-only switch, so the default
 * configuration exposes just these (`tools.allow`, enforced by the manager).
 */
export const FILESYSTEM_READ_TOOLS: readonly string[] = Object.freeze([
  "read_file",
  "read_text_file",
  "read_media_file",
  "read_multiple_files",
  "list_directory",
  "list_directory_with_sizes",
  "directory_tree",
  "search_files",
  "get_file_info",
  "list_allowed_directories",
]);

/** Node arguments that run one of our bundled server entry points, from source or from the build. */
export function bundledServerArgs(name: Exclude<BundledServerName, "filesystem">): string[] {
  const file = fileURLToPath(
    new URL(`../servers/${name}/main${fromSource ? ".ts" : ".js"}`, import.meta.url),
  );
  if (!fromSource) return [file];
  // `--import tsx` keeps the server in this one process (the tsx CLI would add a wrapper process).
  return ["--import", pathToFileURL(localRequire.resolve("tsx")).href, file];
}

/** The official filesystem server's entry script, run with this Node binary (no npx, no network). */
export function filesystemServerScript(): string {
  return localRequire.resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
}

/** The default configuration: weather, database and filesystem over stdio, run with this Node binary. */
export function bundledServers(options: BundledServerOptions = {}): McpConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = { ...passThroughEnv(), ...options.env };
  const databasePath = resolve(
    cwd,
    options.databasePath ?? process.env.BATON_DATABASE_PATH ?? ".baton/database.db",
  );
  // The user's own folders may be written; the shipped sample data only read.
  const readOnly = options.allowedDirectories === undefined;
  const roots = (options.allowedDirectories ?? [SAMPLE_DATA_DIR]).map((dir) => resolve(cwd, dir));
  const server = (description: string, args: string[]): StdioServerConfig => ({
    transport: "stdio",
    command: process.execPath,
    args,
    env: { ...env },
    cwd,
    description,
    ...structuredClone(DEFAULT_SERVER_SETTINGS),
  });
  return {
    source: "bundled",
    servers: {
      weather: server("Current weather and forecasts (offline dataset)", bundledServerArgs("weather")),
      database: server("SQLite tables for the shipped workflows", [
        ...bundledServerArgs("database"),
        "--db",
        databasePath,
      ]),
      filesystem: {
        ...server(
          readOnly
            ? "Baton's sample data, read-only (official MCP filesystem server)"
            : "Files in the allowed folders (official MCP filesystem server)",
          [filesystemServerScript(), ...roots],
        ),
        ...(readOnly ? { tools: { allow: [...FILESYSTEM_READ_TOOLS] } } : {}),
      },
    },
  };
}

function passThroughEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("BATON_") && value !== undefined) out[key] = value;
  }
  return out;
}
