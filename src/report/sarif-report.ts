/**
 * Findings as SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab, Azure DevOps) read:
 * one result per failing finding, exempt ones carried as suppressions. `palisade scan` and
 * `palisade check` both write through `renderSarifLog`.
 */

import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AssessmentResult } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import type { Rule, Severity } from '../model/rule.js';
import { VERSION } from '../version.js';
import { repositoryRelative } from '../store/target-set.js';
import { findingFingerprint, FINGERPRINT_KEY } from './sarif-fingerprint.js';

/** A SARIF result level. */
export type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = {
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

/** What `renderSarifLog` writes: the findings to report and how to place them. */
export interface SarifInput {
  /** Findings to report, each as one result (callers pass the failing ones). */
  findings: Finding[];
  /** Rules for the driver's metadata; only those with a result are listed. */
  rules: Rule[];
  startedAt?: string;
  finishedAt?: string;
  /** Result level; by default from the rule's severity. */
  level?: (f: Finding) => SarifLevel;
  /** 1-based column of the finding's line where the resource starts, when known. */
  column?: (f: Finding) => number | undefined;
  /** Extra result properties (e.g. the enforcement mode). */
  properties?: (f: Finding) => Record<string, unknown> | undefined;
  /** `runs[].automationDetails.id`: tells GitHub apart several analyses of one commit. */
  category?: string;
  /** What the category stands for, for people (`runs[].automationDetails.description`). */
  categoryDescription?: string;
  /**
   * The folder `%SRCROOT%` stands for; by default `sarifSourceRoot` of the findings' files. Logs
   * merged into one (notifications placed by a second log) pass the same one.
   */
  srcRoot?: string;
}

/**
 * The folder a SARIF log's relative URIs start from (`%SRCROOT%`): code scanning reads them from
 * the repository root, so it is the root of the git work tree the files share (run from a
 * subfolder or from outside the checkout alike), else the working folder.
 *
 * ```ts
 * sarifSourceRoot(['main.tf'], '/ci/checkout/infra'); // '/ci/checkout', a git work tree
 * ```
 */
export function sarifSourceRoot(files: (string | undefined)[], cwd = process.cwd()): string {
  const roots = new Set<string>();
  for (const file of files) {
    if (!file) continue;
    const absolute = resolve(cwd, file);
    const inRepository = repositoryRelative(file, cwd);
    if (inRepository === undefined) return cwd;
    roots.add(absolute.slice(0, absolute.length - inRepository.length).replace(/[\\/]$/, ''));
    if (roots.size > 1) return cwd;
  }
  return roots.size === 1 ? [...roots][0] : cwd;
}

/**
 * The SARIF log of an assessment's failing findings alone; `palisade scan --format sarif` writes
 * `renderScanSarif`, which adds the files and rules that failed.
 *
 * ```ts
 * await writeFile('palisade.sarif', renderSarif(assessment, rules));
 * ```
 */
export function renderSarif(a: AssessmentResult, rules: Rule[]): string {
  return renderSarifLog({
    findings: a.findings.filter((f) => f.status === 'fail'),
    rules,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
  });
}

/** URI of a finding's file as SARIF writes it: forward slashes, relative to `%SRCROOT%`. */
function artifactUri(file: string): string {
  return file
    .split('\\')
    .join('/')
    .replace(/^\.\//, '')
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
}

/**
 * A file's artifact location: relative to `srcRoot` (what `%SRCROOT%` is declared as) when it lies
 * under it, else its absolute URL (a `../../` path under %SRCROOT% maps to nothing).
 */
function artifactLocation(file: string, srcRoot: string): Record<string, string> {
  const fromRoot = relative(srcRoot, resolve(file));
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) {
    return { uri: pathToFileURL(resolve(file)).href };
  }
  return { uri: artifactUri(fromRoot), uriBaseId: '%SRCROOT%' };
}

function location(
  f: Finding,
  column: number | undefined,
  srcRoot: string,
): Record<string, unknown> {
  if (!f.file) {
    return { logicalLocations: [{ fullyQualifiedName: f.resourceId, kind: 'resource' }] };
  }
  // A finding without a line (an inventory record) is placed on its file alone: a made-up line 1
  // would send people to the wrong place.
  const region =
    f.line === undefined ? {} : { region: { startLine: f.line, startColumn: column ?? 1 } };
  return {
    physicalLocation: { artifactLocation: artifactLocation(f.file, srcRoot), ...region },
    logicalLocations: [{ fullyQualifiedName: f.resourceId, kind: 'resource' }],
  };
}

function driverRule(r: Rule): Record<string, unknown> {
  return {
    id: r.id,
    name: r.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.description || r.title },
    defaultConfiguration: { level: LEVEL[r.severity] },
    help: { text: helpText(r), markdown: helpMarkdown(r) },
    ...(r.references[0] ? { helpUri: r.references[0] } : {}),
    properties: {
      'security-severity': SECURITY_SEVERITY[r.severity],
      precision: 'high',
      'problem.severity': LEVEL[r.severity] === 'note' ? 'recommendation' : LEVEL[r.severity],
      tags: ['security', r.cloud, r.control],
    },
  };
}

