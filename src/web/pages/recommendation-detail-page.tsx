/**
 * One recommendation: what to fix and how, the affected resources, exempting a resource with a
 * category, justification and expiry, and deleting an exemption; after either the secure score
 * shown is re-read.
 */

import { useState, type FormEvent } from 'react';
import { api, query } from '../api/client';
import { can } from '../api/permissions';
import { useApi, type Loaded } from '../api/use-api';
import type {
  Exemption,
  ExemptionChange,
  Finding,
  Me,
  Page,
  RecommendationDetail,
  Score,
} from '../api/types';
import { FindingTable } from '../components/finding-table';
import { formatScore } from '../components/score-gauge';
import { ErrorNote, Show, SeverityBadge, When } from '../components/status';
import { href } from '../router';
import { counted } from '../../report/counted.js';

/** What an exemption change left as it was, in a sentence; empty when it left nothing. */
function leftAsTheyWere(change: ExemptionChange): string {
  const skipped = change.rederived.filter((r) => r.skipped);
  if (skipped.length === 0) return '';
  const which = skipped.map((r) => `${r.targets.join(', ')} (${r.skipped})`).join('; ');
  return ` Not applied to the stored scan of ${which}.`;
}

/** `YYYY-MM-DD` of today plus `years`, in the browser's calendar. */
function dateAhead(years: number): string {
  const day = new Date();
  day.setFullYear(day.getFullYear() + years);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function ExemptForm(props: {
  ruleId: string;
  resources: Finding[];
  onDone: (change: ExemptionChange) => void;
}) {
  const [resource, setResource] = useState(props.resources[0]?.resourceId ?? '');
  const [category, setCategory] = useState<'waiver' | 'mitigated'>('waiver');
  const [justification, setJustification] = useState('');
  // The server requires an expiry: a year ahead unless the user picks another day.
  const [expires, setExpires] = useState(dateAhead(1));
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const change = await api<ExemptionChange>('POST', '/exemptions', {
        rule: props.ruleId,
        resource,
        category,
        justification,
        expires,
      });
      setJustification('');
      props.onDone(change);
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
        Justification (10+ characters)
        <textarea
          required
          minLength={10}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
        />
      </label>
      <label>
        Expires (up to 3 years ahead)
        <input
          type="date"
          required
          min={dateAhead(0)}
          max={dateAhead(3)}
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
        />
      </label>
      {error && <ErrorNote error={error} />}
      <button type="submit" disabled={busy || !resource}>
        {busy ? 'Saving…' : 'Exempt'}
      </button>
    </form>
  );
}

/**
 * The exemptions that apply to this rule, those naming it and those whose rule is a pattern
 * matching it (`aws-s3-*`), each with a Delete button for those who may delete.
 */
