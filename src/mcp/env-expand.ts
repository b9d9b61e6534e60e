/**
 * `${VAR}` and `${VAR:-default}` in config strings, as Claude Code and VS Code configs allow, so secrets
 * (tokens in headers, keys in env) stay out of the file. `$${` escapes a literal `${`.
 */
const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type EnvLookup = Readonly<Record<string, string | undefined>>;

/** Expands variables in `text`; calls `missing` for each variable that is unset and has no default. */
export function expandEnv(text: string, env: EnvLookup, missing: (name: string) => void): string {
  return text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    const value = env[name as string];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    missing(name as string);
    return "";
  });
}
