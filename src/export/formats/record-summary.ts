/**
 * The few facts every message format and card needs about an export record, whatever its data
 * type: a severity, a one-line title, what it is about, and where it lives in the console.
 */

import type { ExportRecord } from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import {
  alertPage,
  compliancePage,
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
      const before = overall.previous === undefined ? 'unscored' : `${overall.previous}%`;
      return {
        severity: 'informational',
        title: `Secure score moved from ${before} to ${overall.current}%`,
        eventId: 'secure_score.changed',
        subject: 'secure-score',
        state: `${overall.current}`,
        previousState: overall.previous === undefined ? undefined : `${overall.previous}`,
        entities: record.accounts.map((value) => ({ kind: 'cloud-account', value })),
        consolePage: scorePage(),
      };
    }
    case 'compliance': {
      const d = record.data;
      return {
        severity: d.state === 'failed' ? 'medium' : 'informational',
        title: `${d.standardName} ${d.controlId} (${d.controlName}) is now ${d.state}`,
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
