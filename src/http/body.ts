import type { Context } from "hono";
import type { z } from "zod";
import { badRequest, HttpError } from "./errors.js";

/** Bodies larger than this are refused with 413 before they are read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Parse and validate a JSON body; an empty body counts as `{}` so `POST …/cancel` needs none. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== "") {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/json\b/i.test(type))
      throw new HttpError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Send the body as JSON (Content-Type: application/json)",
      );
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badRequest(`The body is not valid JSON: ${(error as Error).message}`);
    }
  }
  return validate(schema, value, "body");
}

/** Validate the query string (each parameter once). */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return validate(schema, c.req.query(), "query");
}

function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // A query parameter is one field, whatever the schema made of it (status=a,b is a list inside).
  const path = (where === "query" ? issue.path.slice(0, 1) : issue.path).map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const field = path ? `${path}.${key}` : key;
    throw badRequest(`Unknown ${where} field "${field}"`, field);
  }
  if (!path) throw badRequest(`The ${where} is invalid: ${issue.message}`);
  throw badRequest(`Invalid ${where} field "${path}": ${issue.message}`, path);
}
