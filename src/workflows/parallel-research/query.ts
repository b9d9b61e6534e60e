/** How a free-text research query becomes cities and search terms (the tutorial's rules, made total). */

/** Cities recognised in a query; the weather server knows these and more. */
export const KNOWN_CITIES = [
  "London",
  "New York",
  "Tokyo",
  "Sydney",
  "Paris",
  "Berlin",
  "Madrid",
  "Rome",
  "Amsterdam",
  "Dublin",
  "Lisbon",
  "Vienna",
  "Prague",
  "Stockholm",
  "Oslo",
  "Copenhagen",
  "Helsinki",
  "Moscow",
  "Istanbul",
  "Cairo",
  "Dubai",
  "Mumbai",
  "Delhi",
  "Singapore",
  "Hong Kong",
  "Beijing",
  "Shanghai",
  "Seoul",
  "Bangkok",
  "Toronto",
  "Vancouver",
  "Chicago",
  "Los Angeles",
  "San Francisco",
  "Mexico City",
  "Sao Paulo",
  "Buenos Aires",
  "Cape Town",
  "Nairobi",
  "Melbourne",
  "Auckland",
];

const STOP_WORDS = new Set([
  "the",
  "a",
  "an",
  "and",
  "or",
  "but",
  "in",
  "on",
  "at",
  "to",
  "for",
  "about",
  "with",
  "from",
  "weather",
  "files",
  "file",
]);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Cities named in the query, in the order they appear; London when none is named. */
export function citiesIn(query: string): string[] {
  // Whole words only: "comparison" does not name Paris, nor "chrome" Rome.
  const found = KNOWN_CITIES.map((city) => ({
    city,
    at: query.search(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(city)}(?![\\p{L}\\p{N}])`, "iu")),
  }))
    .filter((c) => c.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((c) => c.city);
  return found.length > 0 ? found : ["London"];
}

/** The first three words longer than three letters that are neither stop words nor city names. */
export function searchTermsIn(query: string): string[] {
  const cityWords = new Set(KNOWN_CITIES.flatMap((c) => c.toLowerCase().split(" ")));
  return query
    .toLowerCase()
    .split(/[^\p{L}\p{N}_-]+/u)
    .filter((w) => w.length > 3 && !STOP_WORDS.has(w) && !cityWords.has(w))
    .slice(0, 3);
}
