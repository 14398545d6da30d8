/**
 * One alert: ATT&CK mapping, entities, evidence, remediation, the rule with its author and
 * licence, its timeline of status changes, and changing its status with a comment.
 */

import { can } from '../api/permissions';
import { useApi } from '../api/use-api';
import type { AlertDetail, Me, TimelineEntry } from '../api/types';
import { RuleCredit } from '../components/rule-credit';
import { SeverityBadge, Show, When, words } from '../components/status';
import { StatusChangeForm } from '../components/status-change-form';
import { StatusTimeline } from '../components/status-timeline';
import { href } from '../router';
import { counted } from '../../report/counted.js';

type TimelineAnswer = { items: TimelineEntry[] };

export function AlertDetailPage({ alertId, me }: { alertId: string; me: Me }) {
  const alert = useApi<AlertDetail>(`/alerts/${encodeURIComponent(alertId)}`);
  const timeline = useApi<TimelineAnswer>(`/alerts/${encodeURIComponent(alertId)}/timeline`);
  const changed = () => {
    alert.reload();
    timeline.reload();
  };

  return (
    <Show loaded={alert} notFound="Alert not found">
      {(a) => (
        <>
          <p>
            <a href={href('alerts')}>Security alerts</a> ›
          </p>
          <h1 tabIndex={-1}>{a.title}</h1>
          <p>
            <SeverityBadge severity={a.severity} /> status{' '}
            <strong data-testid="alert-status">{words(a.status)}</strong> ·{' '}
            {counted(a.eventCount, 'event')} from <When at={a.firstSeen} /> to{' '}
            <When at={a.lastSeen} />
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
                    {e.role === 'actor' && ' (actor)'}
                  </li>
                ))}
              </ul>
            </section>
            {a.resources.length > 0 && (
              <section className="card" aria-labelledby="resources-title">
                <h2 id="resources-title">Assessed resources</h2>
                <ul>
                  {a.resources.map((r) => (
                    <li key={`${r.type}:${r.id}`}>
                      <a href={href('inventory', r.type, r.id)}>{r.name}</a>{' '}
                      <span className="mono">{r.type}</span>
                      {r.account && <> · {r.account}</>}
                      {Object.entries(r.tags).map(([k, v]) => (
                        <span key={k} className="tag mono">
                          {k}={v}
                        </span>
                      ))}
                    </li>
                  ))}
                </ul>
              </section>
            )}
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
          <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <Show loaded={timeline}>{(data) => <StatusTimeline entries={data.items} />}</Show>
          </section>
          {can(me, 'alerts:write') && (
            <StatusChangeForm
              path={`/alerts/${encodeURIComponent(a.id)}`}
              current={a.status}
              idPrefix="alert"
              onDone={changed}
            />
          )}
        </>
      )}
    </Show>
  );
}
