/**
 * One usage chart: a uPlot line chart of a metric per group over the window's buckets, its legend, and the
 * same numbers in a table (in a <details>), so they can be read without seeing the canvas.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { bucketLabel, formatValue, type Metric, type Series, type UsageWindow, type WindowId } from "./dashboard-data";

interface UsageChartProps {
  metric: Metric;
  series: Series[];
  usage: UsageWindow;
  windowId: WindowId;
}

const HEIGHT = 180;
const COLOURS = 7;

export function UsageChart({ metric, series, usage, windowId }: UsageChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = holder.current;
    if (!target) return;
    const plot = new uPlot(chartOptions(target, series), chartData(usage, series), target);
    // The chart follows its column's width (a phone's included); uPlot draws at a fixed size otherwise.
    const resize = new ResizeObserver(() => plot.setSize({ width: target.clientWidth, height: HEIGHT }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, usage]);

  const titleId = `chart-${metric.id}-title`;
  return (
    <section class="usage-chart" aria-labelledby={titleId}>
      <h3 id={titleId}>{metric.title}</h3>
      <div
        ref={holder}
        class="chart-canvas"
        role="img"
        aria-label={`${metric.title} per bucket, as a line chart; the numbers are in Chart data below`}
      />
      {series.length === 0 ? (
        <p class="help">None in this usage.</p>
      ) : (
        <ul class="chart-legend" aria-label={`${metric.title} legend`}>
          {series.map((line, i) => (
            <li key={line.name}>
              <span class={`swatch series-${i % COLOURS}`} aria-hidden="true" />
              {line.name}
            </li>
          ))}
        </ul>
      )}
      <ChartTable metric={metric} series={series} usage={usage} windowId={windowId} />
    </section>
  );
}

function ChartTable({ metric, series, usage, windowId }: UsageChartProps) {
  const format = (value: number) => formatValue(value, metric, usage.currency);
  const rowTotal = (i: number) => series.reduce((total, line) => total + line.values[i]!, 0);
  const columnTotal = (line: Series) => line.values.reduce((total, value) => total + value, 0);
  // Only buckets with something in them: sixty rows of zeros would hide the few that matter.
  const busy = usage.starts.map((start, i) => ({ start, i })).filter(({ i }) => rowTotal(i) !== 0);
  return (
    <details>
      <summary>Chart data</summary>
      <div class="table-scroll">
        <table>
          <caption>
            {metric.title} per bucket{metric.unit && ` (${metric.unit})`}; buckets without any are left out.
          </caption>
          <thead>
            <tr>
              <th scope="col">Bucket</th>
              {series.map((line) => (
                <th scope="col" key={line.name}>
                  {line.name}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {busy.map(({ start, i }) => (
              <tr key={start}>
                <th scope="row">{bucketLabel(start, windowId)}</th>
                {series.map((line) => (
                  <td key={line.name}>{format(line.values[i]!)}</td>
                ))}
                <td>{format(rowTotal(i))}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {series.map((line) => (
                <td key={line.name}>{format(columnTotal(line))}</td>
              ))}
              <td data-total>{format(series.reduce((total, line) => total + columnTotal(line), 0))}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </details>
  );
}

function chartData(usage: UsageWindow, series: Series[]): uPlot.AlignedData {
  return [usage.starts.map((start) => start / 1000), ...series.map((line) => line.values)];
}

/** Colours come from the stylesheet (the light or dark scheme in force), not from constants here. */
function chartOptions(target: HTMLElement, series: Series[]): uPlot.Options {
  const style = getComputedStyle(target);
  const colour = (name: string) => style.getPropertyValue(name).trim();
  const axis = {
    stroke: colour("--fg"),
    grid: { stroke: colour("--line"), width: 1 },
    ticks: { stroke: colour("--line") },
  };
  return {
    width: target.clientWidth || 600,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: true, drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_, min, max) => [Math.min(0, min), Math.max(1, max)] } },
    axes: [axis, { ...axis, size: 60 }],
    series: [
      {},
      ...series.map((line, i) => ({
        label: line.name,
        stroke: colour(`--series-${i % COLOURS}`),
        width: 2,
        points: { show: false },
      })),
    ],
  };
}
