import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** The dashboard's own rules: scripts and styles from this server only, no framing. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/** `dist/ui` of the package this file belongs to (from `src/http` or `dist/http` alike). */
export function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(dir, "dist", "ui");
}

/**
 * Serves the built dashboard: files under `dir`, and `index.html` for any other path without an
 * extension (the front end routes `/runs/<id>` itself). Hashed assets are cached for good.
 */
export function serveUi(dir: string): (c: Context) => Response {
  const root = resolve(dir);
  return (c) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return c.text("Bad request", 400);
    }
    const file = resolve(root, `.${path}`);
    if (file !== root && !file.startsWith(root + sep)) return c.text("Not found", 404);
    if (isFile(file)) return send(c, file, path.startsWith("/assets/"));
    if (extname(path)) return c.text("Not found", 404);
    const index = join(root, "index.html");
    if (!isFile(index))
      return c.html(
        `<!doctype html><title>Baton</title><p>The dashboard is not built. Run <code>npm run build</code>; the API is at <a href="/api/runs">/api/runs</a>.</p>`,
        503,
      );
    return send(c, index, false);
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function send(c: Context, file: string, immutable: boolean): Response {
  c.header("Content-Type", TYPES[extname(file)] ?? "application/octet-stream");
  c.header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  c.header("X-Content-Type-Options", "nosniff");
  if (file.endsWith(".html")) c.header("Content-Security-Policy", CSP);
  if (c.req.method === "HEAD") return c.body(null);
  return c.body(new Uint8Array(readFileSync(file)));
}
