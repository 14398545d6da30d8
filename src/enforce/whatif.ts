/**
 * What-if: before a rule moves to deny, what it would have denied. Over the latest stored
 * assessment, the resources that fail it (exempt ones would still pass); over recent stored
 * admission requests, the objects it fails when judged again with today's rule.
 */

import type { Kysely } from 'kysely';
import type { Rule } from '../model/rule.js';
import { compileRules, evaluate } from '../posture/engine.js';
import { toKubernetesResource } from '../sources/kubernetes/to-resource.js';
import {
  recentDecisions,
  type AdmissionDecisionRow,
  type DecisionMode,
} from '../store/admission-decision-repository.js';
import { currentOfEstate } from '../store/latest-assessments.js';
import { MANIFEST_ONLY_RULES } from './admission/admission-policy.js';

/** A resource of the assessment the rule fails. */
export interface WhatIfResource {
  assessmentId: string;
  resourceId: string;
  resourceType: string;
  resourceName: string;
  account: string | null;
  file: string | null;
  line: number | null;
  message: string;
  /** Set when an exemption covers the finding: deny mode would let it through. */
  exemption: string | null;
}

/** A stored admission request the rule would have denied. */
export interface WhatIfRequest {
  decisionId: string;
  uid: string;
  time: string;
  kind: string;
  namespace: string | null;
  name: string;
  operation: string;
  user: string;
  dryRun: boolean;
  /** The answer given then, and how it came about. */
  allowedThen: boolean;
  modeThen: DecisionMode;
  reason: string;
}

export interface WhatIfReport {
  rule: { id: string; title: string; severity: string; cloud: string };
  assessments: { id: string; finishedAt: string }[];
  /** Failing, not exempt: what deny mode would stop. */
  resources: WhatIfResource[];
  /** Failing but exempt: deny mode would let these through. */
  exempt: WhatIfResource[];
  admission: {
    since: string;
    /** Requests judged again. */
    examined: number;
    /** Requests not judged again: the object was not kept (too large) or could not be read. */
    unjudged: number;
    wouldDeny: WhatIfRequest[];
    /** Why the rule cannot judge admission requests, when it cannot. */
    note: string | null;
  };
}

/** A rule id the loaded rules do not have. */
export class UnknownRuleError extends Error {
  constructor(ruleId: string) {
    super(`no rule ${ruleId}; list them with \`palisade rules\``);
    this.name = 'UnknownRuleError';
  }
}

/** An assessment id the store does not hold. */
export class UnknownAssessmentError extends Error {
  constructor(readonly assessmentId: string) {
    super(`no assessment ${assessmentId}; list them with \`palisade history\``);
    this.name = 'UnknownAssessmentError';
  }
}

/** Decisions that were never judged (namespace exempt, nothing to judge) stay out of what-if. */
const JUDGED_MODES = new Set(['deny', 'audit', 'pass', 'error']);

export interface WhatIfOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  rules: Rule[];
  ruleId: string;
  /** Assessments to look in; `latestAssessmentIds` gives the estate's current ones. */
  assessmentIds: string[];
  /** Admission requests from this time on. */
  since: Date;
  /** Most recent admission requests examined. */
  maxRequests?: number;
  /** Which resource accounts the caller may see (API scoping); all when undefined. */
  accountVisible?: (account: string | null) => boolean;
}

