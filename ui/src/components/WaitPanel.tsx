import { useState } from "react";
import type { RunDetail } from "../../../src/http/api-types.js";
import { post } from "../api.js";
import { RelativeTime } from "./RelativeTime.js";

type Wait = NonNullable<RunDetail["run"]["waits"]>[number];

/**
 * What a sleeping or waiting run waits for: a time (when it wakes), or a named event, which can be
 * sent from here with a JSON payload (`POST /api/runs/:id/signals/:name`).
 */
export function WaitPanel(props: { detail: RunDetail; now: number; onChange: () => void }) {
  const waits = props.detail.run.waits ?? [];
  if (waits.length === 0) return null;
  return (
    <section className="approval" data-testid="wait-panel">
      <h3>Waiting, held by no process</h3>
      <ul className="plain">
        {waits.map((w) => (
          <li key={`${w.step}:${w.taskId}`} data-testid="wait" data-kind={w.kind}>
            <code>{w.taskId}</code>{" "}
            {w.kind === "sleep" ? (
              <>
                sleeps until <RelativeTime at={w.until} now={props.now} />
              </>
            ) : (
              <EventWait wait={w} runId={props.detail.run.id} now={props.now} onChange={props.onChange} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function EventWait(props: {
  wait: Extract<Wait, { kind: "event" }>;
  runId: string;
  now: number;
  onChange: () => void;
}) {
  const { wait } = props;
  const [payload, setPayload] = useState("{}");
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | undefined>();
  const send = async () => {
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch (e) {
      setSaid({ ok: false, text: `The payload is not JSON: ${(e as Error).message}` });
      return;
    }
    setBusy(true);
    try {
      await post(`/api/runs/${encodeURIComponent(props.runId)}/signals/${encodeURIComponent(wait.event)}`, {
        value,
      });
      setSaid({ ok: true, text: `Event "${wait.event}" sent` });
      props.onChange();
    } catch (e) {
      setSaid({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      waits for event <code>{wait.event}</code>
      {wait.until !== undefined ? (
        <>
          {" "}
          (times out <RelativeTime at={wait.until} now={props.now} />)
        </>
      ) : null}
      <label>
        payload (JSON)
        <textarea
          rows={2}
          value={payload}
          onChange={(e) => setPayload(e.target.value)}
          data-testid="signal-payload"
        />
      </label>
      <button type="button" className="primary" disabled={busy} onClick={send} data-testid="signal-submit">
        Send event
      </button>
      {said ? (
        <p className={said.ok ? "ok" : "error"} role="status">
          {said.text}
        </p>
      ) : null}
    </>
  );
}
