/**
 * The few facts every message format and card needs about an export record, whatever its data
 * type: a severity, a one-line title, what it is about, and where it lives in the console.
 */

import type { ExportRecord } from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import {
  alertPage,
  compliancePage,
  incidentPage,
  recommendationPage,
  scorePage,
  type ConsolePage,
} from '../console-link.js';

/** One record reduced to what a person or a flat format needs first. */
export interface RecordSummary {
  severity: Severity;
  /** One line, in the domain's words. */
  title: string;
  /** Event class for flat formats: `alert.created`, `recommendation.fail`, ... */
  eventId: string;
  /** The thing the record is about: alert id, `rule/resource`, standard control, `score`. */
  subject: string;
  /** State after the change (alert status, finding state, compliance state). */
  state?: string;
  previousState?: string;
  /** Entities or resources the record names, as `kind:value`. */
  entities: { kind: string; value: string }[];
  /** The record's page in the console (see `consoleLink`). */
  consolePage: ConsolePage;
}

/** A score as flat formats carry it: the percentage, or `not_assessed` when nothing is judged. */
export function scoreState(percent: number | null): string {
  return percent === null ? 'not_assessed' : `${percent}`;
}

/** A score as people read it. */
export function scoreWords(percent: number | null | undefined): string {
  if (percent === undefined) return 'unscored';
  return percent === null ? 'not assessed' : `${percent}%`;
}

/** The one-line title of a secure score record. */
function scoreTitle(previous: number | null | undefined, current: number | null): string {
  if (current === null) {
    return (
      `Secure score is not assessed (was ${scoreWords(previous)}): nothing is judged, ` +
      'every finding is exempt or not applicable'
    );
  }
  return `Secure score moved from ${scoreWords(previous)} to ${scoreWords(current)}`;
}

/** Facts shared by every format about one record. */
export function summarize(record: ExportRecord): RecordSummary {
  switch (record.type) {
    case 'alert': {
      const { alert, change, previousStatus } = record.data;
      return {
        severity: alert.severity,
        title: alert.title,
        eventId: `alert.${change}`,
        subject: alert.id,
        state: alert.status,
        previousState: previousStatus,
        entities: alert.entities.map((e) => ({ kind: e.kind, value: e.value })),
        consolePage: alertPage(alert.id),
      };
    }
    case 'incident': {
      const { incident, previousStatus } = record.data;
      return {
        severity: incident.severity,
        title: incident.title,
        eventId: `incident.${record.data.change}`,
        subject: incident.id,
        state: incident.status,
        previousState: previousStatus,
        entities: incident.entities.map((e) => ({ kind: e.kind, value: e.value })),
        consolePage: incidentPage(incident.id),
      };
    }
    case 'recommendation': {
      const d = record.data;
      return {
        severity: d.severity,
        title: `${d.title}: ${d.resourceName} is now ${d.state}`,
        eventId: `recommendation.${d.state}`,
        subject: `${d.ruleId}/${d.resourceId}`,
        state: d.state,
        previousState: d.previousState,
        entities: [{ kind: 'cloud-resource', value: d.resourceId }],
        consolePage: recommendationPage(d.ruleId),
      };
    }
    case 'secure_score': {
      const { overall } = record.data;
      return {
        severity: 'informational',
        title: scoreTitle(overall.previous, overall.current),
        eventId: 'secure_score.changed',
        subject: 'secure-score',
        state: scoreState(overall.current),
        previousState: overall.previous === undefined ? undefined : scoreState(overall.previous),
        entities: record.accounts.map((value) => ({ kind: 'cloud-account', value })),
        consolePage: scorePage(),
      };
    }
    case 'compliance': {
      const d = record.data;
      const control = `${d.standardName} ${d.controlId} (${d.controlName})`;
      return {
        severity: d.state === 'failed' ? 'medium' : 'informational',
        title:
          d.state === 'manual'
            ? `${control} is manual: no Palisade rule checks it, assess it by hand`
            : `${control} is now ${d.state}`,
        eventId: `compliance.${d.state}`,
        subject: `${d.standard}/${d.controlId}`,
        state: d.state,
        previousState: d.previousState,
        entities: record.accounts.map((value) => ({ kind: 'cloud-account', value })),
        consolePage: compliancePage(d.standard, d.controlId),
      };
    }
  }
}
