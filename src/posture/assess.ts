/**
 * One assessment from start to finish: read the sources, judge every resource, apply
 * exemptions, then score and map to standards. Drives the CLI, CI and the server alike.
 */

import { randomUUID } from 'node:crypto';
import type { AssessmentResult, RuleText } from '../model/assessment.js';
import type { Rule } from '../model/rule.js';
import type { Resource } from '../model/resource.js';
import type { FileReport } from '../model/assessment.js';
import { readPaths, type ReadProgress } from '../sources/read-paths.js';
import { loadCatalog } from './benchmark-catalog.js';
import { complianceOf } from './compliance.js';
import { compileRules, evaluate, type CompiledRule } from './engine.js';
import { emptyCounts } from './finding-counts.js';
import {
  applyExemptions,
  exempting,
  unmatchedResourceWarnings,
  unmatchedRuleWarnings,
  type Exemption,
} from './exemptions.js';
import { JudgingTally, scoreTally, tallyFindings } from './secure-score.js';

export interface AssessOptions {
  /** Files and folders to scan. */
  paths: string[];
  rules: Rule[];
  /** Rules compiled ahead (a server re-assessing on a schedule compiles once). */
  compiled?: CompiledRule[];
  exemptions?: Exemption[];
  now?: Date;
  onProgress?: (progress: ReadProgress) => void;
  /** Terraform variable files, read after each root's own `.tfvars` (`terraform plan -var-file`). */
  varFiles?: string[];
}

export interface Assessment extends AssessmentResult {
  warnings: string[];
}

/**
 * The title and remediation text of each of `rules`, by id (see `AssessmentResult.ruleTexts`).
 *
 * ```ts
 * ruleTexts(rules).get('aws-s3-bucket-versioning-enabled');
 * // { title: 'S3 buckets keep object versions', remediation: 'Enable versioning on the bucket.' }
 * ```
 */
export function ruleTexts(rules: readonly Rule[]): Map<string, RuleText> {
  return new Map(
    rules.map((r) => [r.id, { title: r.title, remediation: r.remediation.text }] as const),
  );
}

/** Reads `paths` and assesses what it finds. */
export async function assess(options: AssessOptions): Promise<Assessment> {
  const startedAt = (options.now ?? new Date()).toISOString();
  const compiled = options.compiled ?? compileRules(options.rules);
  const read = await readPaths(options.paths, {
    onProgress: options.onProgress,
    varFiles: options.varFiles,
  });
  const result = await assessResources({
    ...options,
    compiled,
    resources: read.resources,
    files: read.files,
  });
  return { ...result, startedAt, warnings: [...read.warnings, ...result.warnings] };
}

/** Assesses resources already read (inventory from a connector, a benchmark's synthetic set). */
export async function assessResources(options: {
  resources: Resource[];
  files?: FileReport[];
  rules: Rule[];
  compiled?: CompiledRule[];
  exemptions?: Exemption[];
  paths?: string[];
  now?: Date;
}): Promise<Assessment> {
  const startedAt = new Date().toISOString();
  const compiled = options.compiled ?? compileRules(options.rules);
  const catalog = await loadCatalog();
  const exemptions = options.exemptions ?? [];
  // One tally of the findings serves the score, the recommendations, compliance and the counts:
  // made while judging when no exemption can change a finding, else once they are applied.
  const counts = emptyCounts();
  const judging = exempting(exemptions, options.resources) ? undefined : new JudgingTally(counts);
  const findings = evaluate(compiled, options.resources, judging);
  const ruleIds = options.rules.map((r) => r.id);
  const warnings = [
    ...unmatchedRuleWarnings(exemptions, options.resources, ruleIds),
    ...unmatchedResourceWarnings(exemptions, options.resources),
    ...applyExemptions(findings, options.resources, exemptions, options.now),
  ];
  const tally = judging ? judging.tally() : tallyFindings(findings, counts);
  const score = scoreTally(tally, catalog.controls, options.rules);
  const compliance = complianceOf(catalog.standards, options.rules, tally.rules);

  return {
    id: randomUUID(),
    startedAt,
    finishedAt: new Date().toISOString(),
    targets: options.paths ?? [],
    resources: options.resources,
    findings,
    secureScore: score.secureScore,
    controls: score.controls,
    recommendations: score.recommendations,
    ruleTexts: ruleTexts(options.rules),
    compliance,
    files: options.files ?? [],
    counts: {
      resources: options.resources.length,
      rules: options.rules.length,
      ...counts,
    },
    warnings,
  };
}
