import { describe, expect, it } from "vitest";
import { z } from "zod";
import { initialState } from "../../src/graph/state.js";
import { append, defineState, reduce, value } from "./core.js";

describe("channels", () => {
  it("value: last value wins, with or without a default", () => {
    const withDefault = value(3);
    expect(withDefault.kind).toBe("value");
    expect(withDefault.initial()).toBe(3);
    expect(withDefault.reduce(3, 7)).toBe(7);
    expect(value<string>().initial()).toBeUndefined();
  });

  it("append: adds one item or a list of items", () => {
    const list = append<number>();
    expect(list.kind).toBe("append");
    expect(list.initial()).toEqual([]);
    expect(list.reduce(list.reduce([1], 2), [3, 4])).toEqual([1, 2, 3, 4]);
  });

  it("reduce: folds with the given reducer from its default", () => {
    const sum = reduce((a: number, b: number) => a + b, 10);
    expect(sum.kind).toBe("reduce");
    expect(sum.reduce(sum.initial(), 5)).toBe(15);
  });

  it("copies literal object defaults so runs never share them", () => {
    const State = defineState({
      tags: value({ list: [] as string[] }),
      seen: reduce((a: string[]) => a, []),
    });
    const one = initialState(State);
    const two = initialState(State);
    one.tags.list.push("x");
    one.seen.push("y");
    expect(two.tags.list).toEqual([]);
    expect(two.seen).toEqual([]);
  });

  it("calls function defaults once per run", () => {
    let calls = 0;
    const State = defineState({ id: value(() => ++calls) });
    expect(initialState(State).id).toBe(1);
    expect(initialState(State).id).toBe(2);
  });

  it("keeps an optional schema beside the channels", () => {
    const schema = z.object({ n: z.number().optional() });
    expect(defineState({ n: value(0) }, { schema }).schema).toBe(schema);
    expect(defineState({ n: value(0) }).schema).toBeUndefined();
  });
});
