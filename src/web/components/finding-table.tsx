/**
 * Findings as a table: the resource (or, on a resource's own page, the rule), its verdict (or
 * exemption) and the reason in one sentence.
 */

import type { Finding } from '../api/types';
import { href } from '../router';
import { words } from './status';

function verdict(f: Finding): string {
  if (f.exemption) return `exempt (${f.exemption.category})`;
  return words(f.status);
}

export function FindingTable({
  caption,
  findings,
  byRule = false,
}: {
  caption: string;
  findings: Finding[];
  /** One resource's findings: the first column names the rule, linked to its recommendation. */
  byRule?: boolean;
}) {
  return (
    <table>
      <caption>
        {caption} ({findings.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">{byRule ? 'Rule' : 'Resource'}</th>
          {!byRule && <th scope="col">Type</th>}
          <th scope="col">Verdict</th>
          <th scope="col">Why</th>
          <th scope="col">Where</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f) => (
          <tr key={f.id}>
            {byRule ? (
              <td>
                <a href={href('recommendations', f.ruleId)} className="mono">
                  {f.ruleId}
                </a>
              </td>
            ) : (
              <>
                <td>
                  {f.resourceName}
                  <div className="muted mono">{f.resourceId}</div>
                </td>
                <td className="mono">{f.resourceType}</td>
              </>
            )}
            <td className={`verdict-${f.exemption ? 'exempt' : f.status}`}>{verdict(f)}</td>
            <td className="free-text">{f.exemption ? f.exemption.justification : f.message}</td>
            <td className="mono">{f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
