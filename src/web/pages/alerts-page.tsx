/**
 * The security alert queue, filtered by severity, status, entity and time, newest first; the
 * filters live in the route's query string, so a reload or a shared link keeps them.
 */

import { useEffect, useState } from 'react';
import { query } from '../api/client';
import { useApi } from '../api/use-api';
import { ALERT_STATUSES, SEVERITIES, type Alert, type Page } from '../api/types';
import { RuleCredit } from '../components/rule-credit';
import { choice, FilterSelect } from '../components/filter-select';
import { SeverityBadge, Show, When, words } from '../components/status';
import { href, replaceParams } from '../router';
import { counted } from '../../report/counted.js';

export function AlertsPage({ params }: { params: URLSearchParams }) {
  const [severity, setSeverity] = useState(choice(params.get('severity'), SEVERITIES));
  const [status, setStatus] = useState(choice(params.get('status'), ALERT_STATUSES));
  const [entity, setEntity] = useState(params.get('entity') ?? '');
  const [from, setFrom] = useState(params.get('since') ?? '');
  useEffect(
    () => replaceParams({ severity, status, entity, since: from }),
    [severity, status, entity, from],
  );
  const [cursor, setCursor] = useState<string | null>(null);
  const list = useApi<Page<Alert>>(
    '/alerts' +
      query({
        severity,
        status,
        entity,
        since: from ? new Date(from).toISOString() : '',
        sort: '-lastSeen',
        limit: 50,
        cursor,
      }),
  );
  const change = (set: (v: string) => void) => (value: string) => {
    set(value);
    setCursor(null);
  };

  return (
    <>
      <h1 tabIndex={-1}>Security alerts</h1>
      <form className="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect
          label="Severity"
          value={severity}
          options={SEVERITIES}
          onChange={change(setSeverity)}
        />
        <FilterSelect
          label="Status"
          value={status}
          options={ALERT_STATUSES}
          onChange={change(setStatus)}
        />
        <label>
          Entity
          <input
            value={entity}
            placeholder="user, IP, host, resource"
            onChange={(e) => change(setEntity)(e.target.value)}
          />
        </label>
        <label>
          Since
          <input
            type="datetime-local"
            value={from}
            onChange={(e) => change(setFrom)(e.target.value)}
          />
        </label>
      </form>
      <Show loaded={list}>
        {(page) => (
          <>
            <table>
              <caption>
                {counted(page.items.length, 'alert')}
                {page.nextCursor ? ' on this page; more on the next' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Alert</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Status</th>
                  <th scope="col">Entities</th>
                  <th scope="col">Events</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <a href={href('alerts', a.id)}>{a.title}</a>
                      <div className="muted small">
                        <RuleCredit rule={a.rule} />
                      </div>
                    </td>
                    <td>
                      <SeverityBadge severity={a.severity} />
                    </td>
                    <td>{words(a.status)}</td>
                    <td className="mono small">
                      {a.entities
                        .slice(0, 3)
                        .map((e) => `${e.kind}: ${e.value}`)
                        .join(', ')}
                    </td>
                    <td>{a.eventCount}</td>
                    <td>
                      <When at={a.lastSeen} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="pager">
              <button type="button" disabled={cursor === null} onClick={() => setCursor(null)}>
                First page
              </button>
              <button
                type="button"
                disabled={!page.nextCursor}
                onClick={() => setCursor(page.nextCursor)}
              >
                Next page
              </button>
            </div>
          </>
        )}
      </Show>
    </>
  );
}
