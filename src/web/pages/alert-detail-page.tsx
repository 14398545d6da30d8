/**
 * One alert: ATT&CK mapping, entities, evidence, remediation, the rule with its author and
 * licence, its timeline of status changes, and changing its status with a comment.
 */

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { can } from '../api/permissions';
import { useApi, type Loaded } from '../api/use-api';
import {
  ALERT_STATUSES,
  type AlertDetail,
  type AlertStatus,
  type Me,
  type TimelineEntry,
} from '../api/types';
import { RuleCredit } from '../components/rule-credit';
import { ErrorNote, Show, SeverityBadge, When } from '../components/status';
import { href } from '../router';

function StatusForm(props: { alert: AlertDetail; onDone: () => void }) {
  const [status, setStatus] = useState<AlertStatus>(props.alert.status);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `/alerts/${encodeURIComponent(props.alert.id)}`, { status, comment });
      setComment('');
      props.onDone();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="status-title">
      <h2 id="status-title">Change status</h2>
      <label htmlFor="alert-new-status">New status</label>
      <select
        id="alert-new-status"
        value={status}
        onChange={(e) => setStatus(e.target.value as AlertStatus)}
      >
        {ALERT_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.replace('_', ' ')}
          </option>
        ))}
      </select>
      <label htmlFor="alert-comment">Comment</label>
      <textarea
        id="alert-comment"
        required
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      {error && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save status'}
      </button>
    </form>
  );
}

type TimelineAnswer = { items: TimelineEntry[] };

function Timeline({ timeline }: { timeline: Loaded<TimelineAnswer> }) {
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <Show loaded={timeline}>
        {(data) => {
          const entries = data.items;
          if (entries.length === 0) return <p className="muted">No status changes yet.</p>;
          return (
            <ol className="timeline" data-testid="timeline">
              {entries.map((e, i) => (
                <li key={i}>
                  <When at={e.at} /> · {e.actor.name ?? e.actor.kind}:{' '}
                  {e.from === e.to ? (
                    <>comment ({e.to.replace('_', ' ')})</>
                  ) : (
                    <>
                      {e.from.replace('_', ' ')} → <strong>{e.to.replace('_', ' ')}</strong>
                    </>
                  )}
                  {e.comment && <blockquote>{e.comment}</blockquote>}
                </li>
              ))}
            </ol>
          );
        }}
      </Show>
    </section>
  );
}

export function AlertDetailPage({ alertId, me }: { alertId: string; me: Me }) {
  const alert = useApi<AlertDetail>(`/alerts/${encodeURIComponent(alertId)}`);
  const timeline = useApi<TimelineAnswer>(`/alerts/${encodeURIComponent(alertId)}/timeline`);
  const changed = () => {
    alert.reload();
    timeline.reload();
  };

  return (
    <Show loaded={alert}>
      {(a) => (
        <>
          <p>
            <a href={href('alerts')}>Security alerts</a> ›
          </p>
          <h1 tabIndex={-1}>{a.title}</h1>
          <p>
            <SeverityBadge severity={a.severity} /> status{' '}
            <strong data-testid="alert-status">{a.status.replace('_', ' ')}</strong> ·{' '}
            {a.eventCount} events from <When at={a.firstSeen} /> to <When at={a.lastSeen} />
            {a.incidentId && (
              <>
                {' '}
                · part of an <a href={href('incidents', a.incidentId)}>incident</a>
              </>
            )}
          </p>
          <p className="rule-line">
            <RuleCredit rule={a.rule} />
          </p>
          <p>{a.description}</p>
          <div className="grid">
            <section className="card" aria-labelledby="attack-title">
              <h2 id="attack-title">MITRE ATT&amp;CK</h2>
              <dl>
                <dt>Tactics</dt>
                <dd>{a.attack.tactics.join(', ') || 'none'}</dd>
                <dt>Techniques</dt>
                <dd>
                  {a.attack.techniques.map((t) => (
                    <span key={t} className="tag mono">
                      {t}
                    </span>
                  ))}
                  {a.attack.techniques.length === 0 && 'none'}
                </dd>
              </dl>
            </section>
            <section className="card" aria-labelledby="entities-title">
              <h2 id="entities-title">Entities</h2>
              <ul>
                {a.entities.map((e) => (
                  <li key={`${e.kind}:${e.value}`}>
                    {e.kind}: <span className="mono">{e.value}</span>
                  </li>
                ))}
              </ul>
            </section>
            <section className="card" aria-labelledby="remediation-title">
              <h2 id="remediation-title">Remediation</h2>
              <ol>
                {a.remediation.map((step, i) => (
                  <li key={i}>{step}</li>
                ))}
              </ol>
            </section>
          </div>
          <section aria-labelledby="evidence-title">
            <h2 id="evidence-title">Evidence</h2>
            <pre className="evidence" tabIndex={0} aria-label="Evidence events as JSON">
              {JSON.stringify(a.evidence, null, 2)}
            </pre>
          </section>
          <Timeline timeline={timeline} />
          {can(me, 'alerts:write') && <StatusForm alert={a} onDone={changed} />}
        </>
      )}
    </Show>
  );
}
