/**
 * One resource of the inventory: where it comes from, its findings (failing first, each rule
 * linked to its recommendation), its tags and its properties in the cloud API's own shape.
 */

import { query } from '../api/client';
import { useApi } from '../api/use-api';
import type { Finding, ResourceDetail } from '../api/types';
import { FindingTable } from '../components/finding-table';
import { Show } from '../components/status';
import { inventoryAddress } from './inventory-page';

/** Failing first, then exempt, then the rest; by rule within each. */
function byConcern(a: Finding, b: Finding): number {
  const rank = (f: Finding) => (f.exemption ? 1 : f.status === 'fail' ? 0 : 2);
  return rank(a) - rank(b) || a.ruleId.localeCompare(b.ruleId);
}

export function ResourceDetailPage(props: { type: string; resourceId: string; file?: string }) {
  const { type, resourceId, file } = props;
  // The file tells apart resources of one id declared in several files.
  const resource = useApi<ResourceDetail>(
    '/resources/detail' + query({ id: resourceId, type, file }),
  );

  return (
    <Show loaded={resource} notFound="Resource not found">
      {(r) => {
        const findings = [...r.findings].sort(byConcern);
        const tags = Object.entries(r.tags);
        return (
          <>
            <p>
              <a href={inventoryAddress()}>Inventory</a> ›
            </p>
            <h1 tabIndex={-1}>{r.name}</h1>
            <dl className="facts">
              <dt>Id</dt>
              <dd className="mono">{r.id}</dd>
              <dt>Type</dt>
              <dd className="mono">{r.type}</dd>
              <dt>Cloud</dt>
              <dd>{r.cloud}</dd>
              <dt>Account</dt>
              <dd className="mono">{r.account ?? '—'}</dd>
              <dt>Region</dt>
              <dd>{r.region ?? '—'}</dd>
              <dt>Source</dt>
              <dd className="mono">
                {r.file ? `${r.file}${r.line ? `:${r.line}` : ''}` : r.sourceKind}
              </dd>
            </dl>
            <FindingTable caption="Findings" findings={findings} byRule />
            {tags.length === 0 ? (
              <p className="muted">No tags.</p>
            ) : (
              <table>
                <caption>Tags ({tags.length})</caption>
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {tags.map(([k, v]) => (
                    <tr key={k}>
                      <td className="mono">{k}</td>
                      <td className="mono">{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <details>
              <summary>Properties (as the cloud API describes it)</summary>
              <pre className="evidence" data-testid="resource-properties">
                {JSON.stringify(r.properties, null, 2)}
              </pre>
            </details>
          </>
        );
      }}
    </Show>
  );
}
