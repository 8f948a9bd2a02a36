/**
 * The dashboard (docs/api/usage.md, system.md, maintenance.md): usage over a chosen window in charts split by
 * endpoint, key or engine, each with its numbers in a table; the window's totals; the server's health; and the
 * newest failures. It refreshes on demand and every 10 s while the page is visible.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { ErrorMessage } from "../components/error-message";
import { UsageChart } from "./dashboard-chart";
import {
  formatValue,
  loadUsageWindow,
  METRICS,
  seriesOf,
  WINDOWS,
  type SplitBy,
  type UsageWindow,
  type WindowId,
} from "./dashboard-data";
import { Fact, HealthPanel, RecentErrors } from "./dashboard-health";
import "./dashboard.css";

const AUTO_REFRESH_MS = 10_000;
const SPLITS: ReadonlyArray<[SplitBy, string]> = [
  ["endpoint", "Endpoint"],
  ["key", "API key"],
  ["engine", "Engine"],
];

export function DashboardTab() {
  const [windowId, setWindowId] = useState<WindowId>("hour");
  const [split, setSplit] = useState<SplitBy>("endpoint");
  const [auto, setAuto] = useState(true);
  const [tick, setTick] = useState(0);
  const [usage, setUsage] = useState<UsageWindow | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const [admin, setAdmin] = useState(true);
  const refresh = () => setTick((count) => count + 1);

  useEffect(() => {
    let current = true;
    loadUsageWindow(windowId, split)
      .then((loaded) => {
        if (!current) return;
        setUsage(loaded);
        setError(null);
        setUpdated(new Date());
      })
      .catch((failure) => current && setError(failure));
    return () => {
      current = false;
    };
  }, [windowId, split, tick]);

  useEffect(() => {
    if (!auto) return;
    // A hidden tab asks nothing; it catches up as soon as it is shown again.
    const timer = setInterval(() => document.hidden || refresh(), AUTO_REFRESH_MS);
    const shown = () => document.hidden || refresh();
    document.addEventListener("visibilitychange", shown);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", shown);
    };
  }, [auto]);

  return (
    <div class="dashboard">
      <section class="dashboard-controls" aria-label="Dashboard settings">
        <Choice id="dash-window" label="Window" value={windowId} onChange={(v) => setWindowId(v as WindowId)}>
          {Object.entries(WINDOWS).map(([id, spec]) => [id, spec.label])}
        </Choice>
        <Choice id="dash-split" label="Split by" value={split} onChange={(v) => setSplit(v as SplitBy)}>
          {SPLITS}
        </Choice>
        <label>
          <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.currentTarget.checked)} /> Refresh every 10 s
        </label>
        <div class="actions">
          <button type="button" class="primary" onClick={refresh}>
            Refresh
          </button>
        </div>
        <p role="status" class="help">
          {updated ? `Updated ${updated.toLocaleTimeString()}` : "Loading…"}
        </p>
      </section>
      {!admin && (
        <p class="panel">
          This key has no <code>admin</code> scope: the usage below is this key's own, and the error reports need an
          admin key.
        </p>
      )}
      <ErrorMessage error={error} />
      {usage && <Totals usage={usage} />}
      {usage && <Charts usage={usage} windowId={windowId} split={split} />}
      <HealthPanel tick={tick} />
      <RecentErrors tick={tick} onAdmin={setAdmin} />
    </div>
  );
}

interface ChoiceProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReadonlyArray<readonly [string, string]>;
}

function Choice({ id, label, value, onChange, children }: ChoiceProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {children.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function Totals({ usage }: { usage: UsageWindow }) {
  return (
    <section aria-labelledby="totals-title">
      <h3 id="totals-title">Totals of the window</h3>
      <dl class="totals">
        {METRICS.map((metric) => (
          <Fact
            key={metric.id}
            label={metric.title}
            value={formatValue(metric.valueOf(usage.totals), metric, usage.currency)}
          />
        ))}
      </dl>
    </section>
  );
}

function Charts({ usage, windowId, split }: { usage: UsageWindow; windowId: WindowId; split: SplitBy }) {
  const charts = useMemo(
    () => METRICS.map((metric) => ({ metric, series: seriesOf(usage, metric, split) })),
    [usage, split],
  );
  return (
    <div class="charts">
      {charts.map(({ metric, series }) => (
        <UsageChart key={metric.id} metric={metric} series={series} usage={usage} windowId={windowId} />
      ))}
    </div>
  );
}
