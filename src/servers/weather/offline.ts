import { type City, type Condition, findCity, knownCityNames } from "./cities.js";
import {
  type CurrentWeather,
  convert,
  type Forecast,
  type ForecastDay,
  type Units,
  UnknownCityError,
  type WeatherProvider,
} from "./provider.js";

const DAY_MS = 86_400_000;

/** Weather from the built-in dataset: the same city always gives the same values (no network, no randomness). */
export class OfflineWeather implements WeatherProvider {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async current(name: string, units: Units): Promise<CurrentWeather> {
    const city = lookup(name);
    return {
      city: city.name,
      country: city.country,
      temperature: convert(city.temperature, units),
      condition: city.condition,
      humidity: city.humidity,
      units,
      timestamp: this.now().toISOString(),
      source: "offline",
    };
  }

  async forecast(name: string, days: number, units: Units): Promise<Forecast> {
    const city = lookup(name);
    const today = Date.UTC(this.now().getUTCFullYear(), this.now().getUTCMonth(), this.now().getUTCDate());
    const list = forecastDays(city, days).map((day, i) => ({
      date: new Date(today + i * DAY_MS).toISOString().slice(0, 10),
      high: convert(day.high, units),
      low: convert(day.low, units),
      condition: day.condition,
      precipitationChance: day.precipitationChance,
    }));
    return { city: city.name, country: city.country, units, days: list, source: "offline" };
  }
}

function lookup(name: string): City {
  const city = findCity(name);
  if (city === undefined) throw new UnknownCityError(name, knownCityNames());
  return city;
}

/** How each condition tends to continue the next day (the first is the most likely). */
const NEXT: Record<Condition, Condition[]> = {
  sunny: ["sunny", "clear", "partly cloudy"],
  clear: ["clear", "sunny", "partly cloudy"],
  "partly cloudy": ["partly cloudy", "cloudy", "sunny"],
  cloudy: ["cloudy", "partly cloudy", "rainy"],
  foggy: ["foggy", "cloudy", "partly cloudy"],
  windy: ["windy", "partly cloudy", "cloudy"],
  rainy: ["rainy", "cloudy", "stormy"],
  stormy: ["stormy", "rainy", "cloudy"],
  snowy: ["snowy", "cloudy", "clear"],
};

const PRECIPITATION: Record<Condition, [number, number]> = {
  sunny: [0, 10],
  clear: [0, 10],
  "partly cloudy": [10, 30],
  cloudy: [20, 45],
  foggy: [10, 30],
  windy: [10, 35],
  rainy: [60, 90],
  stormy: [70, 95],
  snowy: [55, 85],
};

/** Day-by-day values in °C derived from the city alone: a seeded generator, never `Math.random`. */
export function forecastDays(city: City, days: number): Omit<ForecastDay, "date">[] {
  const random = mulberry32(fnv1a(city.name));
  const out: Omit<ForecastDay, "date">[] = [];
  let condition = city.condition;
  for (let i = 0; i < days; i++) {
    if (i > 0) {
      const roll = random();
      const options = NEXT[condition];
      condition = (roll < 0.6 ? options[0] : roll < 0.85 ? options[1] : options[2]) as Condition;
    }
    const high = city.temperature + Math.round(random() * 6) - 1;
    const low = high - 4 - Math.round(random() * 5);
    const [min, max] = PRECIPITATION[condition];
    out.push({ high, low, condition, precipitationChance: min + Math.round(random() * (max - min)) });
  }
  return out;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
