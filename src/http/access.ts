import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { ApiError } from "./api-types.js";

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}

/**
 * Guards `/api/*`. With a token, every call must carry `Authorization: Bearer <token>` (EventSource
 * cannot set headers, so the live feeds also take `?token=`). Without one, the server listens on loopback
 * only, and requests must name a loopback host too: a web page cannot reach it by DNS rebinding.
 * Either way a browser request from another origin may not change anything (no cross-site POSTs).
 */
export function accessGuard(options: { token?: string }): MiddlewareHandler {
  const expected = options.token ? Buffer.from(options.token) : undefined;
  return async function guard(c, next) {
    const url = new URL(c.req.url);
    const origin = c.req.header("origin");
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && origin && safeHost(origin) !== url.host)
      return deny(c, 403, "FORBIDDEN", `Requests from ${origin} may not change runs here`);
    if (!expected) {
      if (!isLoopbackHost(url.hostname))
        return deny(c, 403, "FORBIDDEN", "This server answers loopback hosts only; start it with a token");
      return next();
    }
    const header = c.req.header("authorization") ?? "";
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const feed = c.req.method === "GET" && /\/events$/.test(url.pathname);
    const given = bearer ?? (feed ? url.searchParams.get("token") : null) ?? undefined;
    if (given === undefined) {
      c.header("WWW-Authenticate", 'Bearer realm="baton"');
      return deny(c, 401, "UNAUTHORIZED", "This server needs a token: send Authorization: Bearer <token>");
    }
    const got = Buffer.from(given);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="baton", error="invalid_token"');
      return deny(c, 401, "UNAUTHORIZED", "The token is wrong");
    }
    return next();
  };
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function deny(
  c: Parameters<MiddlewareHandler>[0],
  status: 401 | 403,
  code: string,
  message: string,
): Response {
  const body: ApiError = { error: { code, message } };
  return c.json(body, status);
}
