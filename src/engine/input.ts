import { BatonError } from "../errors.js";
import type { StateDefinition } from "../graph/state.js";
import type { Write } from "./writes.js";

/** Check run input against the state's keys and schema before anything is stored. */
export function validateInput(definition: StateDefinition, given: unknown): Write[] {
  let input: object = {};
  if (given !== undefined && given !== null) {
    if (typeof given !== "object" || Array.isArray(given)) {
      throw new BatonError(
        "INPUT_INVALID",
        `Run input must be an object of state keys, got ${Array.isArray(given) ? "an array" : typeof given}`,
      );
    }
    input = given;
  }
  const unknown = Object.keys(input).filter((k) => !Object.hasOwn(definition.channels, k));
  if (unknown.length > 0) {
    const keys = Object.keys(definition.channels).join(", ");
    throw new BatonError(
      "INPUT_INVALID",
      `Run input has unknown key(s) ${unknown.map((k) => `"${k}"`).join(", ")}; the state has ${keys}`,
    );
  }
  if (definition.schema) {
    const parsed = definition.schema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`)
        .join("; ");
      throw new BatonError("INPUT_INVALID", `Run input is invalid: ${issues}`);
    }
    input = parsed.data as object;
  }
  return Object.entries(input as Record<string, unknown>).filter(([, v]) => v !== undefined);
}
