/** The dashboard's server panels: health (sidecar, restarts, queue, warnings) and the newest failed requests. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson } from "../api/client";
import { ErrorMessage } from "../components/error-message";
import type { Health } from "../components/server-status";

interface HealthReport extends Health {
  uptime_seconds: number;
  warnings: string[];
  sidecar: Health["sidecar"] & { last_exit: { code: number | null; signal: string | null; at: string } | null };
}

export function HealthPanel({ tick }: { tick: number }) {
  const [health, setHealth] = useState<HealthReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    // Public, and a 503 carries the same body while the sidecar is not ready: a state to show, not a failure.
    fetch("/api/v1/health")
      .then((response) => response.json() as Promise<HealthReport>)
      .then((report) => {
        setHealth(report);
        setError(null);
      })
      .catch(() => setError(new Error("The server did not answer its health check.")));
  }, [tick]);

  return (
    <section aria-labelledby="health-title">
      <h3 id="health-title">Server health</h3>
      <ErrorMessage error={error} />
      {health && (
        <dl class="totals">
          <Fact label="Status" value={health.status} good={health.status === "healthy"} />
          <Fact label="Sidecar" value={health.sidecar.state} good={health.sidecar.state === "ready"} />
          <Fact label="Sidecar restarts" value={String(health.sidecar.restarts)} />
          <Fact label="Engine" value={health.engine ? `${health.engine.name} (${health.engine.device})` : "none"} />
          <Fact label="Queue" value={health.queue ? `${health.queue.depth} of ${health.queue.capacity}` : "—"} />
          <Fact label="Up for" value={`${Math.round(health.uptime_seconds / 60)} min`} />
        </dl>
      )}
      {health?.sidecar.last_exit && (
        <p>
          Last sidecar exit: {new Date(health.sidecar.last_exit.at).toLocaleString()} (
          {health.sidecar.last_exit.signal ?? `code ${health.sidecar.last_exit.code}`})
        </p>
      )}
      {health && health.warnings.length > 0 && (
        <ul aria-label="Health warnings">
          {health.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Fact({ label, value, good }: { label: string; value: string; good?: boolean }) {
  const state = good === undefined ? undefined : good ? "health-state good" : "health-state bad";
  return (
    <div>
      <dt>{label}</dt>
      <dd class={state}>{value}</dd>
    </div>
  );
}

interface ErrorRecord {
  timestamp: string;
  operation: string;
  error_type: string;
  category: string;
  severity: string;
  context: { request_id: string; status: number };
}

/** `onAdmin(false)` when the key may not read the reports: the rest of the dashboard says what that means. */
export function RecentErrors({ tick, onAdmin }: { tick: number; onAdmin: (admin: boolean) => void }) {
  const [records, setRecords] = useState<ErrorRecord[] | null>(null);
  const [stored, setStored] = useState(0);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    getJson<{ recent_errors: ErrorRecord[]; total_stored: number }>("/api/v1/errors/recent?count=10")
      .then((report) => {
        setRecords(report.recent_errors);
        setStored(report.total_stored);
        setError(null);
        onAdmin(true);
      })
      .catch((failure) => {
        setError(failure);
        if (failure instanceof ApiError && failure.status === 403) onAdmin(false);
      });
  }, [tick]);

  return (
    <section aria-labelledby="recent-errors-title">
      <h3 id="recent-errors-title">Recent errors (last 24 h)</h3>
      <ErrorMessage error={error} />
      {records?.length === 0 && <p>No failed requests in the last 24 hours.</p>}
      {records && records.length > 0 && (
        <div class="table-scroll">
          <table>
            <caption>
              The newest {records.length} of {stored} failures; refused keys, unknown paths and clients that left are
              not counted.
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">Error</th>
                <th scope="col">Severity</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {records.map((record) => (
                <tr key={record.context.request_id}>
                  <td>{new Date(record.timestamp).toLocaleString()}</td>
                  <td>{record.operation}</td>
                  <td>{record.context.status}</td>
                  <td>{record.error_type}</td>
                  <td>{record.severity}</td>
                  <td>
                    <code>{record.context.request_id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
