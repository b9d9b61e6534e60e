import { z } from "zod";
import { excerpt } from "./excerpt.js";

/**
 * A zod object that refuses keys it does not declare, instead of dropping them: a misspelt argument
 * (`unit` for `units`, `filter` for `where`) must fail, not be silently ignored. It is listed with
 * `additionalProperties: false`, and the error names each unknown key (shortened) and the known ones.
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const names = issue.keys.map(excerpt).join(", ");
      const expected = known.length === 0 ? "it takes no arguments" : `expected: ${known.join(", ")}`;
      return `Unknown argument${issue.keys.length === 1 ? "" : "s"} ${names}; ${expected}`;
    },
  });
}
