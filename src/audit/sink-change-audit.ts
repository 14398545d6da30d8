/**
 * Audit entries for exports and automation rules being made or removed, the same from the API
 * and the CLI: what was changed and where its records go (each sink's destination, never a
 * secret), so the log alone tells which systems received data and from when.
 */

import type { AutomationSettings } from '../automate/automation-rule.js';
import type { ExportSettings } from '../export/exporter-config.js';
import { sinkDestination } from '../export/sinks/sink-destination.js';
import type { ServerKey } from '../server/auth/server-key.js';
import {
  automationActions,
  automationView,
  type AutomationRow,
} from '../store/automation-repository.js';
import { exportSinkConfig, exportView, type ExportRow } from '../store/export-repository.js';
import type { AuditEvent } from './audit-entry.js';

/** An audit entry's fields that describe the change (the caller adds actor and outcome). */
export type ChangeAudit = Required<Pick<AuditEvent, 'action' | 'target' | 'details'>>;

/** The entry of a created export. */
export function exportCreatedAudit(row: ExportRow, settings: ExportSettings): ChangeAudit {
  return {
    action: 'export.create',
    target: { kind: 'export', id: row.id },
    details: {
      name: row.name,
      sink: row.sink_kind,
      destination: sinkDestination(settings.sink),
      scope: settings.scope,
      types: settings.types,
    },
  };
}

/** The fields whose values differ between two configurations (values compared, never shown). */
function changedFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]),
  );
}

/**
 * The entry of a changed export: which settings changed (a secret only by name, never its value)
 * and where its records go now, with where they went before when that moved.
 */
export function exportUpdatedAudit(
  before: ExportRow,
  after: ExportRow,
  key: ServerKey,
): ChangeAudit {
  const was = exportView(before);
  const now = exportView(after);
  // The sink is compared whole below, secrets included; its listed form would hide them.
  const derived = new Set(['updatedAt', 'sink', 'secretFields']);
  const changed = changedFields({ ...was }, { ...now }).filter((field) => !derived.has(field));
  const wasSink = exportSinkConfig(before, key);
  const nowSink = exportSinkConfig(after, key);
  const sinkFields = changedFields(wasSink, nowSink);
  const from = sinkDestination(wasSink);
  const to = sinkDestination(nowSink);
  return {
    action: 'export.update',
    target: { kind: 'export', id: after.id },
    details: {
      name: after.name,
      changed: [...changed, ...sinkFields.map((field) => `sink.${field}`)],
      sink: after.sink_kind,
      destination: to,
      ...(from !== to ? { previousDestination: from } : {}),
    },
  };
}

/** The entry of a deleted export; `key` opens its secrets when the destination is one. */
export function exportDeletedAudit(row: ExportRow, key: ServerKey): ChangeAudit {
  let sink: Record<string, unknown>;
  try {
    sink = exportSinkConfig(row, key);
  } catch {
    // Sealed with another key: the fields kept in the open still say where data went.
    sink = exportView(row).sink;
  }
  return {
    action: 'export.delete',
    target: { kind: 'export', id: row.id },
    details: {
      name: row.name,
      sink: row.sink_kind,
      destination: sinkDestination(sink),
    },
  };
}

/** Each action of a rule as its audit entry names it: the sink kind and destination. */
function actionDetails(sinks: readonly Record<string, unknown>[]) {
  return sinks.map((sink) => ({ sink: String(sink.kind), destination: sinkDestination(sink) }));
}

/** The entry of a created automation rule. */
export function automationCreatedAudit(
  rule: { id: string; name: string },
  settings: AutomationSettings,
): ChangeAudit {
  return {
    action: 'automation.create',
    target: { kind: 'automation', id: rule.id },
    details: {
      name: rule.name,
      triggers: settings.triggers,
      actions: actionDetails(settings.actions.map((a) => a.sink)),
    },
  };
}

/**
 * The entry of a changed automation rule: which settings changed (an action's secret only by
 * name) and where its actions send records now.
 */
export function automationUpdatedAudit(
  before: AutomationRow,
  after: AutomationRow,
  key: ServerKey,
): ChangeAudit {
  const was = automationView(before);
  const now = automationView(after);
  const changed: string[] = (['name', 'enabled', 'triggers', 'conditions'] as const).filter(
    (field) => JSON.stringify(was[field]) !== JSON.stringify(now[field]),
  );
  const wasSinks = automationActions(before, key).map((a) => a.sink);
  const nowSinks = automationActions(after, key).map((a) => a.sink);
  for (let i = 0; i < Math.max(wasSinks.length, nowSinks.length); i += 1) {
    for (const field of changedFields(wasSinks[i] ?? {}, nowSinks[i] ?? {})) {
      changed.push(`actions[${i}].sink.${field}`);
    }
  }
  return {
    action: 'automation.update',
    target: { kind: 'automation', id: after.id },
    details: { name: after.name, changed, actions: actionDetails(nowSinks) },
  };
}

/** The entry of a deleted automation rule; `key` opens its secrets when a destination is one. */
export function automationDeletedAudit(row: AutomationRow, key: ServerKey): ChangeAudit {
  let sinks: Record<string, unknown>[];
  try {
    sinks = automationActions(row, key).map((a) => a.sink);
  } catch {
    // Sealed with another key: the fields kept in the open still say where data went.
    sinks = automationView(row).actions.map((a) => a.sink);
  }
  return {
    action: 'automation.delete',
    target: { kind: 'automation', id: row.id },
    details: { name: row.name, actions: actionDetails(sinks) },
  };
}
