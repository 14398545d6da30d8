/**
 * One incident: severity, status, first and last seen, the kill chain, the entities its alerts
 * share, those alerts in kill-chain order, its timeline, and changing its status with a comment.
 */

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { can } from '../api/permissions';
import { useApi } from '../api/use-api';
import {
  ALERT_STATUSES,
  type AlertStatus,
  type IncidentDetail,
  type IncidentTimelineEntry,
  type Me,
} from '../api/types';
import { ErrorNote, Show, SeverityBadge, When } from '../components/status';
import { StatusTimeline } from '../components/status-timeline';
import { href } from '../router';

const words = (status: string) => status.replace('_', ' ');

function IncidentStatusForm(props: { incident: IncidentDetail; onDone: () => void }) {
  const [status, setStatus] = useState<AlertStatus>(props.incident.status);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `/incidents/${encodeURIComponent(props.incident.id)}`, {
        status,
        comment,
      });
      setComment('');
      props.onDone();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="incident-status-title">
      <h2 id="incident-status-title">Change status</h2>
      <label htmlFor="incident-new-status">New status</label>
      <select
        id="incident-new-status"
        value={status}
        onChange={(e) => setStatus(e.target.value as AlertStatus)}
      >
        {ALERT_STATUSES.map((s) => (
          <option key={s} value={s}>
            {words(s)}
          </option>
        ))}
      </select>
      <label htmlFor="incident-comment">Comment</label>
      <textarea
        id="incident-comment"
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

function Details({ incident }: { incident: IncidentDetail }) {
  return (
    <div className="grid">
      <section className="card" aria-labelledby="killchain-title">
        <h2 id="killchain-title">Kill chain</h2>
        {incident.tactics.length === 0 ? (
          <p className="muted">No ATT&amp;CK tactics.</p>
        ) : (
          <ol className="killchain" data-testid="kill-chain">
            {incident.tactics.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ol>
        )}
      </section>
      <section className="card" aria-labelledby="incident-entities-title">
        <h2 id="incident-entities-title">Entities</h2>
        <ul>
          {incident.entities.map((e) => (
            <li key={`${e.kind}:${e.value}`}>
              {e.kind}: <span className="mono">{e.value}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function Alerts({ incident }: { incident: IncidentDetail }) {
  const hidden = incident.alertIds.length - incident.alerts.length;
  return (
    <section aria-labelledby="incident-alerts-title">
      <h2 id="incident-alerts-title">Alerts, in kill-chain order</h2>
      <div className="table-scroll">
        <table data-testid="incident-alerts">
          <thead>
            <tr>
              <th scope="col">Alert</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">Tactics</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {incident.alerts.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={href('alerts', a.id)}>{a.title}</a>
                </td>
                <td>
                  <SeverityBadge severity={a.severity} />
                </td>
                <td>{words(a.status)}</td>
                <td>{a.attack.tactics.join(', ')}</td>
                <td>
                  <When at={a.lastSeen} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {hidden > 0 && (
        <p className="muted">{hidden} more alerts lie outside what your role may see.</p>
      )}
    </section>
  );
}

export function IncidentDetailPage({ incidentId, me }: { incidentId: string; me: Me }) {
  const path = `/incidents/${encodeURIComponent(incidentId)}`;
  const incident = useApi<IncidentDetail>(path);
  const timeline = useApi<{ items: IncidentTimelineEntry[] }>(`${path}/timeline`);
  const changed = () => {
    incident.reload();
    timeline.reload();
  };

  return (
    <Show loaded={incident}>
      {(i) => (
        <>
          <p>
            <a href={href('incidents')}>Incidents</a> ›
          </p>
          <h1 tabIndex={-1}>{i.title}</h1>
          <p>
            <SeverityBadge severity={i.severity} /> status{' '}
            <strong data-testid="incident-status">{words(i.status)}</strong> · first seen{' '}
            <When at={i.firstSeen} />, last seen <When at={i.lastSeen} />
          </p>
          <Details incident={i} />
          <Alerts incident={i} />
          <section aria-labelledby="incident-timeline-title">
            <h2 id="incident-timeline-title">Timeline</h2>
            <Show loaded={timeline}>{(t) => <StatusTimeline entries={t.items} />}</Show>
          </section>
          {can(me, 'alerts:write') && <IncidentStatusForm incident={i} onDone={changed} />}
        </>
      )}
    </Show>
  );
}
