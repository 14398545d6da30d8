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
  /**
   * Values an assignment may set (allowed regions, allowed ports, required tags); the check reads
   * them as `params.<name>`, falling back to each parameter's default.
   */
  parameters?: Record<string, RuleParameter>;
  /** How `palisade fix` rewrites IaC so the rule passes (see src/enforce/fix). */
  fix?: RuleFix;
}

/** The value kinds a rule parameter takes. */
export type RuleParameterType = 'string' | 'number' | 'boolean' | 'string_list' | 'number_list';

export const RULE_PARAMETER_TYPES: readonly RuleParameterType[] = [
  'string',
  'number',
  'boolean',
  'string_list',
  'number_list',
];

/** One parameter a rule reads as `params.<name>`. */
export interface RuleParameter {
  type: RuleParameterType;
  description: string;
  default?: unknown;
}

/**
 * A rule's fix, as data: edits to Terraform blocks and Kubernetes objects that make the rule pass.
 * Values are HCL expression text for Terraform and YAML values for Kubernetes.
 *
 * ```yaml
 * fix:
 *   description: Encrypt the volume
 *   terraform:
 *     - resource_types: [aws_ebs_volume]
 *       set: { encrypted: 'true' }
 *   kubernetes:
 *     containers: { set: { securityContext.privileged: false } }
 * ```
 */
export interface RuleFix {
  description: string;
  terraform?: TerraformFix[];
  kubernetes?: KubernetesFix;
}

/** Edits to one kind of Terraform resource block. */
export interface TerraformFix {
  /** Terraform resource types the edit applies to (`aws_ebs_volume`). */
  resource_types: string[];
  /** Attributes to write (attribute → HCL expression), replacing any present value. */
  set?: Record<string, string>;
  /** Nested blocks to write when missing (block name → its body as HCL). */
  add_blocks?: Record<string, string>;
  /**
   * Inside each nested block of this name (`ingress`), replace matching values of one attribute:
   * `{ block: ingress, attribute: cidr_blocks, from: '"0.0.0.0/0"', to: 'var.admin_cidr' }`.
   * With `ports`, only blocks whose from_port..to_port range holds one of them.
   */
  replace_in_blocks?: {
    block: string;
    attribute: string;
    from: string;
    to: string;
    ports?: number[];
    /**
     * A comment written above each attribute changed (`# TODO: ...`), when `to` stands in for a
     * value only the user knows (their administrative range): the diff then says so.
     */
    note?: string;
  };
  /**
   * A companion resource to add after the block unless one already refers to it. `{{name}}` is
   * the block's name label and `{{address}}` its address.
   */
  add_resource?: { type: string; body: string };
}

/** Edits to Kubernetes workload objects: to the pod spec and to every container in it. */
export interface KubernetesFix {
  /** Paths (dot-separated, under the pod spec) to values written on the pod spec. */
  pod?: { set?: Record<string, unknown>; set_if_missing?: Record<string, unknown> };
  /** Paths under each container (and init container) to values written on it. */
  containers?: { set?: Record<string, unknown>; set_if_missing?: Record<string, unknown> };
}
