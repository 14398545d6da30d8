/**
 * Overview: the secure score (gauge, trend and per control), alerts by severity over time, and the
 * recommendations that would raise the score most.
 */

import { useMemo } from 'react';
import { query } from '../api/client';
import { useApi } from '../api/use-api';
import {
  SEVERITIES,
  type Alert,
  type Page,
  type Recommendation,
  type Score,
  type ScorePoint,
} from '../api/types';
import { ControlScoreChart } from '../components/control-score-chart';
import { ScoreGauge } from '../components/score-gauge';
import { Show, SeverityBadge, When } from '../components/status';
import { TimeChart, type Series } from '../components/time-chart';
import { href } from '../router';
import { counted } from '../../report/counted.js';

const SEVERITY_COLORS: Record<string, string> = {
  critical: '#8e1b1b',
  high: '#d9480f',
  medium: '#e8a33d',
  low: '#3b7dd8',
  informational: '#868e96',
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every UTC day (`YYYY-MM-DD`) from `first` to `last`, both included. */
function everyDay(first: string, last: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Alerts counted per day of first sight (UTC) and per severity, on every day from the first
 * alert's to the last's: a day without alerts counts zero, so the line drops to zero there
 * instead of running straight from one day with alerts to the next as if there were some between.
 * `alertDays` counts the days with alerts.
 */
export function alertsBySeverityPerDay(alerts: Alert[]): {
  days: string[];
  series: Series[];
  alertDays: number;
} {
  const seen = [...new Set(alerts.map((a) => a.firstSeen.slice(0, 10)))].sort();
  const days = seen.length === 0 ? [] : everyDay(seen[0], seen[seen.length - 1]);
  const index = new Map(days.map((d, i) => [d, i]));
  const series = SEVERITIES.map((severity) => ({
    label: severity,
    color: SEVERITY_COLORS[severity],
    values: days.map(() => 0 as number | null),
  }));
  for (const alert of alerts) {
    const s = SEVERITIES.indexOf(alert.severity);
    const d = index.get(alert.firstSeen.slice(0, 10));
    if (s < 0 || d === undefined) continue;
    series[s].values[d] = (series[s].values[d] ?? 0) + 1;
  }
  return {
    days: days.map((d) => `${d}T00:00:00Z`),
    series: series.filter((s) => s.values.some(Boolean)),
    alertDays: seen.length,
  };
}

function ScoreTrend() {
  // The estate's score after each of its latest 500 assessments (the series the gauge beside it
  // ends on), newest first from the API, drawn oldest first. Not each run's own score: a
  // one-off `palisade scan` of part of the estate stored in the same store is no point of it.
  const history = useApi<Page<ScorePoint>>(
    '/score/history' + query({ series: 'overall', limit: 500, sort: '-started_at' }),
  );
  return (
    <Show loaded={history}>{(page) => <TrendChart points={page.items.slice().reverse()} />}</Show>
  );
}

function TrendChart({ points }: { points: ScorePoint[] }) {
  const times = useMemo(() => points.map((p) => p.startedAt), [points]);
  const series = useMemo(
    () => [{ label: 'Secure score %', color: '#2b8a3e', values: points.map((p) => p.secureScore) }],
    [points],
  );
  const last = points.at(-1);
  const latest =
    last === undefined
      ? 'none'
      : last.secureScore === null
        ? 'not assessed'
        : `${last.secureScore.toFixed(1)}%`;
  return (
    <TimeChart
      title="Secure score over time"
      times={times}
      series={series}
      yRange={[0, 100]}
      summary={`${points.length} assessments; latest ${latest}`}
    />
  );
}

function AlertTrend() {
  const alerts = useApi<Page<Alert>>('/alerts' + query({ limit: 500, sort: '-lastSeen' }));
  return <Show loaded={alerts}>{(page) => <AlertChart alerts={page.items} />}</Show>;
}

function AlertChart({ alerts }: { alerts: Alert[] }) {
  const { days, series, alertDays } = useMemo(() => alertsBySeverityPerDay(alerts), [alerts]);
  return (
    <TimeChart
      title="Alerts by severity over time"
      times={days}
      series={series}
      summary={`${counted(alerts.length, 'alert')} on ${counted(alertDays, 'day')}`}
    />
  );
}

function TopRecommendations() {
  const list = useApi<Page<Recommendation>>('/recommendations' + query({ limit: 5, sort: 'rank' }));
  return (
    <Show loaded={list}>
      {(page) => (
        <table>
          <caption>Top recommendations by potential score increase</caption>
          <thead>
            <tr>
              <th scope="col">Recommendation</th>
              <th scope="col">Severity</th>
              <th scope="col">Unhealthy resources</th>
              <th scope="col">Potential increase</th>
              <th scope="col">Rule's share</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((r) => (
              <tr key={r.ruleId}>
                <td>
                  <a href={href('recommendations', r.ruleId)}>{r.title}</a>
                </td>
                <td>
                  <SeverityBadge severity={r.severity} />
                </td>
                <td>{r.failing}</td>
                <td>+{r.potentialIncrease.toFixed(1)}%</td>
                <td>+{r.scoreShare.toFixed(2)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Show>
  );
}

export function OverviewPage() {
  const score = useApi<Score>('/score');
  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      <div className="grid">
        <section className="card" aria-labelledby="score-title">
          <h2 id="score-title">Secure score</h2>
          <Show loaded={score}>
            {(s) =>
              s.secureScore === null ? (
                <p className="note">Nothing assessed yet: add a source in Settings.</p>
              ) : (
                <>
                  <ScoreGauge score={s.secureScore} />
                  <p className="muted">
                    {s.currentScore} of {s.maxScore} points ·{' '}
                    {s.assessments.map((a) => (
                      <span key={a.id}>
                        {a.source?.name ?? 'scan'} assessed <When at={a.startedAt} />{' '}
                      </span>
                    ))}
                  </p>
                </>
              )
            }
          </Show>
        </section>
        <section className="card wide" aria-label="Secure score trend">
          <ScoreTrend />
        </section>
        <section className="card wide" aria-label="Secure score by control">
          <Show loaded={score}>{(s) => <ControlScoreChart controls={s.controls} />}</Show>
        </section>
        <section className="card wide" aria-label="Alerts by severity">
          <AlertTrend />
        </section>
        <section className="card wide" aria-label="Top recommendations">
          <TopRecommendations />
        </section>
      </div>
    </>
  );
}
