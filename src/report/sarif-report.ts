/**
 * Findings as SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab, Azure DevOps) read:
 * one result per failing finding, exempt ones carried as suppressions.
 */

import type { AssessmentResult } from '../model/assessment.js';
import type { Rule, Severity } from '../model/rule.js';
import { VERSION } from '../version.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  informational: 'note',
};

/** GitHub's `security-severity` scale (0-10). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  informational: '0.0',
};

export function renderSarif(a: AssessmentResult, rules: Rule[]): string {
  const used = new Set(a.findings.filter((f) => f.status === 'fail').map((f) => f.ruleId));
  const driverRules = rules.filter((r) => used.has(r.id));
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const results = a.findings
    .filter((f) => f.status === 'fail')
    .map((f) => ({
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        f.file
          ? {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                region: { startLine: f.line ?? 1 },
              },
            }
          : { logicalLocations: [{ fullyQualifiedName: f.resourceId, kind: 'resource' }] },
      ],
      partialFingerprints: { 'palisade/v1': `${f.ruleId}|${f.resourceType}|${f.resourceId}` },
      ...(f.exemption
        ? {
            suppressions: [
              {
                kind: 'external',
                status: 'accepted',
                justification: `${f.exemption.category}: ${f.exemption.justification}`,
              },
            ],
          }
        : {}),
    }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Palisade',
            version: VERSION,
            informationUri: 'https://github.com/palisade-security/palisade',
            rules: driverRules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description || r.title },
              help: { text: r.remediation.text, markdown: helpMarkdown(r) },
              helpUri: r.references[0],
              properties: {
                'security-severity': SECURITY_SEVERITY[r.severity],
                tags: ['security', r.cloud, r.control],
              },
            })),
          },
        },
        results,
        invocations: [
          { executionSuccessful: true, startTimeUtc: a.startedAt, endTimeUtc: a.finishedAt },
        ],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function helpMarkdown(r: Rule): string {
  const parts = [r.remediation.text];
  if (r.remediation.cli) parts.push('```sh\n' + r.remediation.cli.trim() + '\n```');
  if (r.remediation.terraform) parts.push('```hcl\n' + r.remediation.terraform.trim() + '\n```');
  return parts.join('\n\n');
}
