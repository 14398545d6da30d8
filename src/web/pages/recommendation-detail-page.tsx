/**
 * One recommendation: what to fix and how, the affected resources, and exempting a resource
 * with a category, justification and expiry, after which the secure score shown is re-read.
 */

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useApi } from '../api/use-api';
import type { AffectedResource, Me, RecommendationDetail, Score } from '../api/types';
import { formatScore } from '../components/score-gauge';
import { ErrorNote, Show, SeverityBadge } from '../components/status';

const MAY_EXEMPT = new Set(['security-admin', 'owner']);

function ExemptForm(props: {
  ruleId: string;
  resources: AffectedResource[];
  onDone: () => void;
}) {
  const [resource, setResource] = useState(props.resources[0]?.resourceId ?? '');
  const [category, setCategory] = useState<'waiver' | 'mitigated'>('waiver');
  const [justification, setJustification] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/exemptions', {
        rule: props.ruleId,
        resource,
        category,
        justification,
        ...(expires ? { expires } : {}),
      });
      setJustification('');
      props.onDone();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="exempt-title">
      <h2 id="exempt-title">Exempt a resource</h2>
      <label>
        Resource
        <select required value={resource} onChange={(e) => setResource(e.target.value)}>
          {props.resources.map((r) => (
            <option key={r.resourceId} value={r.resourceId}>
              {r.resourceName} ({r.resourceId})
            </option>
          ))}
        </select>
      </label>
      <label>
        Category
        <select
          value={category}
          onChange={(e) => setCategory(e.target.value as 'waiver' | 'mitigated')}
        >
          <option value="waiver">waiver (risk accepted)</option>
          <option value="mitigated">mitigated (handled another way)</option>
        </select>
      </label>
      <label>
        Justification
        <textarea
          required
          minLength={3}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
        />
      </label>
      <label>
        Expires
        <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
      </label>
      {error && <ErrorNote error={error} />}
      <button type="submit" disabled={busy || !resource}>
        {busy ? 'Saving…' : 'Exempt'}
      </button>
    </form>
  );
}

function ResourceTable({ resources }: { resources: AffectedResource[] }) {
  return (
    <table>
      <caption>Affected resources</caption>
      <thead>
        <tr>
          <th scope="col">Resource</th>
          <th scope="col">Type</th>
          <th scope="col">Status</th>
          <th scope="col">Why</th>
          <th scope="col">Where</th>
        </tr>
      </thead>
      <tbody>
        {resources.map((r) => (
          <tr key={r.resourceId}>
            <td>
              {r.resourceName}
              <div className="muted mono">{r.resourceId}</div>
            </td>
            <td className="mono">{r.resourceType}</td>
            <td>{r.exemption ? 'exempt' : r.status}</td>
            <td>{r.message}</td>
            <td className="mono">{r.file ? `${r.file}${r.line ? `:${r.line}` : ''}` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RecommendationDetailPage({ ruleId, me }: { ruleId: string; me: Me }) {
  const detail = useApi<RecommendationDetail>(`/recommendations/${encodeURIComponent(ruleId)}`);
  const score = useApi<Score>('/score');
  const [notice, setNotice] = useState<string>();

  const exempted = () => {
    setNotice('Exemption saved; the score below is re-read from the server.');
    detail.reload();
    score.reload();
  };

  return (
    <Show loaded={detail}>
      {(r) => {
        const affected = r.resources ?? r.findings ?? [];
        const failing = affected.filter((f) => f.status === 'fail' && !f.exemption);
        return (
          <>
            <h1 tabIndex={-1}>{r.title}</h1>
            <p>
              <SeverityBadge severity={r.severity} /> <span className="mono">{r.ruleId}</span> ·
              control {r.control} · {r.failing} unhealthy, {r.passing} healthy, {r.exempt} exempt
              · fixing all adds +{r.potentialIncrease.toFixed(1)}%
            </p>
            <p className="score-line" aria-live="polite">
              Secure score:{' '}
              <strong data-testid="detail-score">
                {score.data ? `${formatScore(score.data.secureScore)}%` : '…'}
              </strong>
            </p>
            {notice && (
              <p className="note" role="status">
                {notice}
              </p>
            )}
            {r.description && <p>{r.description}</p>}
            <section aria-labelledby="remediation-title">
              <h2 id="remediation-title">Remediation</h2>
              <pre className="remediation">{r.remediation}</pre>
            </section>
            <ResourceTable resources={affected} />
            {MAY_EXEMPT.has(me.role) && failing.length > 0 && (
              <ExemptForm ruleId={r.ruleId} resources={failing} onDone={exempted} />
            )}
          </>
        );
      }}
    </Show>
  );
}