/**
 * A SARIF 2.1.0 log of the given findings. Results carry a fingerprint built from the rule, the
 * resource and its file (never the line), so GitHub keeps tracking an alert when lines move.
 */
export function renderSarifLog(input: SarifInput): string {
  const used = new Set(input.findings.map((f) => f.ruleId));
  const driverRules = input.rules.filter((r) => used.has(r.id));
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const srcRoot = input.srcRoot ?? sarifSourceRoot(input.findings.map((f) => f.file));
  const results = input.findings.map((f) => {
    const extra = input.properties?.(f);
    return {
      ruleId: f.ruleId,
      ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
      level: input.level?.(f) ?? LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(f, input.column?.(f), srcRoot)],
      partialFingerprints: { [FINGERPRINT_KEY]: findingFingerprint(f) },
      properties: {
        resourceId: f.resourceId,
        resourceType: f.resourceType,
        severity: f.severity,
        ...extra,
      },
      ...(f.exemption
        ? {
            suppressions: [
              {
                // An inline suppression sits in the scanned file; an exemption lives elsewhere.
                kind: f.exemption.source.startsWith('inline suppression') ? 'inSource' : 'external',
                status: 'accepted',
                justification: `${f.exemption.category}: ${f.exemption.justification}`,
              },
            ],
          }
        : {}),
    };
  });
  const invocation: Record<string, unknown> = { executionSuccessful: true };
  if (input.startedAt) invocation.startTimeUtc = input.startedAt;
  if (input.finishedAt) invocation.endTimeUtc = input.finishedAt;
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Palisade',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: 'https://github.com/palisade-security/palisade',
            rules: driverRules.map(driverRule),
          },
        },
        ...(input.category ? { automationDetails: automationDetails(input) } : {}),
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${srcRoot}/`).href } },
        results,
        invocations: [invocation],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function automationDetails(input: SarifInput): Record<string, unknown> {
  return {
    id: `${input.category}/`,
    ...(input.categoryDescription ? { description: { text: input.categoryDescription } } : {}),
  };
}

function helpText(r: Rule): string {
  const parts = [r.remediation.text.trim()];
  if (r.remediation.cli) parts.push(r.remediation.cli.trim());
  if (r.remediation.terraform) parts.push(r.remediation.terraform.trim());
  if (r.remediation.kubernetes) parts.push(r.remediation.kubernetes.trim());
  return parts.join('\n\n');
}

function helpMarkdown(r: Rule): string {
  const parts = [r.remediation.text.trim()];
  if (r.remediation.cli) parts.push('```sh\n' + r.remediation.cli.trim() + '\n```');
  if (r.remediation.terraform) parts.push('```hcl\n' + r.remediation.terraform.trim() + '\n```');
  if (r.remediation.kubernetes) parts.push('```yaml\n' + r.remediation.kubernetes.trim() + '\n```');
  if (r.references.length > 0) parts.push(r.references.map((ref) => `- <${ref}>`).join('\n'));
  return parts.join('\n\n');
}
