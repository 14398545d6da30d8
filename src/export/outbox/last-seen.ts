/**
 * What a finding was when last seen open, for a resolution the assessment resolving it cannot
 * describe alone: a resource deleted from the estate is not among the scanned resources, and a
 * rule left with no failing resource is not among the recommendations.
 */

import type { Kysely } from 'kysely';
import type { ExportRecord } from '../../model/export-record.js';
import { exportStore } from '../../store/export-store.js';
import type { FindingLifecycleRow } from '../../store/finding-lifecycle.js';
import type { Database } from '../../store/schema.js';
import { recordId } from './record-id.js';

/** A finding's rule and resource as last seen: each field only when the store still knows it. */
export interface LastSeen {
  title?: string;
  control?: string;
  remediation?: string;
  cloud?: string;
  account?: string;
  region?: string;
  tags?: Record<string, string>;
}

const SEP = '\u0000';

/** Rows per query: keeps the `in` lists far under every parameter limit. */
const CHUNK = 200;

/** The key of a (rule, resource) in the maps below. */
export function findingKey(ruleId: string, resourceType: string, resourceId: string): string {
  return ruleId + SEP + resourceType + SEP + resourceId;
}

/**
 * For each of `changes` of `targetSet`, what the finding was when last seen open: its resource
 * as stored with the last assessment that saw it open (cloud, account, region, tags), that
 * assessment's verdict (control), and the record that reported it failing (the rule's title and
 * remediation; tags and account too, for an assessment stored without tags), while the outbox
 * still holds that record. Keyed by `findingKey`.
 *
 * ```ts
 * const seen = await lastSeen(trx, targetSet, resolvedChanges);
 * seen.get(findingKey(ruleId, type, id))?.tags; // { env: 'prod' }
 * ```
 */
export async function lastSeen(
  trx: Kysely<Database>,
  targetSet: string,
  changes: readonly FindingLifecycleRow[],
): Promise<Map<string, LastSeen>> {
  const out = new Map<string, LastSeen>();
  for (let i = 0; i < changes.length; i += CHUNK) {
    const chunk = changes.slice(i, i + CHUNK);
    const wanted = new Set(chunk.map((c) => findingKey(c.rule_id, c.resource_type, c.resource_id)));
    const rules = [...new Set(chunk.map((c) => c.rule_id))];
    const resources = [...new Set(chunk.map((c) => c.resource_id))];
    const keyOf = (r: { rule_id: string; resource_type: string; resource_id: string }) =>
      findingKey(r.rule_id, r.resource_type, r.resource_id);

    const states = (
      await trx
        .selectFrom('finding_states')
        .select(['rule_id', 'resource_type', 'resource_id', 'last_assessment_id'])
        .where('target_set', '=', targetSet)
        .where('rule_id', 'in', rules)
        .where('resource_id', 'in', resources)
        .execute()
    ).filter((s) => wanted.has(keyOf(s)));
    const assessments = [...new Set(states.map((s) => s.last_assessment_id))];
    if (assessments.length === 0) continue;
    const stored = await trx
      .selectFrom('resources')
      .select(['assessment_id', 'id', 'type', 'cloud', 'account', 'region', 'tags'])
      .where('assessment_id', 'in', assessments)
      .where('id', 'in', resources)
      .execute();
    const verdicts = await trx
      .selectFrom('findings')
      .select(['assessment_id', 'rule_id', 'resource_type', 'resource_id', 'control'])
      .where('assessment_id', 'in', assessments)
      .where('rule_id', 'in', rules)
      .where('resource_id', 'in', resources)
      .execute();
    const reported = await openedRecords(trx, targetSet, rules, resources, wanted);
    // Looked up by assessment and finding, not searched: a chunk's lists hold hundreds of rows.
    const resourceOf = new Map(
      stored.map((r) => [r.assessment_id + SEP + r.type + SEP + r.id, r] as const),
    );
    const verdictOf = new Map(verdicts.map((f) => [f.assessment_id + SEP + keyOf(f), f] as const));

    for (const s of states) {
      const key = keyOf(s);
      const resource = resourceOf.get(
        s.last_assessment_id + SEP + s.resource_type + SEP + s.resource_id,
      );
      const verdict = verdictOf.get(s.last_assessment_id + SEP + key);
      const earlier = reported.get(key);
      const tags = resource ? (JSON.parse(resource.tags) as Record<string, string>) : {};
      out.set(
        key,
        compact({
          title: earlier?.title,
          control: verdict?.control || earlier?.control || undefined,
          remediation: earlier?.remediation,
          cloud: resource?.cloud ?? earlier?.cloud,
          account: resource?.account ?? earlier?.account,
          region: resource?.region ?? earlier?.region,
          // A streamed assessment stores resources without tags: the record still has them.
          tags: Object.keys(tags).length > 0 ? tags : earlier?.tags,
        }),
      );
    }
  }
  return out;
}

type RecommendationData = Extract<ExportRecord, { type: 'recommendation' }>['data'];

/**
 * The record that last reported each finding failing (new or reopened), from the outbox, where
 * it stays until every consumer has passed it and it is a week old. There is none for a finding
 * opened while the store had no consumer (no record is written then, see `hasOutboxConsumers`):
 * its resolution then takes the rule's title and remediation from the rules the resolving
 * assessment was judged with (`AssessmentResult.ruleTexts`). No table keeps rules' titles.
 */
async function openedRecords(
  trx: Kysely<Database>,
  targetSet: string,
  rules: string[],
  resources: string[],
  wanted: ReadonlySet<string>,
): Promise<Map<string, RecommendationData>> {
  const events = await trx
    .selectFrom('finding_events')
    .select(['assessment_id', 'rule_id', 'resource_type', 'resource_id'])
    .where('target_set', '=', targetSet)
    .where('change', 'in', ['new', 'reopened'])
    .where('rule_id', 'in', rules)
    .where('resource_id', 'in', resources)
    .orderBy('id')
    .execute();
  // Later events overwrite earlier ones: the latest report wins.
  const latest = new Map<string, string>();
  for (const e of events) {
    const key = findingKey(e.rule_id, e.resource_type, e.resource_id);
    if (!wanted.has(key)) continue;
    latest.set(
      key,
      recordId('recommendation', [e.assessment_id, e.rule_id, e.resource_type, e.resource_id]),
    );
  }
  const out = new Map<string, RecommendationData>();
  if (latest.size === 0) return out;
  const keyOfRecord = new Map([...latest].map(([key, id]) => [id, key]));
  const rows = await exportStore(trx)
    .selectFrom('export_outbox')
    .select(['record_id', 'body'])
    .where('record_id', 'in', [...keyOfRecord.keys()])
    .execute();
  for (const row of rows) {
    const record = JSON.parse(row.body) as ExportRecord;
    if (record.type === 'recommendation') out.set(keyOfRecord.get(row.record_id)!, record.data);
  }
  return out;
}

/** Drops absent fields. */
function compact(value: LastSeen): LastSeen {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as LastSeen;
}
