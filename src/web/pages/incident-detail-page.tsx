/**
 * One incident: severity, status, first and last seen, the kill chain, the entities its alerts
 * share, those alerts in kill-chain order or in the order they began (kill-chain order can read
 * backwards in time: a login after a brute force comes first by tactic), its timeline, and
 * changing its status with a comment.
 */

import { useState } from 'react';
import { can } from '../api/permissions';
import { useApi } from '../api/use-api';
import type { IncidentDetail, IncidentTimelineEntry, Me } from '../api/types';
import { SeverityBadge, Show, When, words } from '../components/status';
import { StatusChangeForm } from '../components/status-change-form';
import { StatusTimeline } from '../components/status-timeline';
import { href } from '../router';

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
              {e.role === 'actor' && ' (actor)'}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function Alerts({ incident }: { incident: IncidentDetail }) {
  const hidden = incident.alertIds.length - incident.alerts.length;
  const [order, setOrder] = useState<'kill chain' | 'time'>('kill chain');
  const alerts =
    order === 'time'
      ? [...incident.alerts].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen))
      : incident.alerts;
  return (
    <section aria-labelledby="incident-alerts-title">
      <h2 id="incident-alerts-title">
        Alerts, in {order === 'time' ? 'time' : 'kill-chain'} order
      </h2>
      <p>
        <select
          aria-label="Order of the alerts"
          value={order}
          onChange={(e) => setOrder(e.target.value === 'time' ? 'time' : 'kill chain')}
        >
          <option value="kill chain">kill-chain order</option>
          <option value="time">time order (first seen)</option>
        </select>
      </p>
      <div className="table-scroll">
        <table data-testid="incident-alerts">
          <thead>
            <tr>
              <th scope="col">Alert</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">Tactics</th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
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
                  <When at={a.firstSeen} />
                </td>
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
    <Show loaded={incident} notFound="Incident not found">
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
          {can(me, 'alerts:write') && (
            <StatusChangeForm
              path={`/incidents/${encodeURIComponent(i.id)}`}
              current={i.status}
              idPrefix="incident"
              onDone={changed}
            />
          )}
        </>
      )}
    </Show>
  );
}
