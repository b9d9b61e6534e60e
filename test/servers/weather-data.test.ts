import { describe, expect, it } from "vitest";
import { CITIES, findCity } from "../../src/servers/weather/cities.js";
import { OfflineWeather } from "../../src/servers/weather/offline.js";
import { conditionOf, OpenMeteoWeather } from "../../src/servers/weather/open-meteo.js";
import { UnknownCityError } from "../../src/servers/weather/provider.js";

const fixedNow = () => new Date("2024-06-15T10:00:00Z");

describe("offline weather", () => {
  const weather = new OfflineWeather(fixedNow);

  it("has at least 30 cities, with the reference tutorial's values", async () => {
    expect(CITIES.length).toBeGreaterThanOrEqual(30);
    const expected: Array<[string, number, string, number]> = [
      ["London", 15, "cloudy", 75],
      ["New York", 22, "sunny", 60],
      ["Tokyo", 18, "rainy", 85],
      ["Sydney", 25, "clear", 55],
    ];
    for (const [city, temperature, condition, humidity] of expected) {
      await expect(weather.current(city, "celsius")).resolves.toMatchObject({
        city,
        temperature,
        condition,
        humidity,
      });
    }
    await expect(weather.current("Paris", "celsius")).resolves.toMatchObject({
      city: "Paris",
      country: "FR",
    });
  });

  it("matches names case- and accent-insensitively, with aliases and a country suffix", () => {
    expect(findCity("  lOnDoN ")?.name).toBe("London");
    expect(findCity("sao paulo")?.name).toBe("São Paulo");
    expect(findCity("NYC")?.name).toBe("New York");
    expect(findCity("Paris, FR")?.name).toBe("Paris");
    expect(findCity("Atlantis")).toBeUndefined();
  });

  it("converts to fahrenheit and stamps the time", async () => {
    await expect(weather.current("london", "fahrenheit")).resolves.toEqual({
      city: "London",
      country: "GB",
      temperature: 59,
      condition: "cloudy",
      humidity: 75,
      units: "fahrenheit",
      timestamp: "2024-06-15T10:00:00.000Z",
      source: "offline",
    });
  });

  it("derives the forecast from the city alone: same city, same forecast", async () => {
    const a = await weather.forecast("Tokyo", 7, "celsius");
    const b = await new OfflineWeather(fixedNow).forecast("tokyo", 7, "celsius");
    expect(a).toEqual(b);
    expect(a.days.map((d) => d.date)).toEqual([
      "2024-06-15",
      "2024-06-16",
      "2024-06-17",
      "2024-06-18",
      "2024-06-19",
      "2024-06-20",
      "2024-06-21",
    ]);
    expect(a.days[0]?.condition).toBe("rainy");
    for (const day of a.days) {
      expect(day.low).toBeLessThan(day.high);
      expect(day.precipitationChance).toBeGreaterThanOrEqual(0);
      expect(day.precipitationChance).toBeLessThanOrEqual(100);
    }
    const london = await weather.forecast("London", 7, "celsius");
    expect(london.days.map((d) => d.high)).not.toEqual(a.days.map((d) => d.high));
  });

  it("rejects an unknown city with a message listing the known ones", async () => {
    await expect(weather.current("Atlantis", "celsius")).rejects.toThrow(
      /Unknown city "Atlantis". Known cities: London, /,
    );
  });
});

describe("Open-Meteo provider", () => {
  const json = (body: unknown) =>
    Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(body) });

  it("maps the live answer onto the same shape", async () => {
    const urls: string[] = [];
    const provider = new OpenMeteoWeather({
      fetch: (url) => {
        urls.push(url);
        return json({ current: { temperature_2m: 12.3, relative_humidity_2m: 81, weather_code: 61 } });
      },
    });
    await expect(provider.current("London", "celsius")).resolves.toMatchObject({
      city: "London",
      temperature: 12.3,
      humidity: 81,
      condition: "rainy",
      source: "open-meteo",
    });
    expect(urls[0]).toContain("latitude=51.5074");
  });

  it("geocodes cities outside the dataset and reports unknown ones", async () => {
    const provider = new OpenMeteoWeather({
      fetch: (url) =>
        url.includes("geocoding")
          ? json(
              url.includes("Nowhere")
                ? {}
                : { results: [{ name: "Porto", country_code: "PT", latitude: 41.1, longitude: -8.6 }] },
            )
          : json({
              daily: {
                time: ["2024-06-15"],
                temperature_2m_max: [24],
                temperature_2m_min: [15],
                weather_code: [0],
                precipitation_probability_max: [5],
              },
            }),
    });
    await expect(provider.forecast("Porto", 1, "celsius")).resolves.toEqual({
      city: "Porto",
      country: "PT",
      units: "celsius",
      days: [{ date: "2024-06-15", high: 24, low: 15, condition: "clear", precipitationChance: 5 }],
      source: "open-meteo",
    });
    await expect(provider.current("Nowhere", "celsius")).rejects.toBeInstanceOf(UnknownCityError);
  });

  it("falls back to the offline values for a known city when the network fails", async () => {
    const provider = new OpenMeteoWeather({
      fetch: () => Promise.reject(new Error("getaddrinfo ENOTFOUND")),
      fallback: new OfflineWeather(fixedNow),
    });
    await expect(provider.current("Sydney", "celsius")).resolves.toMatchObject({
      temperature: 25,
      source: "offline",
    });
    await expect(provider.current("Porto", "celsius")).rejects.toThrow(/ENOTFOUND/);
  });

  it("maps WMO codes to conditions", () => {
    expect([0, 2, 3, 45, 63, 73, 81, 95].map(conditionOf)).toEqual([
      "clear",
      "partly cloudy",
      "cloudy",
      "foggy",
      "rainy",
      "snowy",
      "rainy",
      "stormy",
    ]);
  });
});
