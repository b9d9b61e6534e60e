/** The terminal summary of a research run: each branch's result and time, and the total. */
export function summarize(report: Record<string, unknown> | null): string {
  if (!report) return "(no report: the run did not reach the aggregate)";
  const out: string[] = [`query: ${report.query}`];
  for (const w of report.weather as Array<{
    city: string;
    ok: boolean;
    data?: Record<string, unknown>;
    error?: string;
  }>) {
    out.push(
      w.ok && w.data
        ? `  weather  ${w.city}: ${w.data.temperature}°${w.data.units === "fahrenheit" ? "F" : "C"}, ${w.data.condition}, humidity ${w.data.humidity}%`
        : `  weather  ${w.city}: failed (${w.error})`,
    );
  }
  for (const f of report.files as Array<{ term: string; ok: boolean; matches?: string[]; error?: string }>) {
    out.push(
      f.ok
        ? `  files    "${f.term}": ${f.matches?.length ?? 0} match(es)${f.matches?.length ? ` — ${f.matches.slice(0, 3).join(", ")}` : ""}`
        : `  files    "${f.term}": failed (${f.error})`,
    );
  }
  for (const d of report.database as Array<{ lookup: string; ok: boolean; rows?: unknown; error?: string }>) {
    const count = Array.isArray(d.rows)
      ? d.rows.length
      : Array.isArray((d.rows as { rows?: unknown[] })?.rows)
        ? (d.rows as { rows: unknown[] }).rows.length
        : "?";
    out.push(
      d.ok ? `  database ${d.lookup}: ${count} row(s)` : `  database ${d.lookup}: failed (${d.error})`,
    );
  }
  const times = report.branchTimes as Record<string, number>;
  out.push(
    `branch times: ${Object.entries(times)
      .map(([b, ms]) => `${b} ${ms}ms`)
      .join(", ")}`,
  );
  const failed = report.failed as Array<{ branch: string; error: string }>;
  if (failed.length > 0) out.push(`failed: ${failed.map((f) => `${f.branch} (${f.error})`).join(", ")}`);
  out.push(
    `total ${report.totalMs}ms (slowest branch ${report.slowestBranchMs}ms): the branches ran at once`,
  );
  return out.join("\n");
}
