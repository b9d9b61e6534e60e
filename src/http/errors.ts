import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { BatonError } from "../errors.js";
import type { ApiError } from "./api-types.js";

/** A request that cannot be served as asked: a status, a stable code and one clear sentence. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly field?: string;
  constructor(status: ContentfulStatusCode, code: string, message: string, field?: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    if (field !== undefined) this.field = field;
  }
}

export const notFound = (message: string) => new HttpError(404, "NOT_FOUND", message);
export const badRequest = (message: string, field?: string) =>
  new HttpError(400, "BAD_REQUEST", message, field);
export const conflict = (message: string) => new HttpError(409, "CONFLICT", message);

/** Engine errors a caller can fix are 4xx; anything else is ours (500, logged). */
const ENGINE_STATUS: Partial<Record<string, ContentfulStatusCode>> = {
  RUN_NOT_FOUND: 404,
  INPUT_INVALID: 400,
  UPDATE_INVALID: 400,
  RUN_STATE: 409,
  RUN_BUSY: 409,
  RUN_CONFLICT: 409,
  GRAPH_CHANGED: 409,
  SCHEDULE_INVALID: 400,
  SCHEDULE_NOT_FOUND: 404,
  SCHEDULE_EXISTS: 409,
};

export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof HttpError) return c.json(body(error.code, error.message, error.field), error.status);
  if (error instanceof BatonError && ENGINE_STATUS[error.code])
    return c.json(body(error.code, error.message), ENGINE_STATUS[error.code]!);
  console.error("baton serve: request failed:", error);
  const message = error instanceof Error ? error.message : String(error);
  return c.json(body("INTERNAL", `Internal error: ${message}`), 500);
}

function body(code: string, message: string, field?: string): ApiError {
  return { error: { code, message, ...(field !== undefined ? { field } : {}) } };
}
