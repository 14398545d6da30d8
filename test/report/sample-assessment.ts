/** The sample estate assessed with the built-in rules and the sample exemptions, for report tests. */

import type { Rule } from '../../src/model/rule.js';
import { assess, type Assessment } from '../../src/posture/assess.js';
import { loadExemptions } from '../../src/posture/exemptions.js';
import { loadRules } from '../../src/posture/rule-loader.js';

/** Assesses samples/estate under the built-in rules and samples/exemptions.yaml. */
export async function assessSampleEstate(): Promise<{ assessment: Assessment; rules: Rule[] }> {
  const rules = await loadRules();
  const assessment = await assess({
    paths: ['samples/estate'],
    rules,
    exemptions: await loadExemptions('samples/exemptions.yaml'),
  });
  return { assessment, rules };
}
