import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledServers, McpManager, ToolError } from "../../src/mcp/index.js";
import { MAX_STRING_LENGTH } from "../../src/servers/shared/limits.js";
import { PidTracker, tempDir } from "../mcp/helpers.js";

// The bundled weather and database servers as real stdio processes: what a misspelt, oversized or
// over-broad argument does to them.
const pids = new PidTracker();
const dir = tempDir("strict");
let mcp: McpManager;

beforeAll(async () => {
  const { servers } = bundledServers({ databasePath: `${dir.path}/database.db` });
  mcp = new McpManager(
    { source: "test", servers: { weather: servers.weather, database: servers.database } },
    { healthIntervalMs: 0, onEvent: (e) => e.type === "server_started" && pids.add(e.pid) },
  );
  expect((await mcp.start()).every((r) => r.ok)).toBe(true);
});

afterAll(async () => {
  await mcp.close();
  dir.remove();
  expect(pids.alive()).toEqual([]);
});

type Rows = { rows: Array<Record<string, unknown>>; count: number };
const call = <T = Record<string, unknown>>(server: string, tool: string, args: Record<string, unknown>) =>
  mcp.callTool<T>(server, tool, args);
const failure = async (promise: Promise<unknown>): Promise<ToolError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
};

/** A valid call of every tool; each must still work, and fail once an unknown argument is added. */
const VALID: Array<[string, string, Record<string, unknown>]> = [
  ["weather", "get_current_weather", { city: "London" }],
  ["weather", "get_weather_forecast", { city: "London", days: 2 }],
  ["database", "query", { table: "products", limit: 1 }],
  ["database", "insert", { table: "analytics", data: { metric: "strict", value: 1, period: "2024-08" } }],
  ["database", "update", { table: "analytics", where: { metric: "strict" }, data: { value: 2 } }],
  ["database", "delete", { table: "analytics", where: { metric: "strict" } }],
  ["database", "list_tables", {}],
  ["database", "describe", { table: "customers" }],
];

describe("unknown arguments", () => {
  it("every tool of the weather and database servers refuses one, naming it and the known ones", async () => {
    const listed = [...(await mcp.listTools("weather")), ...(await mcp.listTools("database"))];
    expect(VALID.map(([, tool]) => tool).sort()).toEqual(listed.map((t) => t.name).sort());
    for (const [server, tool, args] of VALID) {
      const error = await failure(call(server, tool, { ...args, bogus_arg: 1 }));
      expect(error.message, tool).toMatch(/Unknown argument "bogus_arg"; (expected: |it takes no arguments)/);
      await expect(call(server, tool, args), tool).resolves.toBeTruthy();
    }
  });

  it("the misspellings from the issue fail instead of being ignored", async () => {
    expect(
      (await failure(call("weather", "get_current_weather", { city: "London", unit: "fahrenheit" }))).message,
    ).toContain('Unknown argument "unit"; expected: city, units');
    expect(
      (await failure(call("weather", "get_weather_forecast", { city: "London", day: 7 }))).message,
    ).toContain('Unknown argument "day"; expected: city, days, units');
    expect(
      (await failure(call("database", "query", { table: "customers", filter: { id: 1 } }))).message,
    ).toContain('Unknown argument "filter"; expected: table, where,');
    // Nested objects are strict too.
    const nested = await failure(
      call("database", "query", { table: "customers", where: { id: { op: "eq", value: 1, vlaue: 2 } } }),
    );
    expect(nested.message).toMatch(/Unknown argument "vlaue"; expected: op, value at where\.id/);
  });
});

describe("sizes", () => {
  it(`string values longer than ${MAX_STRING_LENGTH} characters are refused; errors quote only a prefix`, async () => {
    const huge = await failure(
      call("database", "insert", {
        table: "users",
        data: { username: "z".repeat(5_000_000), email: "z@x.io" },
      }),
    );
    expect(huge.message).toMatch(/must be at most 65536 characters at data\.username/);
    expect(huge.message.length).toBeLessThan(300);
    expect(
      (await call<Rows>("database", "query", { table: "users", where: { email: "z@x.io" } })).count,
    ).toBe(0);
    const atLimit = "n".repeat(MAX_STRING_LENGTH);
    await expect(
      call("database", "insert", { table: "analytics", data: { metric: atLimit, value: 0, period: "x" } }),
    ).resolves.toMatchObject({ row: { metric: atLimit } });

    const city = await failure(call("weather", "get_current_weather", { city: "x".repeat(8_000_000) }));
    expect(city.message.length).toBeLessThan(300);
    // Within the limit but unknown: the error quotes 80 characters and says how long the input was.
    const unknown = await failure(call("weather", "get_current_weather", { city: "y".repeat(60_000) }));
    expect(unknown.message).toContain(`Unknown city "${"y".repeat(80)}…" (60000 characters)`);
    expect(unknown.message).not.toContain("y".repeat(81));
    for (const args of [
      { table: "t".repeat(50_000) },
      { table: "customers", columns: ["c".repeat(50_000)] },
      { table: "customers", where: { ["k".repeat(50_000)]: 1 } },
      { table: "customers", orderBy: `${"o".repeat(50_000)} sideways` },
    ]) {
      const error = await failure(call("database", "query", args));
      expect(error.message.length, JSON.stringify(args).slice(0, 60)).toBeLessThan(400);
      expect(error.message).toContain("…");
    }
  });
});

