import { type ZodType, z } from "zod";
import { BatonError } from "../errors.js";

/**
 * The JSON Schema stored with an interrupt's question, so any process can check an answer before
 * it changes the run; undefined when the node gave no schema or zod cannot express it as JSON Schema
 * (the node still checks its answer itself).
 */
export function interruptSchema(schema: unknown): unknown {
  if (!schema) return undefined;
  try {
    return z.toJSONSchema(schema as ZodType, { io: "input", unrepresentable: "throw" });
  } catch {
    return undefined;
  }
}

/** Parse an answer with the node's own schema; an invalid answer is an `INPUT_INVALID` error. */
export function checkAnswer<T>(schema: ZodType<T>, answer: unknown, node: string): T {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  throw answerError(node, parsed.error);
}

/** Check an answer against a stored JSON Schema (see `interruptSchema`). */
export function checkStoredAnswer(jsonSchema: unknown, answer: unknown, node: string, runId: string): void {
  checkStoredPayload(jsonSchema, answer, `The answer to node "${node}"`, runId, node);
}

/** Check a value against a stored JSON Schema; `what` names it in the error ("The answer to …"). */
export function checkStoredPayload(
  jsonSchema: unknown,
  value: unknown,
  what: string,
  runId: string,
  node?: string,
): void {
  let schema: ZodType;
  try {
    schema = z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return; // a schema this zod cannot read back: the node checks the value when it runs
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(what, parsed.error, runId, node);
}

function answerError(node: string, error: z.ZodError, runId?: string): BatonError {
  return invalid(`The answer to node "${node}"`, error, runId, node);
}

/** `what` is invalid, saying where: an `INPUT_INVALID` error listing each problem by its path. */
export function invalid(what: string, error: z.ZodError, runId?: string, node?: string): BatonError {
  const problems = error.issues
    .map((i) => `${i.path.length ? i.path.join(".") : "(the value)"}: ${i.message}`)
    .join("; ");
  return new BatonError("INPUT_INVALID", `${what} is invalid: ${problems}`, {
    ...(node ? { node } : {}),
    ...(runId ? { runId } : {}),
  });
}
