/**
 * A form from the JSON Schema an interrupt stored for its answer: one field per property of an
 * object schema (checkbox, text, number, choice; anything else as JSON). A boolean property that
 * decides (`approved`, or the only required boolean) becomes the Approve and Reject buttons.
 */
export type FieldKind = "boolean" | "string" | "number" | "integer" | "enum" | "json";

export interface Field {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description?: string;
  readonly options?: readonly string[];
  readonly maxLength?: number;
}

export interface FormPlan {
  readonly fields: readonly Field[];
  /** The boolean property Approve sets true and Reject false. */
  readonly decision?: string;
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

export function planForm(schema: unknown): FormPlan | undefined {
  if (!isSchema(schema) || schema.type !== "object" || !isSchema(schema.properties)) return undefined;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields = Object.entries(schema.properties).map(([name, p]) => fieldOf(name, p, required.has(name)));
  const booleans = fields.filter((f) => f.kind === "boolean");
  const named = booleans.find((f) => /^(approved?|accept(ed)?|ok)$/i.test(f.name));
  const decision =
    named ?? (booleans.filter((f) => f.required).length === 1 ? booleans.find((f) => f.required) : undefined);
  return { fields, ...(decision ? { decision: decision.name } : {}) };
}

function fieldOf(name: string, p: unknown, required: boolean): Field {
  const s = isSchema(p) ? p : {};
  const base = {
    name,
    required,
    ...(typeof s.description === "string" ? { description: s.description } : {}),
  };
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string"))
    return { ...base, kind: "enum", options: s.enum as string[] };
  if (s.type === "boolean") return { ...base, kind: "boolean" };
  if (s.type === "string")
    return {
      ...base,
      kind: "string",
      ...(typeof s.maxLength === "number" ? { maxLength: s.maxLength } : {}),
    };
  if (s.type === "number" || s.type === "integer") return { ...base, kind: s.type };
  return { ...base, kind: "json" };
}

export type FormValues = Record<string, string | boolean>;

/** The answer the form stands for, or the field at fault. Empty optional fields are left out. */
export function answerOf(
  plan: FormPlan,
  values: FormValues,
  decision?: boolean,
): { value: Record<string, unknown> } | { field: string; message: string } {
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) {
    if (f.name === plan.decision && decision !== undefined) {
      out[f.name] = decision;
      continue;
    }
    const raw = values[f.name];
    if (f.kind === "boolean") {
      if (raw !== undefined || f.required) out[f.name] = raw === true;
      continue;
    }
    const text = typeof raw === "string" ? raw.trim() : "";
    if (text === "") {
      if (f.required) return { field: f.name, message: `${f.name} is required` };
      continue;
    }
    if (f.kind === "number" || f.kind === "integer") {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.kind === "integer" && !Number.isInteger(n)))
        return {
          field: f.name,
          message: `${f.name} must be ${f.kind === "integer" ? "a whole number" : "a number"}`,
        };
      out[f.name] = n;
    } else if (f.kind === "json") {
      try {
        out[f.name] = JSON.parse(text);
      } catch (e) {
        return { field: f.name, message: `${f.name} is not JSON: ${(e as Error).message}` };
      }
    } else out[f.name] = text;
  }
  return { value: out };
}
