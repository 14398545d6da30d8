/**
 * Regulatory compliance: every standard with its passed and failed controls, a standard's
 * controls, and a control's resources.
 */

import { useApi } from '../api/use-api';
import type { ControlDetail, CurrentAssessment, Standard, StandardSummary } from '../api/types';
import { FindingTable } from '../components/finding-table';
import { Show, words } from '../components/status';
import { href } from '../router';

type StandardList = { assessments: CurrentAssessment[]; standards: StandardSummary[] };

function Standards() {
  const list = useApi<StandardList>('/compliance');
  return (
    <>
      <h1 tabIndex={-1}>Regulatory compliance</h1>
      <Show loaded={list}>
        {(data) => (
          <ul className="tiles">
            {data.standards.map((s) => {
              const assessed = s.passed + s.failed;
              return (
                <li key={s.id} className="card">
                  <h2>
                    <a href={href('compliance', s.id)}>{s.name}</a>
                  </h2>
                  <meter
                    min={0}
                    max={Math.max(1, assessed)}
                    value={s.passed}
                    aria-label="passed controls"
                  />
                  <p>
                    {s.passed} of {assessed} assessed controls passed · {s.notAssessed} not assessed
                    · {s.manual} manual (no automated check)
                  </p>
                </li>
              );
            })}
          </ul>
        )}
      </Show>
    </>
  );
}

/** A control no rule checks is manual: nothing could ever judge it automatically. */
function stateOf(c: { state: string; rules: string[] }): string {
  return c.rules.length === 0 ? 'manual' : c.state;
}

function StandardControls({ standardId }: { standardId: string }) {
  const detail = useApi<Standard>(`/compliance/${encodeURIComponent(standardId)}`);
  return (
    <Show loaded={detail}>
      {(s) => (
        <>
          <p>
            <a href={href('compliance')}>Regulatory compliance</a> ›
          </p>
          <h1 tabIndex={-1}>{s.name}</h1>
          <table>
            <caption>
              {s.passed} passed, {s.failed} failed, {s.notAssessed} not assessed, {s.manual} manual
              (no automated check)
            </caption>
            <thead>
              <tr>
                <th scope="col">Control</th>
                <th scope="col">Title</th>
                <th scope="col">State</th>
                <th scope="col" title="one rule on one resource">
                  Failing checks
                </th>
                <th scope="col" title="one rule on one resource">
                  Passing checks
                </th>
              </tr>
            </thead>
            <tbody>
              {s.controls.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={href('compliance', s.id, 'controls', c.id)}>{c.id}</a>
                  </td>
                  <td>{c.title}</td>
                  <td>
                    <span className={`state state-${stateOf(c)}`}>{words(stateOf(c))}</span>
                  </td>
                  <td>{c.failing}</td>
                  <td>{c.passing}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Show>
  );
}

function ControlResources(props: { standardId: string; controlId: string }) {
  const path =
    `/compliance/${encodeURIComponent(props.standardId)}` +
    `/controls/${encodeURIComponent(props.controlId)}`;
  const detail = useApi<ControlDetail>(path);
  return (
    <>
      <p>
        <a href={href('compliance')}>Regulatory compliance</a> ›{' '}
        <a href={href('compliance', props.standardId)}>{props.standardId}</a> ›
      </p>
      <Show loaded={detail}>
        {(c) => (
          <>
            <h1 tabIndex={-1}>
              {c.id} {c.title}
            </h1>
            <p>
              State: <span className={`state state-${stateOf(c)}`}>{words(stateOf(c))}</span> ·
              rules:{' '}
              {c.rules.map((r) => (
                <a key={r} className="mono tag" href={href('recommendations', r)}>
                  {r}
                </a>
              ))}
            </p>
            <FindingTable caption="Resources assessed for this control" findings={c.findings} />
          </>
        )}
      </Show>
    </>
  );
}

export function CompliancePage(props: { standardId?: string; controlId?: string }) {
  if (props.standardId && props.controlId) {
    return <ControlResources standardId={props.standardId} controlId={props.controlId} />;
  }
  if (props.standardId) return <StandardControls standardId={props.standardId} />;
  return <Standards />;
}
