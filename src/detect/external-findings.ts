/**
 * Findings other tools raised (Security Hub ASFF, GuardDuty, GCP Security Command Center, Falco)
 * join the same alert queue: their title, severity and entities are read from their own shapes.
 */

import type { AlertEntity } from '../model/alert.js';
import type { LogEvent } from '../model/event.js';
import type { Severity } from '../model/rule.js';
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
    severity = severityFromLabel(text(f, 'Severity.Label'));
    id = text(f, 'GeneratorId', 'Id') ?? id;
    for (const r of list(f, 'Resources')) {
      const resource = text(r, 'Id');
      if (resource) entities.push({ kind: 'cloud-resource', value: resource });
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
    id = text(finding, 'parent', 'category') ?? id;
    const resource = text(finding, 'resourceName');
    if (resource) entities.push({ kind: 'cloud-resource', value: resource });
  } else if (reader === 'falco') {
    title = text(f, 'rule') ?? title;
    description = text(f, 'output') ?? '';
    severity = severityFromLabel(text(f, 'priority'));
    id = text(f, 'rule') ?? id;
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