function Exemptions(props: {
  ruleId: string;
  list: Loaded<Page<Exemption>>;
  mayDelete: boolean;
  onDeleted: (e: Exemption, change: ExemptionChange) => void;
}) {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState<string>();

  const remove = async (exemption: Exemption) => {
    setBusy(exemption.id);
    setError(undefined);
    try {
      const change = await api<ExemptionChange>(
        'DELETE',
        `/exemptions/${encodeURIComponent(exemption.id)}`,
      );
      props.onDeleted(exemption, change);
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section aria-labelledby="exemptions-title">
      <h2 id="exemptions-title">Exemptions</h2>
      <Show loaded={props.list}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No exemption for this recommendation.</p>
          ) : (
            <table data-testid="exemptions">
              <caption>{counted(page.items.length, 'exemption')}</caption>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Category</th>
                  <th scope="col">Justification</th>
                  <th scope="col">Expires</th>
                  <th scope="col">By</th>
                  {props.mayDelete && <th scope="col">Delete</th>}
                </tr>
              </thead>
              <tbody>
                {page.items.map((e) => (
                  <tr key={e.id}>
                    <td className="mono free-text">
                      {e.rule === props.ruleId ? 'this rule' : e.rule}
                    </td>
                    <td className="mono free-text">{e.resource}</td>
                    <td>{e.category}</td>
                    <td className="free-text">{e.justification}</td>
                    <td>{e.expires ? <When at={e.expires} /> : 'never'}</td>
                    <td>{e.createdBy}</td>
                    {props.mayDelete && (
                      <td>
                        {/* The row already shows the resource: the button names it to
                            screen readers only, so a long pattern does not stretch the column. */}
                        <button
                          type="button"
                          aria-label={`Delete exemption of ${e.resource}`}
                          disabled={busy !== undefined}
                          onClick={() => void remove(e)}
                        >
                          {busy === e.id ? 'Deleting…' : 'Delete'}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      {error && <ErrorNote error={error} />}
    </section>
  );
}

function RemediationSteps({ r }: { r: RecommendationDetail }) {
  const steps = r.remediationSteps;
  const snippets = (['cli', 'terraform', 'cloudformation', 'arm', 'kubernetes'] as const).filter(
    (k) => steps[k],
  );
  return (
    <section aria-labelledby="remediation-title">
      <h2 id="remediation-title">Remediation</h2>
      <p>{steps.text || r.remediation}</p>
      {snippets.map((k) => (
        <div key={k}>
          <h3>{k === 'cli' ? 'Command line' : k}</h3>
          <pre className="remediation" tabIndex={0}>
            {steps[k]}
          </pre>
        </div>
      ))}
      {r.references.length > 0 && (
        <ul className="free-text">
          {r.references.map((ref) => (
            <li key={ref}>
              <a href={ref} rel="noreferrer noopener" target="_blank">
                {ref}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function RecommendationDetailPage({ ruleId, me }: { ruleId: string; me: Me }) {
  const detail = useApi<RecommendationDetail>(`/recommendations/${encodeURIComponent(ruleId)}`);
  const score = useApi<Score>('/score');
  const exemptions = useApi<Page<Exemption>>(
    '/exemptions' + query({ appliesTo: ruleId, limit: 100 }),
  );
  const [notice, setNotice] = useState<string>();

  const changed = (what: string, change: ExemptionChange) => {
    setNotice(`${what}; the score below is re-read from the server.${leftAsTheyWere(change)}`);
    detail.reload();
    score.reload();
    exemptions.reload();
  };
  const exempted = (change: ExemptionChange) => changed('Exemption saved', change);
  // Exemptions apply to every account, so only an unscoped admin may delete one.
  const mayDelete = can(me, 'exemptions:write') && me.scopes.length === 0;

  return (
    <Show loaded={detail} notFound="Recommendation not found">
      {(r) => {
        const failing = r.resources.failing;
        return (
          <>
            <p>
              <a href={href('recommendations')}>Recommendations</a> ›
            </p>
            <h1 tabIndex={-1}>{r.title}</h1>
            <p>
              <SeverityBadge severity={r.severity} /> <span className="mono">{r.ruleId}</span> ·
              control {r.control} · {r.failing} unhealthy, {r.passing} healthy, {r.exempt} exempt ·
              control potential +{r.potentialIncrease.toFixed(1)}%, this rule's share +
              {r.scoreShare.toFixed(2)}%
            </p>
            <p className="score-line" aria-live="polite">
              Secure score:{' '}
              <strong data-testid="detail-score">
                {score.data?.secureScore != null ? `${formatScore(score.data.secureScore)}%` : '…'}
              </strong>
            </p>
            {notice && (
              <p className="note" role="status">
                {notice}
              </p>
            )}
            <p>{r.description}</p>
            <p className="muted small">
              {Object.entries(r.mappings)
                .filter(([, ids]) => ids.length > 0)
                .map(([standard, ids]) => `${standard}: ${ids.join(', ')}`)
                .join(' · ')}
            </p>
            <RemediationSteps r={r} />
            {can(me, 'exemptions:write') && failing.length > 0 && (
              <ExemptForm ruleId={r.ruleId} resources={failing} onDone={exempted} />
            )}
            <Exemptions
              ruleId={r.ruleId}
              list={exemptions}
              mayDelete={mayDelete}
              onDeleted={(e, change) => changed(`Exemption of ${e.resource} deleted`, change)}
            />
            <FindingTable caption="Unhealthy resources" findings={failing} />
            <FindingTable caption="Exempt resources" findings={r.resources.exempt} />
            <FindingTable caption="Healthy resources" findings={r.resources.passing} />
            {r.resources.notApplicable.length > 0 && (
              <FindingTable caption="Not applicable" findings={r.resources.notApplicable} />
            )}
          </>
        );
      }}
    </Show>
  );
}
