/**
 * Findings other tools raised (Security Hub ASFF, GuardDuty, GCP Security Command Center, Falco)
 * join the same alert queue: their title, severity and entities are read from their own shapes.
 */

import type { AlertEntity } from '../model/alert.js';
import type { LogEvent } from '../model/event.js';
import type { Severity } from '../model/rule.js';
import { asffPrincipals, asffResourceIds } from '../logs/asff-reader.js';
import { named } from '../logs/finding-shapes.js';
import type { DetectionHit } from './alert-builder.js';

const EXTERNAL_READERS = new Set(['asff', 'guardduty', 'gcp-scc', 'falco']);

function get(record: unknown, path: string): unknown {
  let current = record;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The list at `path`, or none when the value there is not a list. */
function list(record: unknown, path: string): unknown[] {
  const v = get(record, path);
  return Array.isArray(v) ? v : [];
}

function text(record: unknown, ...paths: string[]): string | undefined {
  for (const p of paths) {
    const v = get(record, p);
    if (typeof v === 'string' && v.trim()) return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

function severityFromLabel(label: string | undefined): Severity {
  const l = (label ?? '').toLowerCase();
  if (['critical', 'emergency', 'alert'].includes(l)) return 'critical';
  if (['high', 'error'].includes(l)) return 'high';
  if (['medium', 'warning'].includes(l)) return 'medium';
  if (['low', 'notice'].includes(l)) return 'low';
  return 'informational';
}

/**
 * A Security Hub finding's severity: `Severity.Label`, else the label Security Hub derived
 * (`ProductFields["aws/securityhub/SeverityLabel"]`), else the deprecated `Normalized` score on
 * AWS's documented ranges, else the product's own `Product` score (0-10 scales, as GuardDuty's,
 * read as tenths of the 0-100 range).
 */
function asffSeverity(f: Record<string, unknown>): Severity {
  const labels = [
    text(f, 'Severity.Label', 'FindingProviderFields.Severity.Label'),
    // `get` splits on dots only: the key's slashes stay whole.
    text(f, 'ProductFields.aws/securityhub/SeverityLabel'),
  ];
  for (const l of labels) {
    if (l && ASFF_LABELS.has(l.toLowerCase())) return l.toLowerCase() as Severity;
  }
  const normalized = score(get(f, 'Severity.Normalized'));
  if (normalized !== undefined) return severityFromNormalized(normalized);
  const product = score(get(f, 'Severity.Product'));
  if (product !== undefined) return severityFromNormalized(product <= 10 ? product * 10 : product);
  return 'informational';
}

const ASFF_LABELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);

function score(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** AWS's ASFF ranges: 0 informational, 1-39 low, 40-69 medium, 70-89 high, 90-100 critical. */
function severityFromNormalized(n: number): Severity {
  if (n >= 90) return 'critical';
  if (n >= 70) return 'high';
  if (n >= 40) return 'medium';
  if (n >= 1) return 'low';
  return 'informational';
}

/**
 * What a Security Hub finding is a finding of. `GeneratorId` may name one check (a CIS control)
 * or a whole detector (GuardDuty's detector ARN, behind every GuardDuty finding type), so the
 * finding's `Types` (GuardDuty's finding type is their classifier) join it: findings of different
 * types stay apart, and updates of one finding (same `Id`, same type) fold into one alert.
 */
function asffRuleId(f: Record<string, unknown>): string | undefined {
  const generator = text(f, 'GeneratorId');
  const types = list(f, 'Types')
    .filter((t): t is string => typeof t === 'string' && t.trim() !== '')
    .sort();
  if (!generator) return types.length > 0 ? types.join(',') : text(f, 'Id');
  return types.length > 0 ? `${generator}|${types.join(',')}` : generator;
}

/** GuardDuty's 0-10 scale: 7+ high, 4+ medium, else low. */
function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** True when the event is another tool's finding. */
export function isExternalFinding(event: LogEvent): boolean {
  return EXTERNAL_READERS.has(event.source.reader);
}

/** Reads another tool's finding as a detection hit. */
export function externalHit(event: LogEvent): DetectionHit {
  const f = event.fields;
  const reader = event.source.reader;
  let title = 'External finding';
  let severity: Severity = 'medium';
  let description = '';
  let id = reader;
  const tags: string[] = [];
  const entities: AlertEntity[] = [];

  if (reader === 'asff') {
    title = text(f, 'Title') ?? title;
    description = text(f, 'Description') ?? '';
    severity = asffSeverity(f);
    id = asffRuleId(f) ?? id;
    // The resources identify the activity; a finding on none (an access key written as
    // `AWS::IAM::AccessKey:null`) is identified by the principal instead.
    for (const resource of asffResourceIds(f))
      entities.push({ kind: 'cloud-resource', value: resource });
    if (entities.length === 0) {
      for (const user of asffPrincipals(f)) entities.push({ kind: 'account', value: user });
    }
  } else if (reader === 'guardduty') {
    title = text(f, 'Title', 'title', 'detail.title') ?? title;
    description = text(f, 'Description', 'description', 'detail.description') ?? '';
    const score = Number(text(f, 'Severity', 'severity', 'detail.severity'));
    severity = Number.isFinite(score) ? severityFromScore(score) : 'medium';
    id = text(f, 'Type', 'type', 'detail.type') ?? id;
  } else if (reader === 'gcp-scc') {
    const finding = get(f, 'finding') ?? f;
    title = text(finding, 'category') ?? title;
    description = text(finding, 'description', 'sourceProperties.description') ?? '';
    severity = severityFromLabel(text(finding, 'severity'));
    // The source (`parent`) raises findings of many categories: each category is its own rule.
    const source = text(finding, 'parent');
    const category = text(finding, 'category');
    id = (source && category ? `${source}|${category}` : (source ?? category)) ?? id;
    const resource = named(get(finding, 'resourceName'));
    if (resource) entities.push({ kind: 'cloud-resource', value: resource });
  } else if (reader === 'falco') {
    title = text(f, 'rule') ?? title;
    description = text(f, 'output') ?? '';
    severity = severityFromLabel(text(f, 'priority'));
    id = text(f, 'rule') ?? id;
    // Who, where, and the file the alert is about, else the process: Falco's own kinds, which
    // the envelope's target (a cloud resource to alerts) cannot carry.
    if (event.actor) entities.push({ kind: 'account', value: event.actor });
    if (event.host) entities.push({ kind: 'host', value: event.host });
    // Falco's field names hold dots (`fd.name`): read them as keys, not as paths.
    const outputs = get(f, 'output_fields');
    const output = (key: string): string | undefined =>
      typeof outputs === 'object' && outputs !== null && !Array.isArray(outputs)
        ? named((outputs as Record<string, unknown>)[key])
        : undefined;
    const file = output('fd.name');
    const process = output('proc.cmdline') ?? output('proc.exepath') ?? output('proc.name');
    if (file) entities.push({ kind: 'file', value: file });
    else if (process) entities.push({ kind: 'process', value: process });
    for (const t of list(f, 'tags')) {
      if (typeof t === 'string' && /^(T\d{4}|mitre_)/i.test(t))
        tags.push(`attack.${t.replace(/^mitre_/, '').replace(/_/g, '-')}`);
    }
  }
  return {
    rule: { kind: 'external', id: `${reader}:${id}`, title, source: reader },
    title,
    description,
    severity,
    tags,
    events: [event],
    entities,
  };
}
