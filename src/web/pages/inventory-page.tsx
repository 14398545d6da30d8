/**
 * Inventory: every assessed resource with its health, filtered by cloud, health or text (name,
 * type or id, searched by the server over the whole inventory); the filters live in the route's
 * query string. A resource's name opens its page.
 */

import { useEffect, useState } from 'react';
import { query } from '../api/client';
import { useApi } from '../api/use-api';
import { CLOUDS, type Page, type Resource } from '../api/types';
import { choice, FilterSelect } from '../components/filter-select';
import { Show, words } from '../components/status';
import { href, replaceParams } from '../router';

const SEARCH_PAUSE_MS = 300;

const HEALTH = ['unhealthy', 'healthy', 'not_assessed'] as const;

/** Where the inventory list was last (filters and page), for the resource page's way back. */
const LAST_ADDRESS = 'palisade.inventory.address';

/** The inventory list as it was last shown in this tab, or the plain list. */
export function inventoryAddress(): string {
  const last = sessionStorage.getItem(LAST_ADDRESS);
  return last && /^#\/inventory(\?|$)/.test(last) ? last : href('inventory');
}

export function InventoryPage({ params }: { params: URLSearchParams }) {
  const [cloud, setCloud] = useState(choice(params.get('cloud'), CLOUDS));
  const [health, setHealth] = useState(choice(params.get('health'), HEALTH));
  const [text, setText] = useState(params.get('q') ?? '');
  // The server searches once typing pauses, not on every keystroke.
  const [searched, setSearched] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setSearched(text.trim()), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  // The page shown is in the address too, so a reload or Back from a resource returns to it.
  const [cursor, setCursor] = useState<string | null>(params.get('after'));
  const [history, setHistory] = useState<(string | null)[]>([]);
  useEffect(() => {
    replaceParams({ cloud, health, q: text, after: cursor ?? '' });
    sessionStorage.setItem(LAST_ADDRESS, location.hash);
  }, [cloud, health, text, cursor]);
  const list = useApi<Page<Resource>>(
    '/resources' + query({ cloud, health, q: searched, limit: 100, cursor }),
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
        <FilterSelect label="Health" value={health} options={HEALTH} onChange={change(setHealth)} />
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
          if (rows.length === 0 && !cursor) {
            return (
              <p className="muted">
                {searched || cloud || health
                  ? 'No resource matches these filters.'
                  : 'No resources yet: add a source in Settings, or run `palisade scan`.'}
              </p>
            );
          }
          return (
            <>
              <table>
                <caption>
                  {rows.length === 1 ? '1 resource' : `${rows.length} resources`} on this page
                </caption>
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
                        <a
                          href={
                            href('inventory', r.type, r.id) +
                            (r.file ? query({ file: r.file }) : '')
                          }
                        >
                          {r.name}
                        </a>
                        <div className="muted mono">{r.id}</div>
                      </td>
                      <td className="mono">{r.type}</td>
                      <td>{r.cloud}</td>
                      <td className="mono">{r.account ?? ''}</td>
                      <td>
                        <span className={`health health-${r.health}`}>{words(r.health)}</span>
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
