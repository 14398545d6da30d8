/**
 * Saves an assessment made by the streaming scan (`assessStream`): its failing and error
 * findings and its resource summaries (no properties), in batches, with the same assessments,
 * control scores, source files and finding lifecycle as `saveAssessment`.
 */

// Known gap: the streaming result has no passing or not-applicable findings, so an open
// lifecycle finding whose resource is still scanned but no longer fails is resolved with reason
// `passed`, even when the rule now finds it not applicable.
// Known gap: the lifecycle update holds every failing (rule, resource) of the assessment in
// memory at once (finding-lifecycle.ts), about 3 million for a million resources.

import type { Kysely } from 'kysely';
import type { AssessmentResult } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import { emitAssessmentRecords } from '../export/outbox/assessment-records.js';
import { insertAssessmentRecords } from './assessment-repository.js';
import { updateFindingLifecycle } from './finding-lifecycle.js';
import type { Database } from './schema.js';
import { targetSetKey } from './target-set.js';

const SEP = '\u0000';

/**
 * Open lifecycle findings of `targetSet` that this assessment did not see failing (or erroring)
 * although their resource was scanned: they passed or no longer apply, never "gone".
 */
async function stillScanned(
  trx: Kysely<Database>,
  a: AssessmentResult,
  targetSet: string,
): Promise<Finding[]> {
  const open = await trx
    .selectFrom('finding_states')
    .selectAll()
    .where('target_set', '=', targetSet)
    .where('status', '=', 'open')
    .execute();
  if (open.length === 0) return [];
  const seen = new Set(a.findings.map((f) => f.ruleId + SEP + f.resourceType + SEP + f.resourceId));
  const wanted = new Set<string>();
  for (const s of open) {
    if (!seen.has(s.rule_id + SEP + s.resource_type + SEP + s.resource_id))
      wanted.add(s.resource_type + SEP + s.resource_id);
  }
  const scanned = new Set<string>();
  for (const r of a.resources) {
    const key = r.type + SEP + r.id;
    if (wanted.has(key)) scanned.add(key);
  }
  return open
    .filter((s) => !seen.has(s.rule_id + SEP + s.resource_type + SEP + s.resource_id))
    .filter((s) => scanned.has(s.resource_type + SEP + s.resource_id))
    .map((s) => ({
      ruleId: s.rule_id,
      resourceId: s.resource_id,
      resourceType: s.resource_type,
      resourceName: s.resource_name,
      status: 'pass' as const,
      severity: s.severity as Finding['severity'],
      control: '',
      message: '',
    }));
}

/**
 * Stores a streamed assessment (see `assessStream`): every failing and error finding, every
 * resource as a summary (`properties` stored as `null`), and updates the finding lifecycle, in
 * one transaction.
 */
export async function saveStreamedAssessment(
  db: Kysely<Database>,
  a: AssessmentResult,
): Promise<void> {
  const targetSet = targetSetKey(a.targetIdentities ?? a.targets);
  await db.transaction().execute(async (trx) => {
    await insertAssessmentRecords(trx, a, targetSet, { summariesOnly: true });
    const resolvedByVerdict = await stillScanned(trx, a, targetSet);
    const verdicts = resolvedByVerdict.length
      ? { ...a, findings: [...a.findings, ...resolvedByVerdict] }
      : a;
    const changes = await updateFindingLifecycle(trx, verdicts, targetSet);
    await emitAssessmentRecords(trx, a, targetSet, changes);
  });
}