describe("updates and deletes that would touch every row", () => {
  it("need allowAll: true, however the filter is written; a targeted write does not", async () => {
    for (let i = 0; i < 3; i++)
      await call("database", "insert", {
        table: "notifications",
        data: { recipient: `r${i}@x.io`, message: "m" },
      });
    const before = await call<Rows>("database", "query", { table: "notifications", limit: 1000 });
    const everything = [
      { id: { op: "gte", value: 0 } },
      { recipient: { op: "like", value: "%" } },
      { id: { op: "not_null" } },
    ];
    for (const where of everything) {
      for (const [tool, extra] of [
        ["delete", {}],
        ["update", { data: { status: "read" } }],
      ] as const) {
        const error = await failure(call("database", tool, { table: "notifications", where, ...extra }));
        expect(error.message).toContain(
          `${tool}: the filter matches all ${before.count} rows of "notifications"; narrow it, or pass "allowAll": true`,
        );
      }
    }
    await failure(call("database", "delete", { table: "notifications" }));
    expect(await call<Rows>("database", "query", { table: "notifications", limit: 1000 })).toEqual(before);

    const some = await call<{ changes: number }>("database", "update", {
      table: "notifications",
      where: { recipient: { op: "like", value: "r%" } },
      data: { subject: "s" },
    });
    expect(some.changes).toBe(3);
    const all = await call<{ changes: number }>("database", "update", {
      table: "notifications",
      where: { id: { op: "gte", value: 0 } },
      data: { subject: "all" },
      allowAll: true,
    });
    expect(all.changes).toBe(before.count);
    const cleared = await call<{ changes: number }>("database", "delete", {
      table: "notifications",
      allowAll: true,
    });
    expect(cleared.changes).toBe(before.count);

    // The only row left, deleted by id (a saga undoing its one insert): a targeted write, allowed.
    const only = await call<{ id: number }>("database", "insert", {
      table: "notifications",
      data: { recipient: "last@x.io", message: "m" },
    });
    await expect(call("database", "delete", { table: "notifications", id: only.id })).resolves.toMatchObject({
      changes: 1,
    });
  });
});

describe("idempotent replay", () => {
  it("does not depend on the order of the arguments' keys, nested ones included", async () => {
    const key = { idempotencyKey: "run-7:create_account:1" };
    const first = await mcp.callTool<{ id: number }>(
      "database",
      "insert",
      { table: "users", data: { username: "kim", email: "kim@example.com", full_name: "Kim" } },
      key,
    );
    const reordered = await mcp.callTool<{ id: number; replayed?: boolean }>(
      "database",
      "insert",
      { data: { full_name: "Kim", email: "kim@example.com", username: "kim" }, table: "users" },
      key,
    );
    expect(reordered).toMatchObject({ id: first.id, replayed: true });
    expect(
      (await call<Rows>("database", "query", { table: "users", where: { username: "kim" } })).count,
    ).toBe(1);
  });

  it("refuses an idempotency key that is not a non-empty string, and writes nothing", async () => {
    for (const bad of [42, "", { k: 1 }, null]) {
      const error = await failure(
        mcp.callTool(
          "database",
          "insert",
          { table: "users", data: { username: "bad-key", email: "bad-key@example.com" } },
          { meta: { "baton/idempotencyKey": bad } },
        ),
      );
      expect(error.message, JSON.stringify(bad)).toMatch(
        /_meta\["baton\/idempotencyKey"\] must be a non-empty string, got (number|an empty string|object|null)$/,
      );
    }
    expect(
      (await call<Rows>("database", "query", { table: "users", where: { username: "bad-key" } })).count,
    ).toBe(0);
  });
});
