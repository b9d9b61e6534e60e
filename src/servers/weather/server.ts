import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { boundedString } from "../shared/limits.js";
import { ok } from "../shared/results.js";
import { strictObject } from "../shared/strict.js";
import { envMs, handled, ToolInputError } from "../shared/tool-kit.js";
import { CONDITIONS } from "./cities.js";
import { OfflineWeather } from "./offline.js";
import { OpenMeteoWeather } from "./open-meteo.js";
import { type Units, UnknownCityError, type WeatherProvider } from "./provider.js";

export interface WeatherServerOptions {
  /** Default: offline, or Open-Meteo when `BATON_WEATHER_PROVIDER=open-meteo`. */
  provider?: WeatherProvider;
  /** Delay before each answer (tests of timeouts and cancellation); default `BATON_WEATHER_DELAY_MS`. */
  delayMs?: number;
}

const units = z.enum(["celsius", "fahrenheit"]).default("celsius").describe("Temperature units");
const city = boundedString()
  .trim()
  .min(1, "city must not be empty")
  .describe('City name, e.g. "London" or "new york"');
const condition = z.enum(CONDITIONS);
const source = z.enum(["offline", "open-meteo"]);

const currentOutput = {
  city: z.string(),
  country: z.string(),
  temperature: z.number(),
  condition,
  humidity: z.number(),
  units: z.enum(["celsius", "fahrenheit"]),
  timestamp: z.string(),
  source,
};

const forecastOutput = {
  city: z.string(),
  country: z.string(),
  units: z.enum(["celsius", "fahrenheit"]),
  days: z.array(
    z.object({
      date: z.string(),
      high: z.number(),
      low: z.number(),
      condition,
      precipitationChance: z.number(),
    }),
  ),
  source,
};

export function defaultWeatherProvider(): WeatherProvider {
  const offline = new OfflineWeather();
  return process.env.BATON_WEATHER_PROVIDER === "open-meteo"
    ? new OpenMeteoWeather({ fallback: offline })
    : offline;
}

/** The weather MCP server, ready to connect to any transport (stdio in `main.ts`, HTTP in tests). */
export function createWeatherServer(options: WeatherServerOptions = {}): McpServer {
  const provider = options.provider ?? defaultWeatherProvider();
  const delayMs = options.delayMs ?? envMs("BATON_WEATHER_DELAY_MS");
  const server = new McpServer({ name: "baton-weather", version: "0.1.0" });
  const annotations = { readOnlyHint: true, idempotentHint: true, openWorldHint: false };

  server.registerTool(
    "get_current_weather",
    {
      title: "Current weather",
      description: "Current temperature, condition and humidity for a city (case-insensitive name).",
      inputSchema: strictObject({ city, units }),
      outputSchema: currentOutput,
      annotations,
    },
    handled("weather", "get_current_weather", delayMs, async (args: { city: string; units: Units }) =>
      ok({ ...(await cityOrError(() => provider.current(args.city, args.units))) }),
    ),
  );

  server.registerTool(
    "get_weather_forecast",
    {
      title: "Weather forecast",
      description:
        "Day-by-day forecast (1 to 7 days, starting today) for a city: high, low, condition, precipitation chance.",
      inputSchema: strictObject({
        city,
        days: z
          .number()
          .int("days must be a whole number")
          .min(1, "days must be between 1 and 7")
          .max(7, "days must be between 1 and 7")
          .default(3)
          .describe("Number of days, 1 to 7"),
        units,
      }),
      outputSchema: forecastOutput,
      annotations,
    },
    handled(
      "weather",
      "get_weather_forecast",
      delayMs,
      async (args: { city: string; days: number; units: Units }) =>
        ok({ ...(await cityOrError(() => provider.forecast(args.city, args.days, args.units))) }),
    ),
  );
  return server;
}

/** An unknown city is the caller's mistake: its message goes back as is. */
async function cityOrError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UnknownCityError) throw new ToolInputError(error.message);
    throw error;
  }
}
