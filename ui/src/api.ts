/** The dashboard's HTTP client: JSON calls with the token, and live feeds over EventSource. */
import type { ApiError as ApiErrorBody } from "../../src/http/api-types.js";

const TOKEN_KEY = "baton.token";

/** A `?token=` in the address is taken once, kept for the tab, and removed from the address bar. */
export function adoptTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete("token");
  window.history.replaceState(window.history.state, "", url);
}

export const getToken = () => sessionStorage.getItem(TOKEN_KEY) ?? undefined;
export const setToken = (token: string) => sessionStorage.setItem(TOKEN_KEY, token);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Fired when the server wants a token we do not have (or ours is wrong). */
export const UNAUTHORIZED = "baton:unauthorized";

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const token = getToken();
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED));
    const error = (data as ApiErrorBody | undefined)?.error;
    throw new ApiError(
      res.status,
      error?.code ?? "HTTP",
      error?.message ?? `HTTP ${res.status}`,
      error?.field,
    );
  }
  return data as T;
}

export const post = <T>(path: string, body: unknown = {}) => api<T>(path, { method: "POST", body });

/** EventSource cannot send headers: the feeds take the token in the query. */
export function feedUrl(path: string): string {
  const token = getToken();
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}
