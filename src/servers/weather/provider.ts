import { excerpt } from "../shared/excerpt.js";
import type { Condition } from "./cities.js";

export type Units = "celsius" | "fahrenheit";

export interface CurrentWeather {
  city: string;
  country: string;
  temperature: number;
  condition: Condition;
  humidity: number;
  units: Units;
  timestamp: string;
  source: "offline" | "open-meteo";
}

export interface ForecastDay {
  /** ISO date (UTC), `YYYY-MM-DD`. */
  date: string;
  high: number;
  low: number;
  condition: Condition;
  /** Percent. */
  precipitationChance: number;
}

export interface Forecast {
  city: string;
  country: string;
  units: Units;
  days: ForecastDay[];
  source: "offline" | "open-meteo";
}

/** Where weather comes from. A rejection with `UnknownCityError` becomes an error result naming the city. */
export interface WeatherProvider {
  current(city: string, units: Units): Promise<CurrentWeather>;
  forecast(city: string, days: number, units: Units): Promise<Forecast>;
}

export class UnknownCityError extends Error {
  constructor(city: string, known: readonly string[]) {
    super(`Unknown city ${excerpt(city)}. Known cities: ${known.join(", ")}`);
    this.name = "UnknownCityError";
  }
}

/** °C to the requested units, one decimal. */
export function convert(celsius: number, units: Units): number {
  const value = units === "fahrenheit" ? (celsius * 9) / 5 + 32 : celsius;
  return Math.round(value * 10) / 10;
}
