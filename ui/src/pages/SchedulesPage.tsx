import { useState } from "react";
import type { ScheduleView } from "../../../src/http/api-types.js";
import { api, post } from "../api.js";
import { RelativeTime } from "../components/RelativeTime.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { useLoader, useNow } from "../hooks.js";
import { Link } from "../router.js";

/** Every schedule: its cron and zone, when it fires next, its last run or skip; pause, resume, trigger. */
export function SchedulesPage() {
  const list = useLoader(() => api<{ schedules: ScheduleView[] }>("/api/schedules"), "schedules");
  const now = useNow(true, 5000);
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const act = async (name: string, verb: "pause" | "resume" | "trigger") => {
    setBusy(name);
    setError(undefined);
    try {
      await post(`/api/schedules/${encodeURIComponent(name)}/${verb}`, {});
      await list.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };
  const schedules = list.data?.schedules ?? [];
  return (
    <main className="page schedules-page">
      <header className="run-head">
        <h1>Schedules</h1>
      </header>
      {list.error ? <p className="error">{list.error.message}</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <table className="runs" data-testid="schedules-table">
        <thead>
          <tr>
            <th scope="col">name</th>
            <th scope="col">workflow</th>
            <th scope="col">cron</th>
            <th scope="col">next</th>
            <th scope="col">last run</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {schedules.map((s) => (
            <tr key={s.name} data-testid="schedule-row" data-name={s.name}>
              <td data-label="name">
                {s.name} {s.paused ? <span className="badge st-cancelled">paused</span> : null}
              </td>
              <td data-label="workflow">{s.workflow}</td>
              <td data-label="cron">
                <code>{s.cron}</code> <span className="muted">{s.tz}</span>
              </td>
              <td data-label="next">
                {s.paused || !s.nextAt ? "–" : <RelativeTime at={Date.parse(s.nextAt)} now={now} />}
              </td>
              <td data-label="last run">
                {s.lastRun ? (
                  <>
                    <Link to={`/runs/${encodeURIComponent(s.lastRun.id)}`}>{s.lastRun.id}</Link>{" "}
                    {s.lastRun.status ? (
                      <StatusBadge status={s.lastRun.status} />
                    ) : (
                      <span className="muted">gone</span>
                    )}
                  </>
                ) : (
                  "–"
                )}
                {s.lastSkip ? (
                  <span className="muted">
                    {" "}
                    · skipped {s.lastSkip.count} ({s.lastSkip.reason})
                  </span>
                ) : null}
              </td>
              <td data-label="actions">
                <span className="buttons">
                  <button
                    type="button"
                    disabled={busy !== undefined}
                    onClick={() => act(s.name, s.paused ? "resume" : "pause")}
                  >
                    {s.paused ? "Resume" : "Pause"}
                  </button>
                  <button type="button" disabled={busy !== undefined} onClick={() => act(s.name, "trigger")}>
                    Run now
                  </button>
                </span>
              </td>
            </tr>
          ))}
          {list.data && schedules.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                No schedules: add one with <code>baton schedule add</code> or <code>POST /api/schedules</code>
                .
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </main>
  );
}
