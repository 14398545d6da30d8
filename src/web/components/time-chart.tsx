/**
 * A line chart over time (uPlot): the score trend and alerts by severity. A chart of one point
 * gets the day before it (and two hours after, so the point is not cut at the edge) and a value
 * range around it, so its axes read as dates and numbers rather than collapsing onto one instant,
 * and do not run on into a future nothing has been measured in.
 */

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** The x range before a chart's only point, and after it, in seconds. */
const SINGLE_POINT_BEFORE_S = 24 * 60 * 60;
const SINGLE_POINT_AFTER_S = 2 * 60 * 60;

/** An x range for `xs` when they hold one distinct time; undefined lets uPlot choose. */
export function singlePointXRange(xs: number[]): [number, number] | undefined {
  if (xs.length === 0 || xs.some((x) => x !== xs[0])) return undefined;
  return [xs[0] - SINGLE_POINT_BEFORE_S, xs[0] + SINGLE_POINT_AFTER_S];
}

/** A y range from 0 to a little above the largest value, when values cannot span a range. */
function flatYRange(series: Series[]): [number, number] {
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
  return [0, max > 0 ? Math.ceil(max * 1.25) : 1];
}

export interface Series {
  label: string;
  /** One value per x, null for a gap. */
  values: (number | null)[];
  color: string;
}

/** Chart of `series` over `times` (ISO strings), with a text summary for screen readers. */
export function TimeChart(props: {
  title: string;
  times: string[];
  series: Series[];
  yRange?: [number, number];
  summary: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const { times, series, yRange, title } = props;

  useEffect(() => {
    const element = host.current;
    if (!element || times.length === 0) return;
    const width = Math.max(320, element.clientWidth);
    const xs = times.map((t) => Date.parse(t) / 1000);
    const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values)];
    const xRange = singlePointXRange(xs);
    const y = yRange ?? (xRange ? flatYRange(series) : undefined);
    const plot = new uPlot(
      {
        width,
        height: 200,
        scales: {
          // As a function, the range replaces the one uPlot would take from the data.
          x: xRange ? { time: true, range: () => xRange } : { time: true },
          y: y ? { range: y } : {},
        },
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            // A lone point has no line through it: always draw the points then.
            points: { size: xRange ? 8 : 5, ...(xRange ? { show: true } : {}) },
          })),
        ],
        axes: [{}, {}],
        legend: { show: series.length > 1 },
        hooks: {
          // The drawn ranges, on the element: the axes are canvas, so tests read them here.
          setScale: [
            (u, key) => {
              const scale = u.scales[key];
              element.dataset[`${key}Min`] = String(scale?.min ?? '');
              element.dataset[`${key}Max`] = String(scale?.max ?? '');
            },
          ],
        },
      },
      data,
      element,
    );
    return () => plot.destroy();
  }, [times, series, yRange]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {times.length === 0 ? (
        <p className="muted">No data yet.</p>
      ) : (
        <div ref={host} role="img" aria-label={props.summary} />
      )}
    </figure>
  );
}
