/** Conditions the offline dataset and forecasts use (a provider's own codes are mapped onto these). */
export const CONDITIONS = [
  "sunny",
  "clear",
  "partly cloudy",
  "cloudy",
  "foggy",
  "windy",
  "rainy",
  "stormy",
  "snowy",
] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface City {
  name: string;
  country: string;
  latitude: number;
  longitude: number;
  /** Typical current temperature in °C. */
  temperature: number;
  condition: Condition;
  /** Relative humidity, percent. */
  humidity: number;
  aliases?: string[];
}

type Row = [string, string, number, number, number, Condition, number, string[]?];

// The reference tutorial's four cities come first, with its values; the rest are plausible, fixed values.
const ROWS: Row[] = [
  ["London", "GB", 51.5074, -0.1278, 15, "cloudy", 75],
  ["New York", "US", 40.7128, -74.006, 22, "sunny", 60, ["nyc", "new york city"]],
  ["Tokyo", "JP", 35.6762, 139.6503, 18, "rainy", 85],
  ["Sydney", "AU", -33.8688, 151.2093, 25, "clear", 55],
  ["Paris", "FR", 48.8566, 2.3522, 17, "partly cloudy", 68],
  ["Berlin", "DE", 52.52, 13.405, 14, "cloudy", 70],
  ["Madrid", "ES", 40.4168, -3.7038, 24, "sunny", 40],
  ["Rome", "IT", 41.9028, 12.4964, 21, "sunny", 58],
  ["Amsterdam", "NL", 52.3676, 4.9041, 13, "rainy", 82],
  ["Moscow", "RU", 55.7558, 37.6173, 8, "cloudy", 72],
  ["Dubai", "AE", 25.2048, 55.2708, 35, "sunny", 45],
  ["Mumbai", "IN", 19.076, 72.8777, 30, "rainy", 88, ["bombay"]],
  ["New Delhi", "IN", 28.6139, 77.209, 33, "sunny", 38, ["delhi"]],
  ["Singapore", "SG", 1.3521, 103.8198, 31, "stormy", 84],
  ["Hong Kong", "HK", 22.3193, 114.1694, 27, "partly cloudy", 78],
  ["Beijing", "CN", 39.9042, 116.4074, 20, "foggy", 50],
  ["Shanghai", "CN", 31.2304, 121.4737, 23, "cloudy", 73],
  ["Seoul", "KR", 37.5665, 126.978, 16, "clear", 55],
  ["Bangkok", "TH", 13.7563, 100.5018, 32, "stormy", 80],
  ["Cairo", "EG", 30.0444, 31.2357, 29, "sunny", 30],
  ["Nairobi", "KE", -1.2921, 36.8219, 21, "partly cloudy", 62],
  ["Cape Town", "ZA", -33.9249, 18.4241, 19, "windy", 65],
  ["Lagos", "NG", 6.5244, 3.3792, 30, "rainy", 83],
  ["Istanbul", "TR", 41.0082, 28.9784, 19, "partly cloudy", 66],
  ["Los Angeles", "US", 34.0522, -118.2437, 24, "sunny", 50, ["la"]],
  ["San Francisco", "US", 37.7749, -122.4194, 16, "foggy", 78, ["sf"]],
  ["Chicago", "US", 41.8781, -87.6298, 12, "windy", 64],
  ["Toronto", "CA", 43.6532, -79.3832, 11, "cloudy", 67],
  ["Vancouver", "CA", 49.2827, -123.1207, 12, "rainy", 80],
  ["Mexico City", "MX", 19.4326, -99.1332, 20, "partly cloudy", 55],
  ["São Paulo", "BR", -23.5505, -46.6333, 23, "rainy", 77],
  ["Rio de Janeiro", "BR", -22.9068, -43.1729, 27, "sunny", 70, ["rio"]],
  ["Buenos Aires", "AR", -34.6037, -58.3816, 18, "clear", 63],
  ["Lima", "PE", -12.0464, -77.0428, 19, "cloudy", 80],
  ["Reykjavík", "IS", 64.1466, -21.9426, 6, "snowy", 79],
  ["Oslo", "NO", 59.9139, 10.7522, 7, "cloudy", 74],
  ["Stockholm", "SE", 59.3293, 18.0686, 9, "cloudy", 71],
  ["Helsinki", "FI", 60.1699, 24.9384, 6, "snowy", 81],
  ["Dublin", "IE", 53.3498, -6.2603, 12, "rainy", 83],
  ["Lisbon", "PT", 38.7223, -9.1393, 22, "sunny", 60],
  ["Athens", "GR", 37.9838, 23.7275, 26, "sunny", 48],
  ["Vienna", "AT", 48.2082, 16.3738, 16, "partly cloudy", 62],
  ["Zurich", "CH", 47.3769, 8.5417, 14, "cloudy", 69],
  ["Auckland", "NZ", -36.8485, 174.7633, 17, "windy", 76],
  ["Melbourne", "AU", -37.8136, 144.9631, 20, "partly cloudy", 60],
];

export const CITIES: readonly City[] = ROWS.map(
  ([name, country, latitude, longitude, temperature, condition, humidity, aliases]) => ({
    name,
    country,
    latitude,
    longitude,
    temperature,
    condition,
    humidity,
    ...(aliases === undefined ? {} : { aliases }),
  }),
);

/** Lower case, accents removed, spaces collapsed: "  SÃO  paulo " → "sao paulo". */
export function cityKey(name: string): string {
  return name
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[\s_-]+/g, " ")
    .trim();
}

const INDEX = new Map<string, City>();
for (const city of CITIES) {
  for (const name of [city.name, ...(city.aliases ?? [])]) INDEX.set(cityKey(name), city);
}

/** The city for a name, case- and accent-insensitive; "Paris, FR" and "London, UK" work too. */
export function findCity(name: string): City | undefined {
  const key = cityKey(name);
  return INDEX.get(key) ?? INDEX.get(cityKey(key.split(",")[0] ?? ""));
}

export function knownCityNames(): string[] {
  return CITIES.map((city) => city.name);
}
