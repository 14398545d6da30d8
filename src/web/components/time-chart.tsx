/** A line chart over time (uPlot): the score trend and alerts by severity. */

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

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
    const data: uPlot.AlignedData = [
      times.map((t) => Date.parse(t) / 1000),
      ...series.map((s) => s.values),
    ];
    const plot = new uPlot(
      {
        width,
        height: 200,
        scales: { y: yRange ? { range: yRange } : {} },
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { size: 5 },
          })),
        ],
        axes: [{}, {}],
        legend: { show: series.length > 1 },
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
