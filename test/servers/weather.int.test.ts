import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledServers, McpManager, ToolError } from "../../src/mcp/index.js";
import { PidTracker } from "../mcp/helpers.js";

const pids = new PidTracker();
let mcp: McpManager;

beforeAll(async () => {
  const { servers } = bundledServers();
  mcp = new McpManager(
    { source: "test", servers: { weather: servers.weather } },
    { healthIntervalMs: 0, onEvent: (e) => e.type === "server_started" && pids.add(e.pid) },
  );
  await mcp.start();
});

afterAll(async () => {
  await mcp.close();
  expect(pids.alive()).toEqual([]);
});

const weather = <T = Record<string, unknown>>(tool: string, args: Record<string, unknown>) =>
  mcp.callTool<T>("weather", tool, args);

describe("weather server (real process)", () => {
  it("get_current_weather: the tutorial's cities, Paris, any case, both units", async () => {
    await expect(weather("get_current_weather", { city: "london" })).resolves.toMatchObject({
      city: "London",
      temperature: 15,
      condition: "cloudy",
      humidity: 75,
      units: "celsius",
    });
    await expect(
      weather("get_current_weather", { city: "NEW YORK", units: "fahrenheit" }),
    ).resolves.toMatchObject({
      city: "New York",
      temperature: 71.6,
      condition: "sunny",
      humidity: 60,
      units: "fahrenheit",
    });
    const paris = await weather<{ timestamp: string }>("get_current_weather", { city: "Paris" });
    expect(paris).toMatchObject({ city: "Paris", source: "offline" });
    expect(Date.parse(paris.timestamp)).not.toBeNaN();
  });

  it("get_weather_forecast: 1 to 7 days, deterministic", async () => {
    const week = await weather<{ days: Array<{ date: string; high: number; low: number }> }>(
      "get_weather_forecast",
      {
        city: "sydney",
        days: 7,
      },
    );
    expect(week.days).toHaveLength(7);
    expect(week.days[0]).toEqual({
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      high: expect.any(Number),
      low: expect.any(Number),
      condition: "clear",
      precipitationChance: expect.any(Number),
    });
    const again = await weather<typeof week>("get_weather_forecast", { city: "Sydney", days: 1 });
    expect(again.days[0]).toEqual(week.days[0]);
    const defaulted = await weather<typeof week>("get_weather_forecast", { city: "Tokyo" });
    expect(defaulted.days).toHaveLength(3);
  });

  it("an unknown city or days out of range is an error result", async () => {
    const unknown = await weather("get_current_weather", { city: "Atlantis" }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ToolError);
    expect(unknown).toMatchObject({ server: "weather", tool: "get_current_weather" });
    expect((unknown as Error).message).toMatch(/Unknown city "Atlantis"/);
    for (const days of [0, 8, 2.5]) {
      await expect(weather("get_weather_forecast", { city: "Paris", days })).rejects.toThrow(/days must be/);
    }
    await expect(weather("get_current_weather", { city: "Paris", units: "kelvin" })).rejects.toBeInstanceOf(
      ToolError,
    );
  });
});
