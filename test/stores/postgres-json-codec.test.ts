import fc from "fast-check";
import { expect, it } from "vitest";
import { fromJsonText, toJsonText } from "../../src/stores/postgres/json-codec.js";

// Strings drawn mostly from the characters the codec treats specially.
const tricky = fc.string({ unit: fc.constantFrom("\u0000", "\uE000", "0", "\\", "u", "a", "é") });
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    tricky,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(tricky, tie("value"), { maxKeys: 4 }),
  ),
})).value;

it("gives back what JSON would, for any value, with no U+0000 left for JSONB to reject", () => {
  fc.assert(
    fc.property(json, (value) => {
      const text = toJsonText(value)!;
      // A \u0000 escape JSONB rejects: one not itself escaped (an even run of backslashes before it);
      // the text "\\u0000" of a string holding a backslash is fine.
      expect(/(?<!\\)(?:\\\\)*\\u0000/.test(text)).toBe(false);
      expect(fromJsonText(text)).toEqual(JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 2000 },
  );
});

it("stores ordinary values exactly as JSON.stringify writes them", () => {
  const value = { city: "London", temp: 15, tags: ["a", "b"], nested: { ok: true } };
  expect(toJsonText(value)).toBe(JSON.stringify(value));
  expect(toJsonText(undefined)).toBeNull();
  expect(fromJsonText(null)).toBeUndefined();
  expect(fromJsonText("null")).toBeNull();
});

it("keeps a __proto__ key as a key when the value needs escaping", () => {
  const value = JSON.parse('{"__proto__": {"x": "a\\u0000"}, "y": "\\u0000"}');
  const back = fromJsonText<Record<string, unknown>>(toJsonText(value))!;
  expect(Object.keys(back)).toEqual(["__proto__", "y"]);
  expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  expect(JSON.stringify(back)).toBe(JSON.stringify(value));
});
