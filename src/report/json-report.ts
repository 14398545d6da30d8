/** The machine-readable report: the whole assessment as JSON. */

import type { AssessmentResult } from '../model/assessment.js';

/** Renders the assessment as JSON; `resources` are summarised unless `withResources`. */
export function renderJson(a: AssessmentResult, options: { withResources?: boolean } = {}): string {
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
  return JSON.stringify({ ...a, resources }, null, 2) + '\n';
}
