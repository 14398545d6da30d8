/** The machine-readable report: the whole assessment as JSON. */

import type { AssessmentResult } from '../model/assessment.js';
import { isStreamed } from '../posture/assess-stream.js';

/**
 * Renders the assessment as JSON; `resources` are summarised unless `withResources`. A streamed
 * assessment says so: `streamed: true`, and `findingsKept` names the statuses `findings` holds
 * (the counts still cover every finding). The rules' texts kept for the store (`ruleTexts`) are
 * left out: the recommendations name the rules that fail.
 */
export function renderJson(a: AssessmentResult, options: { withResources?: boolean } = {}): string {
  const { ruleTexts: _ruleTexts, ...assessment } = a;
  const resources = options.withResources
    ? a.resources
    : a.resources.map((r) => ({
        cloud: r.cloud,
        type: r.type,
        id: r.id,
        name: r.name,
        account: r.account,
        region: r.region,
        source: r.source,
      }));
  const streamed = isStreamed(a)
    ? { streamed: true, findingsKept: ['fail', 'error'] }
    : { streamed: false };
  return JSON.stringify({ ...assessment, ...streamed, resources }, null, 2) + '\n';
}