/**
 * The assessments of the estate's current posture: the latest of each source (or of each set of
 * targets scanned when no sources are configured), as the API's what-if and posture views read
 * it. Only the newest assessment overall would miss every other source's resources.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function latestAssessmentIds(db: Kysely<any>): Promise<string[]> {
  return (await currentOfEstate(db)).map((c) => c.id);
}

/**
 * Throws `UnknownAssessmentError` for the first of `ids` the store does not hold.
 *
 * ```ts
 * await assertAssessmentsStored(db, [options.assessment]);
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function assertAssessmentsStored(db: Kysely<any>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await db.selectFrom('assessments').select('id').where('id', 'in', ids).execute();
  const stored = new Set(rows.map((r: Record<string, unknown>) => r.id as string));
  const missing = ids.find((id) => !stored.has(id));
  if (missing !== undefined) throw new UnknownAssessmentError(missing);
}

async function failingResources(options: WhatIfOptions): Promise<WhatIfResource[]> {
  if (options.assessmentIds.length === 0) return [];
  const rows = await options.db
    .selectFrom('findings as f')
    .leftJoin('resources as r', (join) =>
      join.onRef('r.assessment_id', '=', 'f.assessment_id').onRef('r.id', '=', 'f.resource_id'),
    )
    .select([
      'f.assessment_id',
      'f.resource_id',
      'f.resource_type',
      'f.resource_name',
      'f.file',
      'f.line',
      'f.message',
      'f.exemption',
      'r.account',
    ])
    .where('f.assessment_id', 'in', options.assessmentIds)
    .where('f.rule_id', '=', options.ruleId)
    .where('f.status', '=', 'fail')
    .orderBy('f.resource_id')
    .execute();
  return rows
    .map((r: Record<string, unknown>) => ({
      assessmentId: r.assessment_id as string,
      resourceId: r.resource_id as string,
      resourceType: r.resource_type as string,
      resourceName: r.resource_name as string,
      account: (r.account as string | null) ?? null,
      file: (r.file as string | null) ?? null,
      line: (r.line as number | null) ?? null,
      message: r.message as string,
      exemption: (r.exemption as string | null) ?? null,
    }))
    .filter((r) => options.accountVisible?.(r.account) ?? true);
}

function requestOf(row: AdmissionDecisionRow, reason: string): WhatIfRequest {
  return {
    decisionId: row.id,
    uid: row.uid,
    time: row.time,
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    operation: row.operation,
    user: row.user_name,
    dryRun: row.dry_run === 1,
    allowedThen: row.allowed === 1,
    modeThen: row.mode as DecisionMode,
    reason,
  };
}

/**
 * What `ruleId` would have denied.
 *
 * ```ts
 * const report = await whatIf({ db, rules, ruleId: 'kubernetes-pod-no-host-network',
 *   assessmentIds: await latestAssessmentIds(db), since: new Date(Date.now() - 7 * 86_400_000) });
 * ```
 */
export async function whatIf(options: WhatIfOptions): Promise<WhatIfReport> {
  const rule = options.rules.find((r) => r.id === options.ruleId);
  if (!rule) throw new UnknownRuleError(options.ruleId);

  const failing = await failingResources(options);
  const assessments = options.assessmentIds.length
    ? await options.db
        .selectFrom('assessments')
        .select(['id', 'finished_at'])
        .where('id', 'in', options.assessmentIds)
        .execute()
    : [];

  const admission: WhatIfReport['admission'] = {
    since: options.since.toISOString(),
    examined: 0,
    unjudged: 0,
    wouldDeny: [],
    note: null,
  };
  if (rule.cloud !== 'kubernetes') {
    admission.note = `${rule.id} judges ${rule.cloud} resources, not Kubernetes objects`;
  } else if (MANIFEST_ONLY_RULES.has(rule.id)) {
    admission.note = `${rule.id} judges manifests, not objects at the API server`;
  } else {
    const [compiled] = compileRules([rule]);
    const rows = await recentDecisions(options.db, options.since, options.maxRequests ?? 10_000);
    for (const row of rows) {
      if (!JUDGED_MODES.has(row.mode)) continue;
      if (row.object === null) {
        admission.unjudged++;
        continue;
      }
      let resource;
      try {
        const value = JSON.parse(row.object) as unknown;
        resource = toKubernetesResource(`admission:${row.uid}`, {
          value,
          line: 1,
          document: 0,
          source: '',
        });
      } catch {
        resource = undefined;
      }
      if (!resource) {
        admission.unjudged++;
        continue;
      }
      admission.examined++;
      const finding = evaluate([compiled], [resource]).find((f) => f.status === 'fail');
      if (finding) admission.wouldDeny.push(requestOf(row, finding.message));
    }
  }

  return {
    rule: { id: rule.id, title: rule.title, severity: rule.severity, cloud: rule.cloud },
    assessments: assessments.map((a: Record<string, unknown>) => ({
      id: a.id as string,
      finishedAt: a.finished_at as string,
    })),
    resources: failing.filter((r) => r.exemption === null),
    exempt: failing.filter((r) => r.exemption !== null),
    admission,
  };
}
