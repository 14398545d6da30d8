/**
 * Recommendation state changes and regulatory compliance changes as OCSF Compliance Finding
 * events (class 2003, category Findings): one rule's verdict on one resource, or one standard's
 * control, with the compliance object saying which standard, control and result.
 */

import type {
  ComplianceExportData,
  ComplianceState,
  RecommendationExportData,
} from '../../model/export-record.js';
import type { FindingStatus } from '../../model/finding.js';
import {
  findingClassFields,
  OCSF_SEVERITY_ID,
  ocsfMetadata,
  titleCase,
  type FindingActivity,
} from './ocsf-common.js';

/** The benchmark every recommendation belongs to, as OCSF `compliance.standards` names it. */
export const BENCHMARK_STANDARD = 'Palisade cloud security benchmark';

/** cloud.provider as OCSF examples spell it. */
const PROVIDER: Record<string, string> = {
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'GCP',
  kubernetes: 'Kubernetes',
};

/** compliance.status_id: 1 Pass, 2 Warning, 3 Fail, 99 Other. */
const CHECK_STATUS: Record<FindingStatus | 'exempt', [number, string]> = {
  pass: [1, 'Pass'],
  fail: [3, 'Fail'],
  error: [2, 'Warning'],
  not_applicable: [99, 'Not Applicable'],
  exempt: [3, 'Fail'],
};

/** Finding status_id: 1 New, 3 Suppressed, 4 Resolved, 99 Other. */
const FINDING_STATUS: Record<FindingStatus | 'exempt', [number, string]> = {
  fail: [1, 'New'],
  pass: [4, 'Resolved'],
  exempt: [3, 'Suppressed'],
  error: [99, 'Error'],
  not_applicable: [99, 'Not Applicable'],
};

/**
 * A standard control's compliance.status_id. A control whose rules judged nothing, and a manual
 * one (no rule checks it), neither passed nor failed: both are Other (99), told apart by
 * `status`, the label OCSF leaves to the source for Other. The finding status does the same.
 */
const CONTROL_CHECK_STATUS: Record<ComplianceState, [number, string]> = {
  passed: [1, 'Pass'],
  failed: [3, 'Fail'],
  not_assessed: [99, 'Not Assessed'],
  manual: [99, 'Manual'],
};

const CONTROL_FINDING_STATUS: Record<ComplianceState, [number, string]> = {
  failed: [1, 'New'],
  passed: [4, 'Resolved'],
  not_assessed: [99, 'Not Assessed'],
  manual: [99, 'Manual'],
};

/** compliance.status_detail: what the state stands on, in one sentence. */
function controlDetail(data: ComplianceExportData): string {
  if (data.state === 'manual') return 'No Palisade rule checks this control: assess it by hand';
  return `${data.passedResources} resources pass, ${data.failedResources} fail`;
}

function base(
  activity: FindingActivity,
  severityId: number,
  time: number,
  uid: string,
): Record<string, unknown> {
  return {
    ...findingClassFields(2003, 'Compliance Finding', activity),
    severity_id: severityId,
    severity: ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical'][severityId],
    time,
    metadata: ocsfMetadata(uid),
  };
}

/** New verdicts Create; a resource that now passes (or no longer applies) Closes; others Update. */
function activityOf(previous: string | undefined, closed: boolean): FindingActivity {
  if (previous === undefined) return 1;
  return closed ? 3 : 2;
}

/**
 * One recommendation state change as a Compliance Finding.
 *
 * ```ts
 * toOcsfRecommendation(record.data, Date.parse(record.occurredAt), record.id);
 * ```
 */
export function toOcsfRecommendation(
  data: RecommendationExportData,
  time: number,
  eventUid: string,
): Record<string, unknown> {
  const closed = data.state === 'pass' || data.state === 'not_applicable';
  const activity = activityOf(data.previousState, closed);
  const [checkId, check] = CHECK_STATUS[data.state];
  const [statusId, status] = FINDING_STATUS[data.state];
  const failing = data.state === 'fail' || data.state === 'exempt';
  return {
    ...base(activity, failing ? OCSF_SEVERITY_ID[data.severity] : 1, time, eventUid),
    status_id: statusId,
    status,
    message: `${data.title}: ${data.message}`,
    finding_info: {
      uid: `${data.ruleId}/${data.resourceId}`,
      title: data.title,
      desc: data.message,
      types: ['Recommendation'],
      analytic: { uid: data.ruleId, name: data.title, type_id: 1, type: 'Rule' },
    },
    compliance: {
      standards: [BENCHMARK_STANDARD],
      control: data.control,
      requirements: [data.ruleId],
      status_id: checkId,
      status: check,
      status_detail: data.message,
    },
    resources: [
      {
        uid: data.resourceId,
        name: data.resourceName,
        type: data.resourceType,
        ...(data.region ? { region: data.region } : {}),
        ...(data.tags && Object.keys(data.tags).length > 0
          ? { labels: Object.entries(data.tags).map(([k, v]) => `${k}=${v}`) }
          : {}),
      },
    ],
    cloud: {
      provider: PROVIDER[data.cloud] ?? titleCase(data.cloud),
      ...(data.account ? { account: { uid: data.account } } : {}),
      ...(data.region ? { region: data.region } : {}),
    },
    ...(data.remediation ? { remediation: { desc: data.remediation } } : {}),
    unmapped: {
      assessment_uid: data.assessmentId,
      previous_state: data.previousState,
      state: data.state,
    },
  };
}

/**
 * The estate a control's state belongs to, as the resource the compliance check targeted: one
 * Resource Details object whose uid is the target set and whose name lists the targets.
 */
function estateResources(estate: ComplianceExportData['estate']): Record<string, unknown> {
  if (!estate) return {};
  return {
    resources: [
      { uid: estate.targetSet, name: estate.targets.join(', '), type: 'Palisade Target Set' },
    ],
  };
}

/**
 * One regulatory standard's control changing state, as a Compliance Finding. The finding uid
 * starts with the estate's target set, so a receiver that updates findings by uid keeps the
 * same control of two estates apart.
 */
export function toOcsfCompliance(
  data: ComplianceExportData,
  time: number,
  eventUid: string,
): Record<string, unknown> {
  const activity = activityOf(data.previousState, data.state === 'passed');
  const [checkId, check] = CONTROL_CHECK_STATUS[data.state];
  const [statusId, status] = CONTROL_FINDING_STATUS[data.state];
  const detail = controlDetail(data);
  const estate = data.estate ? `${data.estate.targetSet}/` : '';
  return {
    ...base(activity, data.state === 'failed' ? 3 : 1, time, eventUid),
    status_id: statusId,
    status,
    message: `${data.standardName} ${data.controlId} ${data.controlName}: ${check}`,
    finding_info: {
      uid: `${estate}${data.standard}/${data.controlId}`,
      title: `${data.standardName} ${data.controlId}: ${data.controlName}`,
      desc: detail,
      types: ['Regulatory Compliance'],
    },
    compliance: {
      standards: [data.standardName],
      control: data.controlId,
      status_id: checkId,
      status: check,
      status_detail: detail,
    },
    ...estateResources(data.estate),
    unmapped: {
      assessment_uid: data.assessmentId,
      ...(data.estate ? { target_set: data.estate.targetSet, targets: data.estate.targets } : {}),
      standard: data.standard,
      previous_state: data.previousState,
      state: data.state,
      passed_resources: data.passedResources,
      failed_resources: data.failedResources,
    },
  };
}
