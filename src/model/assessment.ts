/** An assessment is one run of the benchmark over a set of sources, with everything it found. */

import type { Finding } from './finding.js';
import type { Resource } from './resource.js';
import type { Severity } from './rule.js';
import type { SourceError } from './source-error.js';

/** One control's share of the secure score. */
export interface ControlScore {
  id: string;
  title: string;
  maxScore: number;
  /** max × healthy ÷ (healthy + unhealthy); 0 when nothing was assessed. */
  currentScore: number;
  healthy: number;
  unhealthy: number;
  /** Resources left out of the denominator: every finding of theirs n/a or exempt. */
  notApplicable: number;
}

/** A rule with its failing resources, and what fixing them all would add to the score. */
export interface Recommendation {
  ruleId: string;
  title: string;
  severity: Severity;
  control: string;
  failing: number;
  passing: number;
  exempt: number;
  /**
   * Percentage points the overall score gains when every unhealthy resource of the rule's control
   * is made healthy (the control's potential increase, shared by its recommendations).
   */
  potentialIncrease: number;
  /**
   * This rule's part of `potentialIncrease`: each unhealthy resource's points split evenly among
   * the control's rules it fails. Non-zero for every failing rule; a control's shares add up to
   * its potential increase.
   */
  scoreShare: number;
  remediation: string;
}

/** A rule's title and remediation text (`remediation.text`), as export records name the rule. */
export interface RuleText {
  title: string;
  remediation: string;
}

/**
 * A control's state: `not_assessed` when its rules judged nothing in this input, `manual` when no
 * Palisade rule checks it at all (it is assessed by hand).
 */
export type ComplianceState = 'passed' | 'failed' | 'not_assessed' | 'manual';

export interface ComplianceControl {
  id: string;
  title: string;
  state: ComplianceState;
  rules: string[];
  failing: number;
  passing: number;
}

export interface StandardCompliance {
  id: string;
  name: string;
  passed: number;
  failed: number;
  /** Controls whose rules judged nothing in this input (the manual ones apart). */
  notAssessed: number;
  /** Controls no Palisade rule checks: to be assessed by hand. */
  manual: number;
  controls: ComplianceControl[];
}

/** A file the scan looked at: which reader took it, how many resources, or why it failed. */
export interface FileReport {
  file: string;
  kind: string;
  /** Resources read from the file that the assessment judges. */
  resources: number;
  /**
   * Kubernetes objects of the file judged through their controller in the scan (pods,
   * ReplicaSets, Jobs; see sources/kubernetes/controlled-objects.ts), not counted in
   * `resources`. Absent when none were.
   */
  folded?: number;
  error?: SourceError;
}

export interface AssessmentResult {
  id: string;
  startedAt: string;
  finishedAt: string;
  /** Paths the user asked to scan. */
  targets: string[];
  /**
   * What the targets are, wherever they were typed from (`scanTargetIdentities`); the store keys
   * the assessment's target set by these when given, else by `targets`.
   */
  targetIdentities?: string[];
  resources: Resource[];
  findings: Finding[];
  /** Overall secure score as a percentage, 0..100. */
  secureScore: number;
  controls: ControlScore[];
  recommendations: Recommendation[];
  /**
   * The title and remediation text of every rule the assessment was judged with (the bundled
   * benchmark and `--rules` folders alike), by rule id: a resolution record of a rule no longer
   * failing anywhere (so not among `recommendations`) names the rule by these, whether or not the
   * record that reported it failing is still in the outbox. Shares the rules' strings; absent
   * from an assessment made elsewhere, and not part of the JSON report.
   */
  ruleTexts?: ReadonlyMap<string, RuleText>;
  compliance: StandardCompliance[];
  files: FileReport[];
  counts: {
    resources: number;
    rules: number;
    pass: number;
    fail: number;
    notApplicable: number;
    /**
     * Of the not-applicable findings, those whose rule could not be judged because a value it
     * reads is unknown (left to deployment, or missing from the inventory). Absent for
     * assessments stored before it was counted.
     */
    notJudged?: number;
    error: number;
    exempt: number;
    bySeverity: Record<Severity, number>;
  };
}
