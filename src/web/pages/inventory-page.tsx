/**
 * Inventory: every assessed resource with its health, filtered by cloud, health or text (name,
 * type or id, searched by the server over the whole inventory); the filters live in the route's
 * query string. A resource's name opens its page.
 */

import { useEffect, useState } from 'react';
import { query } from '../api/client';
import { useApi } from '../api/use-api';
import type { Page, Resource } from '../api/types';
import { CLOUDS, FilterSelect } from '../components/filter-select';
import { Show } from '../components/status';
import { href, replaceParams } from '../router';

export function InventoryPage({ params }: { params: URLSearchParams }) {
  const [cloud, setCloud] = useState(params.get('cloud') ?? '');
  const [health, setHealth] = useState(params.get('health') ?? '');
  const [text, setText] = useState(params.get('q') ?? '');
  useEffect(() => replaceParams({ cloud, health, q: text }), [cloud, health, text]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [history, setHistory] = useState<(string | null)[]>([]);
  const list = useApi<Page<Resource>>(
    '/resources' + query({ cloud, health, q: text.trim(), limit: 100, cursor }),
  );
  const change = (set: (v: string) => void) => (value: string) => {
    set(value);
    setCursor(null);
    setHistory([]);
  };

  return (
    <>
      <h1 tabIndex={-1}>Inventory</h1>
      <form className="filters" aria-label="Filter resources" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect label="Cloud" value={cloud} options={CLOUDS} onChange={change(setCloud)} />
        <FilterSelect
          label="Health"
          value={health}
          options={['unhealthy', 'healthy', 'not_assessed']}
          onChange={change(setHealth)}
        />
        <label>
          Search
          <input
            type="search"
            value={text}
            placeholder="name, type or id"
            onChange={(e) => change(setText)(e.target.value)}
          />
        </label>
      </form>
      <Show loaded={list}>
        {(page) => {
          const rows = page.items;
          return (
            <>
              <table>
                <caption>{rows.length} resources on this page</caption>
                <thead>
                  <tr>
                    <th scope="col">Resource</th>
                    <th scope="col">Type</th>
                    <th scope="col">Cloud</th>
                    <th scope="col">Account</th>
                    <th scope="col">Health</th>
                    <th scope="col">Source</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.key}>
                      <td>
                        <a href={href('inventory', r.type, r.id)}>{r.name}</a>
                        <div className="muted mono">{r.id}</div>
                      </td>
                      <td className="mono">{r.type}</td>
                      <td>{r.cloud}</td>
                      <td className="mono">{r.account ?? ''}</td>
                      <td>
                        <span className={`health health-${r.health}`}>
                          {r.health.replace('_', ' ')}
                        </span>
                        {r.failing ? <span className="muted"> ({r.failing} failing)</span> : null}
                      </td>
                      <td className="mono">
                        {r.file ? `${r.file}${r.line ? `:${r.line}` : ''}` : r.sourceKind}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="pager">
                <button
                  type="button"
                  disabled={history.length === 0}
                  onClick={() => {
                    setCursor(history.at(-1) ?? null);
                    setHistory(history.slice(0, -1));
                  }}
                >
                  Previous page
                </button>
                <button
                  type="button"
                  disabled={!page.nextCursor}
                  onClick={() => {
                    setHistory([...history, cursor]);
                    setCursor(page.nextCursor);
                  }}
                >
                  Next page
                </button>
              </div>
            </>
          );
        }}
      </Show>
    </>
  );
}
