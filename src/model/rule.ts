/** A rule is one check of the default benchmark or a user's pack, loaded from one YAML file. */

import type { Cloud } from './resource.js';

export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = [
  'informational',
  'low',
  'medium',
  'high',
  'critical',
];

/** Benchmark control domains, as in the Microsoft cloud security benchmark. */
export type ControlDomain =
  'NS' | 'IM' | 'PA' | 'DP' | 'AM' | 'LT' | 'IR' | 'PV' | 'ES' | 'BR' | 'DS' | 'GS';

/** Where a rule sits in each regulatory standard. Each list holds the standard's control ids. */
export interface RuleMappings {
  cis?: string[];
  nist_800_53?: string[];
  pci_dss?: string[];
  iso_27001?: string[];
}

export interface Remediation {
  /** Plain steps for a person. */
  text: string;
  cli?: string;
  terraform?: string;
  cloudformation?: string;
  arm?: string;
  kubernetes?: string;
}

/**
 * One rule as written in YAML.
 *
 * ```yaml
 * id: aws-s3-block-public-access
 * title: S3 buckets block public access
 * severity: high
 * control: NS-2
 * resource_types: [AWS::S3::Bucket]
 * check: r.?PublicAccessBlockConfiguration.?BlockPublicAcls.orValue(false)
 * message:
 *   fail: 'Bucket {{name}} does not block public ACLs'
 * ```
 */
export interface Rule {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  cloud: Cloud;
  /** Benchmark control id, e.g. `NS-1`; its domain is the letters before the dash. */
  control: string;
  mappings: RuleMappings;
  resource_types: string[];
  /**
   * Optional CEL guard: when it is false the rule does not apply (not applicable), e.g. a rule
   * about public load balancers on an internal one.
   */
  applies_if?: string;
  /** CEL expression over `r` (properties) and `resource`; true means the resource passes. */
  check?: string;
  /** Name of a TypeScript check (src/posture/checks) for the few checks CEL cannot express. */
  check_function?: string;
  /** Sentence templates; `{{name}}`, `{{id}}`, `{{type}}` and `{{value}}` are filled in. */
  message?: { pass?: string; fail?: string };
  /** CEL expression whose value is quoted in the failure sentence as the offending value. */
  evidence?: string;
  remediation: Remediation;
  references: string[];
  /** Where the rule came from: the bundled benchmark or a user's folder. */
  origin?: string;
}
