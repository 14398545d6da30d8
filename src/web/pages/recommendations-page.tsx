/**
 * Recommendations: rules with failing resources, filtered by severity, cloud, control or text;
 * the filters live in the route's query string, so a reload or a shared link keeps them.
 */

import { useEffect, useState } from 'react';
import { query } from '../api/client';
import { useApi } from '../api/use-api';
import { CLOUDS, SEVERITIES, type Page, type Recommendation } from '../api/types';
import { choice, FilterSelect } from '../components/filter-select';
import { Show, SeverityBadge } from '../components/status';
import { href, replaceParams } from '../router';

export function RecommendationsPage({ params }: { params: URLSearchParams }) {
  const [severity, setSeverity] = useState(choice(params.get('severity'), SEVERITIES));
  const [cloud, setCloud] = useState(choice(params.get('cloud'), CLOUDS));
  const [control, setControl] = useState(params.get('control') ?? '');
  const [text, setText] = useState(params.get('q') ?? '');
  useEffect(
    () => replaceParams({ severity, cloud, control, q: text }),
    [severity, cloud, control, text],
  );
  const list = useApi<Page<Recommendation>>(
    '/recommendations' + query({ severity, cloud, control, limit: 500, sort: 'rank' }),
  );
  const needle = text.trim().toLowerCase();

  return (
    <>
      <h1 tabIndex={-1}>Recommendations</h1>
      <form
        className="filters"
        aria-label="Filter recommendations"
        onSubmit={(e) => e.preventDefault()}
      >
        <FilterSelect
          label="Severity"
          value={severity}
          options={SEVERITIES}
          onChange={setSeverity}
        />
        <FilterSelect label="Cloud" value={cloud} options={CLOUDS} onChange={setCloud} />
        <label>
          Control
          <input
            value={control}
            placeholder="e.g. DP-4"
            onChange={(e) => setControl(e.target.value.toUpperCase())}
          />
        </label>
        <label>
          Search
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </form>
      <Show loaded={list}>
        {(page) => {
          const rows = page.items.filter(
            (r) =>
              !needle ||
              r.title.toLowerCase().includes(needle) ||
              r.ruleId.toLowerCase().includes(needle),
          );
          return (
            <table>
              <caption>{rows.length} recommendations</caption>
              <thead>
                <tr>
                  <th scope="col">Recommendation</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Control</th>
                  <th scope="col">Unhealthy</th>
                  <th scope="col">Healthy</th>
                  <th scope="col">Exempt</th>
                  <th scope="col">Potential increase</th>
                  <th scope="col">Rule's share</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.ruleId}>
                    <td>
                      <a href={href('recommendations', r.ruleId)}>{r.title}</a>
                      <div className="muted mono">{r.ruleId}</div>
                    </td>
                    <td>
                      <SeverityBadge severity={r.severity} />
                    </td>
                    <td>{r.control}</td>
                    <td>{r.failing}</td>
                    <td>{r.passing}</td>
                    <td>{r.exempt}</td>
                    <td>+{r.potentialIncrease.toFixed(1)}%</td>
                    <td>+{r.scoreShare.toFixed(2)}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Show>
    </>
  );
}
