import { describe, expect, it } from "vitest";
import { citiesIn, searchTermsIn } from "../../src/workflows/parallel-research/query.js";
import { summarize } from "../../src/workflows/parallel-research/summary.js";

describe("parallel-research: cities in a query", () => {
  it("finds the cities named, in the order they appear", () => {
    expect(citiesIn("weather in London and Tokyo, files about reports")).toEqual(["London", "Tokyo"]);
    expect(citiesIn("tokyo first, then london")).toEqual(["Tokyo", "London"]);
  });

  it("knows cities of several words, whatever the case", () => {
    expect(citiesIn("compare NEW YORK with los angeles and Sydney")).toEqual([
      "New York",
      "Los Angeles",
      "Sydney",
    ]);
  });

  it("matches whole words only", () => {
    expect(citiesIn("a comparison of chromebooks")).toEqual(["London"]); // not Paris, not Rome
    expect(citiesIn("Paris, Rome.")).toEqual(["Paris", "Rome"]);
  });

  it("uses London when no city is named", () => {
    expect(citiesIn("files about reports")).toEqual(["London"]);
    expect(citiesIn("")).toEqual(["London"]);
  });
});

describe("parallel-research: search terms", () => {
  it("keeps words longer than three letters that are neither stop words nor cities", () => {
    expect(searchTermsIn("weather in London and Tokyo, files about reports")).toEqual(["reports"]);
    expect(searchTermsIn("files about New York sales figures")).toEqual(["sales", "figures"]);
  });

  it("keeps at most three, in order", () => {
    expect(searchTermsIn("quarterly revenue forecast summary notes")).toEqual([
      "quarterly",
      "revenue",
      "forecast",
    ]);
  });

  it("splits on punctuation and keeps hyphens and underscores", () => {
    expect(searchTermsIn("q3-report, data_export; (budget)")).toEqual(["q3-report", "data_export", "budget"]);
  });

  it("may find nothing", () => {
    expect(searchTermsIn("weather in Paris")).toEqual([]);
  });
});

describe("parallel-research: terminal summary", () => {
  it("shows each branch with its time, the failures and the total", () => {
    const text = summarize({
      query: "q",
      weather: [
        { city: "London", ok: true, data: { temperature: 15, condition: "cloudy", humidity: 75 } },
        { city: "Atlantis", ok: false, error: "Unknown city" },
      ],
      files: [{ term: "reports", ok: true, matches: ["/data/reports"] }],
      database: [{ lookup: "customers", ok: true, rows: { rows: [{}, {}] } }],
      branchTimes: { "weather:London": 310, database: 40 },
      failed: [{ branch: "weather:Atlantis", error: "Unknown city" }],
      totalMs: 330,
      slowestBranchMs: 310,
    });
    expect(text.split("\n")).toEqual([
      "query: q",
      "  weather  London: 15°C, cloudy, humidity 75%",
      "  weather  Atlantis: failed (Unknown city)",
      '  files    "reports": 1 match(es) — /data/reports',
      "  database customers: 2 row(s)",
      "branch times: weather:London 310ms, database 40ms",
      "failed: weather:Atlantis (Unknown city)",
      "total 330ms (slowest branch 310ms): the branches ran at once",
    ]);
    expect(summarize(null)).toMatch(/no report/);
  });
});
