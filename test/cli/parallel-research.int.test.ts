import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson, cleanup, tempDir } from "./helpers.js";

afterAll(cleanup);

const QUERY = "weather in London and Tokyo, files about reports";

interface Report {
  weather: Array<{ city: string; ok: boolean; data?: { temperature: number; condition: string } }>;
  files: Array<{ term: string; ok: boolean; matches?: string[] }>;
  database: Array<{ lookup: string; ok: boolean; error?: string }>;
  completed: string[];
  failed: Array<{ branch: string; error: string }>;
  branchTimes: Record<string, number>;
  slowestBranchMs: number;
  totalMs: number;
}

describe.concurrent("baton run parallel-research", () => {
  it("fetches the weather of both cities, searches files and queries the database", async () => {
    const cwd = tempDir("research");
    const r = await batonJson(["run", "parallel-research", "--query", QUERY], { cwd });
    expect(r.code).toBe(0);
    expect(r.status).toBe("completed");
    expect(r.errors).toEqual([]);
    const report = r.output.report as Report;
    expect(report.weather.map((w) => [w.city, w.ok, w.data?.temperature, w.data?.condition])).toEqual([
      ["London", true, 15, "cloudy"],
      ["Tokyo", true, 18, "rainy"],
    ]);
    expect(report.files).toEqual([
      { term: "reports", ok: true, matches: [expect.stringMatching(/sample-data\/reports/)] },
    ]);
    expect(report.database.map((d) => [d.lookup, d.ok])).toEqual([
      ["customers", true],
      ["products", true],
      ["analytics", true],
    ]);
    expect(report.failed).toEqual([]);
    expect(Object.keys(report.branchTimes).sort()).toEqual([
      "database",
      "files",
      "weather:London",
      "weather:Tokyo",
    ]);
  });

  it("runs the branches at once: the total is about the slowest branch, not their sum", async () => {
    const cwd = tempDir("research-slow");
    // Every weather call and every database query takes 500 ms: one after another they would take ≥ 1.5 s.
    const env = { BATON_WEATHER_DELAY_MS: "500", BATON_DATABASE_DELAY_MS: "500" };
    const r = await batonJson(["run", "parallel-research", "--query", QUERY], { cwd, env });
    expect(r.status).toBe("completed");
    const { branchTimes, slowestBranchMs, totalMs } = r.output.report as Report;
    const slow = [branchTimes["weather:London"]!, branchTimes["weather:Tokyo"]!, branchTimes.database!];
    for (const ms of slow) expect(ms).toBeGreaterThanOrEqual(500);
    const sum = Object.values(branchTimes).reduce((a, b) => a + b, 0);
    expect(slowestBranchMs).toBe(Math.max(...Object.values(branchTimes)));
    expect(totalMs).toBeGreaterThanOrEqual(slowestBranchMs);
    expect(totalMs).toBeLessThan(2 * slowestBranchMs);
    expect(totalMs).toBeLessThan(sum);
  });

  it("prints each branch's time and the total on the terminal", async () => {
    const cwd = tempDir("research-text");
    const r = await baton(["run", "parallel-research", "--query", QUERY], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/weather {2}London: 15°C, cloudy/);
    expect(r.stdout).toMatch(/weather {2}Tokyo: 18°C, rainy/);
    expect(r.stdout).toMatch(/branch times: .*weather:London \d+ms/);
    expect(r.stdout).toMatch(/total \d+ms \(slowest branch \d+ms\)/);
    // The progress display (stderr) shows the four branches in one step, side by side.
    expect(r.stderr).toMatch(/step +2 .*database.*│.*files.*│.*weather#0.*│.*weather#1/);
    expect(r.stderr).toMatch(/✓ completed in/);
  });

  it("reports a failed branch beside the others' results and still completes", async () => {
    const cwd = tempDir("research-partial");
    // The database server's command does not exist; weather and files are the bundled servers.
    const config = {
      mcpServers: {
        weather: { bundled: "weather" },
        filesystem: { bundled: "filesystem" },
        database: { command: join(cwd, "no-such-database-server"), retry: { attempts: 1 } },
      },
    };
    writeFileSync(join(cwd, "baton.config.json"), JSON.stringify(config));
    const r = await batonJson(["run", "parallel-research", "--query", QUERY], { cwd });
    expect(r.code).toBe(0);
    expect(r.status).toBe("completed");
    const report = r.output.report as Report;
    expect(report.completed.sort()).toEqual(["files", "weather:London", "weather:Tokyo"]);
    expect(report.failed).toEqual([{ branch: "database", error: expect.stringContaining("database") }]);
    expect(report.weather.every((w) => w.ok)).toBe(true);
    expect(report.database.every((d) => !d.ok)).toBe(true);
    // The failure is in the top-level errors too, for readers of --json that skip the report.
    expect(r.errors).toEqual([expect.objectContaining({ node: "database", kind: "tool" })]);
  });
});
