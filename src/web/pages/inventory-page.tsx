/** Inventory: every assessed resource with its health, filtered by cloud, type or name. */

import { useState } from 'react';
import { query } from '../api/client';
import { useApi } from '../api/use-api';
import type { Page, Resource } from '../api/types';
import { CLOUDS, FilterSelect } from '../components/filter-select';
import { Show } from '../components/status';

export function InventoryPage() {
  const [cloud, setCloud] = useState('');
  const [health, setHealth] = useState('');
  const [text, setText] = useState('');
  const [cursor, setCursor] = useState<string | null>(null);
  const [history, setHistory] = useState<(string | null)[]>([]);
  const list = useApi<Page<Resource>>('/resources' + query({ cloud, health, limit: 100, cursor }));
  const needle = text.trim().toLowerCase();
  const reset = () => {
    setCursor(null);
    setHistory([]);
  };

  return (
    <>
      <h1 tabIndex={-1}>Inventory</h1>
      <form className="filters" aria-label="Filter resources" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect
          label="Cloud"
          value={cloud}
          options={CLOUDS}
          onChange={(v) => (setCloud(v), reset())}
        />
        <FilterSelect
          label="Health"
          value={health}
          options={['unhealthy', 'healthy', 'not_assessed']}
          onChange={(v) => (setHealth(v), reset())}
        />
        <label>
          Search this page
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </form>
      <Show loaded={list}>
        {(page) => {
          const rows = page.items.filter(
            (r) =>
              !needle ||
              r.name.toLowerCase().includes(needle) ||
              r.type.toLowerCase().includes(needle) ||
              r.id.toLowerCase().includes(needle),
          );
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
                        {r.name}
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
