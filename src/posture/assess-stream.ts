/**
 * The streaming assessment: reads inputs one file (or Terraform folder) at a time, judges each
 * file's resources at once, folds the findings into running counts and keeps only failing and
 * error findings and a light summary of each resource, so memory no longer grows with
 * properties and passing findings. Same score, controls, recommendations, compliance and counts
 * as `assess` when no resource is split across files.
 */

// Known gap: inventory fragments of one resource are merged within a file only, and rules
// that read `related` resources see only resources of the same file. A folder of
// one-API-call-per-file recordings (boto3 placebo) must be scanned with `assess`.

import { randomUUID } from 'node:crypto';
import type { FileReport } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { mergeInventoryFragments, readPathsByUnit } from '../sources/read-paths.js';
import type { Assessment, AssessOptions } from './assess.js';
import { loadCatalog } from './benchmark-catalog.js';
import { complianceOf } from './compliance.js';
import { compileRules, evaluate } from './engine.js';
import { applyExemptions, unmatchedRuleWarnings } from './exemptions.js';
import { countFindings } from './finding-counts.js';
import { addTally, emptyTally, scoreTally, tallyFindings } from './secure-score.js';

/**
 * An assessment made by `assessStream`: `findings` holds only the failing (exempt ones included)
 * and error findings, and `resources` only summaries (`properties`, `tags` and
 * `relationships` empty). Scores, compliance and counts cover every finding.
 */
export interface StreamedAssessment extends Assessment {
  streamed: true;
}

/** True when `a` came from `assessStream` (its findings are the failing and error ones). */
export function isStreamed(a: object): a is StreamedAssessment {
  return (a as Partial<StreamedAssessment>).streamed === true;
}

export interface AssessStreamOptions extends AssessOptions {
  /** Keep a summary of every resource (for the store and reports); default true. */
  keepResources?: boolean;
}

const NO_PROPERTIES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_TAGS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_RELATIONSHIPS: Resource['relationships'] = Object.freeze([]) as never;

/** A resource without its properties, tags and relationships: what reports and the store use. */
function summarise(r: Resource): Resource {
  return {
    cloud: r.cloud,
    type: r.type,
    id: r.id,
    name: r.name,
    account: r.account,
    region: r.region,
    tags: NO_TAGS,
    properties: NO_PROPERTIES,
    relationships: NO_RELATIONSHIPS,
    source: r.source,
  };
}

/** A finding as kept: a fresh object, so it holds no reference to the resource it judged. */
function compact(f: Finding): Finding {
  const out: Finding = {
    ruleId: f.ruleId,
    resourceId: f.resourceId,
    resourceType: f.resourceType,
    resourceName: f.resourceName,
    status: f.status,
    severity: f.severity,
    control: f.control,
    message: f.message,
    file: f.file,
    line: f.line,
  };
  if (f.unknown !== undefined) out.unknown = f.unknown;
  if (f.exemption) out.exemption = f.exemption;
  return out;
}

/**
 * Assesses `paths` file by file.
 *
 * ```ts
 * const a = await assessStream({ paths: ['exports/'], rules: await loadRules() });
 * a.secureScore; a.findings; // failing and error findings only
 * ```
 */
export async function assessStream(options: AssessStreamOptions): Promise<StreamedAssessment> {
  const startedAt = (options.now ?? new Date()).toISOString();
  const compiled = options.compiled ?? compileRules(options.rules);
  const catalog = await loadCatalog();
  const exemptions = options.exemptions ?? [];
  const ruleIds = options.rules.map((r) => r.id);
  const keepResources = options.keepResources ?? true;

  const tally = emptyTally();
  const counts = countFindings([]);
  const kept: Finding[] = [];
  const resources: Resource[] = [];
  const files: FileReport[] = [];
  const readWarnings: string[] = [];
  const suppressionWarnings = new Set<string>();
  const expiryWarnings = new Set<string>();
  let resourceCount = 0;

  for await (const unit of readPathsByUnit(options.paths, { onProgress: options.onProgress })) {
    for (const f of unit.files) files.push(f);
    for (const w of unit.warnings) readWarnings.push(w);
    const read = mergeInventoryFragments(unit.resources);
    if (read.length === 0) continue;
    const findings = evaluate(compiled, read);
    for (const w of unmatchedRuleWarnings([], read, ruleIds)) suppressionWarnings.add(w);
    for (const w of applyExemptions(findings, read, exemptions, options.now)) expiryWarnings.add(w);
    addTally(tally, tallyFindings(findings));
    countFindings(findings, counts);
    for (const f of findings)
      if (f.status === 'fail' || f.status === 'error') kept.push(compact(f));
    resourceCount += read.length;
    if (keepResources) for (const r of read) resources.push(summarise(r));
  }

  const score = scoreTally(tally, catalog.controls, options.rules);
  return {
    id: randomUUID(),
    startedAt,
    finishedAt: new Date().toISOString(),
    targets: options.paths,
    resources,
    findings: kept,
    secureScore: score.secureScore,
    controls: score.controls,
    recommendations: score.recommendations,
    compliance: complianceOf(catalog.standards, options.rules, tally.rules),
    files,
    counts: { resources: resourceCount, rules: options.rules.length, ...counts },
    warnings: [
      ...readWarnings,
      ...unmatchedRuleWarnings(exemptions, [], ruleIds),
      ...suppressionWarnings,
      ...expiryWarnings,
    ],
    streamed: true,
  };
}
