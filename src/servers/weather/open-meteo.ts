import { type Condition, findCity, knownCityNames } from "./cities.js";
import {
  type CurrentWeather,
  type Forecast,
  type Units,
  UnknownCityError,
  type WeatherProvider,
} from "./provider.js";

type Fetch = (
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

interface Place {
  name: string;
  country: string;
  latitude: number;
  longitude: number;
}

export interface OpenMeteoOptions {
  fetch?: Fetch;
  /** Used when the network fails for a city the offline dataset knows. */
  fallback?: WeatherProvider;
  timeoutMs?: number;
}

const FORECAST_URL = "https://api.open-meteo.com/v1/forecast";
const GEOCODING_URL = "https://geocoding-api.open-meteo.com/v1/search";

/**
 * Live weather from Open-Meteo (free, no key), chosen with `BATON_WEATHER_PROVIDER=open-meteo`. Cities of
 * the offline dataset use its coordinates; others are geocoded. A network failure falls back to the
 * offline values for a known city (the result's `source` says which one answered).
 */
export class OpenMeteoWeather implements WeatherProvider {
  private readonly fetch: Fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenMeteoOptions = {}) {
    this.fetch = options.fetch ?? (globalThis.fetch as unknown as Fetch);
    this.timeoutMs = options.timeoutMs ?? 8_000;
  }

  async current(city: string, units: Units): Promise<CurrentWeather> {
    return this.withFallback(
      city,
      (f) => f.current(city, units),
      async () => {
        const place = await this.place(city);
        const data = (await this.get(FORECAST_URL, {
          ...coordinates(place),
          current: "temperature_2m,relative_humidity_2m,weather_code",
          temperature_unit: units,
        })) as { current: { temperature_2m: number; relative_humidity_2m: number; weather_code: number } };
        return {
          city: place.name,
          country: place.country,
          temperature: data.current.temperature_2m,
          condition: conditionOf(data.current.weather_code),
          humidity: data.current.relative_humidity_2m,
          units,
          timestamp: new Date().toISOString(),
          source: "open-meteo",
        };
      },
    );
  }

  async forecast(city: string, days: number, units: Units): Promise<Forecast> {
    return this.withFallback(
      city,
      (f) => f.forecast(city, days, units),
      async () => {
        const place = await this.place(city);
        const data = (await this.get(FORECAST_URL, {
          ...coordinates(place),
          daily: "temperature_2m_max,temperature_2m_min,weather_code,precipitation_probability_max",
          forecast_days: String(days),
          temperature_unit: units,
          timezone: "UTC",
        })) as { daily: Record<string, unknown[]> };
        const d = data.daily;
        const list = (d.time as string[]).map((date, i) => ({
          date,
          high: Number(d.temperature_2m_max?.[i]),
          low: Number(d.temperature_2m_min?.[i]),
          condition: conditionOf(Number(d.weather_code?.[i])),
          precipitationChance: Number(d.precipitation_probability_max?.[i] ?? 0),
        }));
        return { city: place.name, country: place.country, units, days: list, source: "open-meteo" };
      },
    );
  }

  private async withFallback<T>(
    city: string,
    offline: (provider: WeatherProvider) => Promise<T>,
    live: () => Promise<T>,
  ): Promise<T> {
    try {
      return await live();
    } catch (error) {
      const fallback = this.options.fallback;
      if (error instanceof UnknownCityError || fallback === undefined || findCity(city) === undefined)
        throw error;
      return offline(fallback);
    }
  }

  private async place(name: string): Promise<Place> {
    const known = findCity(name);
    if (known !== undefined) return known;
    const data = (await this.get(GEOCODING_URL, { name, count: "1" })) as {
      results?: Array<{ name: string; country_code?: string; latitude: number; longitude: number }>;
    };
    const hit = data.results?.[0];
    if (hit === undefined) throw new UnknownCityError(name, knownCityNames());
    return {
      name: hit.name,
      country: hit.country_code ?? "",
      latitude: hit.latitude,
      longitude: hit.longitude,
    };
  }

  private async get(base: string, params: Record<string, string>): Promise<unknown> {
    const url = `${base}?${new URLSearchParams(params).toString()}`;
    const response = await this.fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`Open-Meteo answered HTTP ${response.status}`);
    return response.json();
  }
}

function coordinates(place: Place): Record<string, string> {
  return { latitude: String(place.latitude), longitude: String(place.longitude) };
}

/** WMO weather interpretation codes, as Open-Meteo reports them, onto our conditions. */
export function conditionOf(code: number): Condition {
  if (code <= 1) return "clear";
  if (code === 2) return "partly cloudy";
  if (code === 3) return "cloudy";
  if (code === 45 || code === 48) return "foggy";
  if ((code >= 71 && code <= 77) || code === 85 || code === 86) return "snowy";
  if (code >= 95) return "stormy";
  if (code >= 51) return "rainy";
  return "cloudy";
}
