/** A finding is one rule's verdict on one resource. */

import type { Severity } from './rule.js';

export type FindingStatus = 'pass' | 'fail' | 'not_applicable' | 'error';

/** How an exemption was justified, as Defender for Cloud names them. */
export type ExemptionCategory = 'waiver' | 'mitigated';

export interface Finding {
  ruleId: string;
  resourceId: string;
  resourceType: string;
  resourceName: string;
  status: FindingStatus;
  severity: Severity;
  control: string;
  /** One sentence naming the resource and, on failure, the offending value. */
  message: string;
  file?: string;
  line?: number;
  /** Set on a not-applicable finding whose verdict rests on a value unknown before apply. */
  unknown?: string;
  /** Set when an exemption or inline suppression covers a failing finding. */
  exemption?: {
    category: ExemptionCategory;
    justification: string;
    source: string;
    expires?: string;
  };
}
