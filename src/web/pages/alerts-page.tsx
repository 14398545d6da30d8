/**
 * The security alert queue, filtered by severity, status, entity and time, newest first; the
 * filters and the page live in the route's query string, so a reload or a shared link keeps them.
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

/** Where in the queue the list starts: the API's cursor (null for the first page) and its number. */
interface At {
  cursor: string | null;
  page: number;
}

const FIRST: At = { cursor: null, page: 1 };

/**
 * The page from the address. The cursor says where the page starts (it is the API's opaque key
 * of the last alert before it, so a shared link shows the same alerts even once newer ones
 * arrive); the number is only shown, and is 2 when a hand-edited link spells it wrong.
 */
function pageFrom(params: URLSearchParams): At {
  const cursor = params.get('cursor');
  if (!cursor) return FIRST;
  const page = Number(params.get('page'));
  return { cursor, page: Number.isSafeInteger(page) && page > 1 ? page : 2 };
}

export function AlertsPage({ params }: { params: URLSearchParams }) {
  const [severity, setSeverity] = useState(choice(params.get('severity'), SEVERITIES));
  const [status, setStatus] = useState(choice(params.get('status'), ALERT_STATUSES));
  const [entity, setEntity] = useState(params.get('entity') ?? '');
  const [from, setFrom] = useState(params.get('since') ?? '');
  const [at, setAt] = useState(() => pageFrom(params));
  const { cursor } = at;
  useEffect(
    () =>
      replaceParams({
        severity,
        status,
        entity,
        since: from,
        page: cursor ? String(at.page) : '',
        cursor: cursor ?? '',
      }),
    [severity, status, entity, from, cursor, at.page],
  );
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
    setAt(FIRST);
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
              <button type="button" disabled={cursor === null} onClick={() => setAt(FIRST)}>
                First page
              </button>
              <span data-testid="page-number">Page {at.page}</span>
              <button
                type="button"
                disabled={!page.nextCursor}
                onClick={() => setAt({ cursor: page.nextCursor, page: at.page + 1 })}
              >
                Next page
              </button>
            </div>
          </>
        )}
      </Show>
      {list.error && cursor !== null && (
        <button type="button" onClick={() => setAt(FIRST)}>
          First page
        </button>
      )}
    </>
  );
}
