import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BatonError } from "../../src/errors.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { append, defineState, END, START, StateGraph, value } from "../graph/core.js";
import { collect } from "./helpers.js";

const schema = z.object({
  city: z.string().trim().min(1).optional(),
  days: z.number().int().positive().optional(),
});
const State = defineState({ city: value(""), days: value(1), log: append<string>() }, { schema });

function graph() {
  const store = new MemoryStore();
  let calls = 0;
  const compiled = new StateGraph(State)
    .addNode("look", (s) => {
      calls++;
      return { log: `${s.city}/${s.days}` };
    })
    .addEdge(START, "look")
    .addEdge("look", END)
    .compile({ store });
  return { compiled, store, calls: () => calls };
}

/** The input must be refused before anything runs or is stored. */
async function expectRefused(input: unknown, message: string | RegExp) {
  const { compiled, store, calls } = graph();
  const error = await compiled.invoke(input as never).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BatonError);
  expect((error as BatonError).code).toBe("INPUT_INVALID");
  expect((error as BatonError).message).toMatch(message);
  await expect(compiled.run(input as never, { runId: "r1" })).rejects.toThrow(message);
  await expect(collect(compiled.stream(input as never))).rejects.toThrow(message);
  expect(calls()).toBe(0);
  expect(await store.listRuns()).toEqual([]);
  expect(await store.getRun("r1")).toBeUndefined();
}

describe("run input", () => {
  it("is refused with an unknown key, naming the key and the state's keys", async () => {
    await expectRefused(
      { city: "Oslo", town: "x" },
      'Run input has unknown key(s) "town"; the state has city, days, log',
    );
  });

  it("is refused when the schema rejects it, naming the path and the problem", async () => {
    await expectRefused({ days: -2 }, /^Run input is invalid: days: /);
    await expectRefused({ city: "   " }, /^Run input is invalid: city: /);
  });

  it("is refused when it is not an object", async () => {
    await expectRefused([1, 2], "Run input must be an object of state keys, got an array");
    await expectRefused("London", "Run input must be an object of state keys, got string");
  });

  it("is validated without a store as well", async () => {
    let called = false;
    const compiled = new StateGraph(State)
      .addNode("look", () => {
        called = true;
      })
      .addEdge(START, "look")
      .addEdge("look", END)
      .compile({ store: false });
    await expect(compiled.invoke({ days: 0 })).rejects.toThrow(/Run input is invalid: days/);
    expect(called).toBe(false);
  });

  it("is what the schema returns when valid (parsed values), and is stored with the run", async () => {
    const { compiled, store } = graph();
    const result = await compiled.run({ city: "  Tokyo ", days: 3 }, { runId: "ok" });
    expect(result.state.log).toEqual(["Tokyo/3"]);
    expect((await store.getRun("ok"))?.input).toEqual({ city: "  Tokyo ", days: 3 });
  });

  it("may be empty or undefined", async () => {
    const { compiled } = graph();
    expect((await compiled.invoke({})).log).toEqual(["/1"]);
    expect((await compiled.invoke(undefined as never)).log).toEqual(["/1"]);
  });
});
