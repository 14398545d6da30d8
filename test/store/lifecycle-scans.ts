/**
 * What the finding-lifecycle story tests share: the two ways an assessment is made and saved
 * (whole, and streamed), the failing rules of a resource, and its stored states.
 */

import type { Kysely } from 'kysely';
import type { AssessmentResult } from '../../src/model/assessment.js';
import type { Rule } from '../../src/model/rule.js';
import { assess } from '../../src/posture/assess.js';
import { assessStream } from '../../src/posture/assess-stream.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import type { Database } from '../../src/store/schema.js';
import { saveStreamedAssessment } from '../../src/store/streamed-assessment.js';

export type Scan = () => Promise<AssessmentResult>;

/** Scanning `root` and saving the result, whole and streamed. */
export function lifecycleScanners(
  root: string,
  rules: Rule[],
): { name: string; scan: Scan; save: typeof saveAssessment }[] {
  return [
    { name: 'saveAssessment', scan: () => assess({ paths: [root], rules }), save: saveAssessment },
    {
      name: 'saveStreamedAssessment',
      scan: () => assessStream({ paths: [root], rules }),
      save: saveStreamedAssessment,
    },
  ];
}

/** The rule ids failing on `resourceId` in `a`, sorted. */
export const failingOn = (a: AssessmentResult, resourceId: string) =>
  a.findings
    .filter((f) => f.status === 'fail' && f.resourceId === resourceId)
    .map((f) => f.ruleId)
    .sort();

/** The stored lifecycle states of `resourceId`'s findings, by rule. */
export const statesOf = (db: Kysely<Database>, resourceId: string) =>
  db
    .selectFrom('finding_states')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .orderBy('rule_id')
    .execute();
