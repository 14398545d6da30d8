/** Alerts, incidents and timeline entries as the API shows them, and the row-to-view mapping. */

import { resourcesWithin } from '../../store/alert-resources.js';
import { Type } from '@sinclair/typebox';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { AlertResource } from '../../model/alert.js';
import type { AlertTriageColumns } from '../../store/alert-repository.js';
import type { AlertTable, IncidentTable } from '../../store/schema.js';
import type { ScopeFilter } from '../auth/scope-filter.js';

export const SeveritySchema = Type.Union([
  Type.Literal('informational'),
  Type.Literal('low'),
  Type.Literal('medium'),
  Type.Literal('high'),
  Type.Literal('critical'),
]);
export const AlertStatusSchema = Type.Union([
  Type.Literal('active'),
  Type.Literal('in_progress'),
  Type.Literal('resolved'),
  Type.Literal('dismissed'),
]);

const Entity = Type.Object({
  kind: Type.String({
    description:
      'account, host (where the activity happened), ip or remote-host (where it came from: an ' +
      'address, or a host name the log gave instead), cloud-resource, cloud-account, process or file',
  }),
  value: Type.String(),
  role: Type.Optional(
    Type.Literal('actor', {
      description:
        'the account that did what the alert is about (the login after a brute force); the ' +
        'other accounts its events name (user names guessed before) are in the evidence',
    }),
  ),
});
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

/** An alert in a list. */
export const AlertSummarySchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  rule: Type.Object({
    kind: Type.String(),
    id: Type.String(),
    title: Type.String(),
    author: Nullable(Type.String()),
    license: Nullable(Type.String()),
  }),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  eventCount: Type.Integer(),
  attack: Type.Object({
    tactics: Type.Array(Type.String()),
    techniques: Type.Array(Type.String()),
  }),
  entities: Type.Array(Entity),
  account: Nullable(Type.String()),
  incidentId: Nullable(Type.String()),
});

/** One alert with its evidence and remediation. */
export const AlertDetailSchema = Type.Composite([
  AlertSummarySchema,
  Type.Object({
    description: Type.String(),
    evidence: Type.Array(Type.Unknown(), { description: 'the first matching events, whole' }),
    remediation: Type.Array(Type.String()),
    resources: Type.Array(
      Type.Object({
        id: Type.String(),
        type: Type.String(),
        name: Type.String(),
        account: Type.Optional(Type.String()),
        tags: Type.Record(Type.String(), Type.String()),
      }),
      {
        description:
          'assessed resources the entities name, with tags, as the newest assessment saw them',
      },
    ),
  }),
]);

/** The parts of a timeline entry that alerts and incidents share. */
const timelineEntryParts = {
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    kind: Type.String(),
    id: Nullable(Type.String()),
    name: Nullable(Type.String()),
  }),
  from: AlertStatusSchema,
  to: AlertStatusSchema,
  comment: Nullable(Type.String()),
};

export const TimelineEntrySchema = Type.Object({
  ...timelineEntryParts,
  id: Type.Integer({
    description:
      '0 for the first entry, when detection raised the alert (at its first event, by ' +
      'system:detection); each status change or comment after it has its own id',
  }),
  alertId: Type.String(),
});

export const IncidentTimelineEntrySchema = Type.Object({
  ...timelineEntryParts,
  incidentId: Type.String(),
});

/** PATCH body of an alert or an incident: a new status, a comment, or both. */
export const StatusChangeBody = Type.Object(
  {
    status: Type.Optional(AlertStatusSchema),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const IncidentSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  alertIds: Type.Array(Type.String(), { description: 'in kill-chain order' }),
  entities: Type.Array(Entity),
  tactics: Type.Array(Type.String(), { description: 'ATT&CK tactics, in kill-chain order' }),
});

export type AlertRow = AlertTable & Partial<AlertTriageColumns>;

const json = <T>(text: string, fallback: T): T => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/** A stored alert as listed. */
export function alertSummary(row: AlertRow) {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    rule: {
      kind: row.rule_kind,
      id: row.rule_id,
      title: row.rule_title,
      author: row.rule_author,
      license: row.rule_license,
    },
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    eventCount: row.event_count,
    attack: json(row.attack, { tactics: [], techniques: [] }),
    entities: json(row.entities, []),
    account: row.account ?? null,
    incidentId: row.incident_id,
  };
}

/**
 * A stored alert with evidence and remediation, as a caller limited to `scopes` (accounts; none:
 * every account) may see it: its linked resources only of those accounts (`resourcesWithin`).
 */
export function alertDetail(row: AlertRow, scopes: readonly string[]) {
  return {
    ...alertSummary(row),
    description: row.description,
    evidence: json<unknown[]>(row.evidence, []),
    remediation: json<string[]>(row.remediation, []),
    resources: resourcesWithin(json<AlertResource[]>(row.resources, []), scopes),
  };
}

/** A stored incident. */
export function incidentView(row: IncidentTable) {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    alertIds: json<string[]>(row.alerts, []),
    entities: json(row.entities, []),
    tactics: json<string[]>(row.tactics, []),
  };
}

/** A LIKE pattern matching `text` literally (with `escape '\'`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The JSON text an entity has inside a stored `entities` column, up to its value: a `role`, when
 * it has one, follows (`,"role":"actor"}`), else the object closes (`}`).
 */
export function entityJson(value: string, kind?: string): string {
  const v = JSON.stringify(value);
  return kind ? `{"kind":${JSON.stringify(kind)},"value":${v}` : `"value":${v}`;
}

/**
 * Rows whose JSON `entities` column names `value` (of `kind` when given), with a role or without.
 */
export function whereEntity<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  value: string,
  kind?: string,
): SelectQueryBuilder<DB, TB, O> {
  const text = likeLiteral(entityJson(value, kind));
  const [plain, withRole] = [`%${text}}%`, `%${text},"role":%`];
  return query.where(
    sql<boolean>`(${sql.ref(column)} like ${plain} escape '\\' or ${sql.ref(column)} like ${withRole} escape '\\')`,
  );
}

/** Incidents a scoped caller may see: those naming one of its cloud accounts. */
export function whereIncidentInScope<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  filter: ScopeFilter,
): SelectQueryBuilder<DB, TB, O> {
  if (filter.unrestricted) return query;
  if (filter.accounts.length === 0) return query.where(sql<boolean>`1 = 0`);
  // Cloud accounts carry no role: their text closes after the value.
  const patterns = filter.accounts.map((a) => `%${likeLiteral(entityJson(a, 'cloud-account'))}}%`);
  return query.where(
    sql<boolean>`(${sql.join(
      patterns.map((p) => sql`${sql.ref('entities')} like ${p} escape '\\'`),
      sql` or `,
    )})`,
  );
}
