/**
 * Alerts as OCSF Detection Finding events (class 2004, category Findings), the schema SIEMs and
 * data lakes (Security Lake, Splunk, Sentinel) take. The rule's author and licence travel with
 * every finding, as the Detection Rule License asks for Sigma rules.
 */

import type { Alert, AlertEntity } from '../../model/alert.js';
import type { AlertExportData } from '../../model/export-record.js';
import { ATTACK_VERSION, attackTactic } from '../../detect/attack-tactics.js';
import { pairTechniques } from '../../detect/attack-techniques.js';
import {
  findingClassFields,
  OCSF_SEVERITY_ID,
  ocsfMetadata,
  titleCase,
  type FindingActivity,
} from './ocsf-common.js';

export { OCSF_VERSION } from './ocsf-common.js';

const STATUS: Record<Alert['status'], [number, string]> = {
  active: [1, 'New'],
  in_progress: [2, 'In Progress'],
  dismissed: [3, 'Suppressed'],
  resolved: [4, 'Resolved'],
};

const OBSERVABLE_TYPE: Record<AlertEntity['kind'], [number, string, string]> = {
  ip: [2, 'IP Address', 'src_endpoint.ip'],
  host: [1, 'Hostname', 'device.hostname'],
  'remote-host': [1, 'Hostname', 'src_endpoint.hostname'],
  account: [4, 'User Name', 'actor.user.name'],
  'cloud-resource': [10, 'Resource UID', 'resources.uid'],
  'cloud-account': [10, 'Resource UID', 'cloud.account.uid'],
  process: [9, 'Process Name', 'process.name'],
  file: [7, 'File Name', 'file.path'],
};

/** A process entity holding a whole command line (`bash -c ls`) is OCSF's Command Line. */
function observableType(entity: AlertEntity): [number, string, string] {
  if (entity.kind === 'process' && /\s/.test(entity.value.trim())) {
    return [13, 'Command Line', 'process.cmd_line'];
  }
  // A cloud principal named by its ARN is the user's unique id, not its name (OCSF's user.uid
  // gives an AWS user ARN as its example).
  if (entity.kind === 'account' && entity.value.startsWith('arn:')) {
    return [10, 'Resource UID', 'actor.user.uid'];
  }
  return OBSERVABLE_TYPE[entity.kind] ?? [0, 'Unknown', entity.kind];
}

/**
 * The alert's ATT&CK mapping as OCSF attack objects, each technique under a tactic it belongs to
 * (see pairTechniques), all in one ATT&CK version.
 */
function ocsfAttacks(alert: Alert): Record<string, unknown>[] {
  return pairTechniques(alert.attack.techniques, alert.attack.tactics).map((pair) => {
    const tactic = pair.tactic ? attackTactic(pair.tactic) : undefined;
    return {
      // OCSF (since 1.1) names a sub-technique apart from its parent technique.
      ...(pair.technique ? techniqueFields(pair.technique) : {}),
      ...(tactic ? { tactic: { uid: tactic.uid, name: tactic.title } } : {}),
      version: ATTACK_VERSION,
    };
  });
}

/** `T1110.001` as OCSF's technique T1110 with sub-technique T1110.001; `T1110` alone. */
function techniqueFields(id: string): Record<string, { uid: string }> {
  const dot = id.indexOf('.');
  if (dot < 0) return { technique: { uid: id } };
  return { technique: { uid: id.slice(0, dot) }, sub_technique: { uid: id } };
}

/** The finding activity an alert change is: new alerts Create, closed ones Close. */
export function alertActivity(change: AlertExportData['change'], alert: Alert): FindingActivity {
  if (change === 'created') return 1;
  if (alert.status === 'resolved' || alert.status === 'dismissed') return 3;
  return 2;
}

/**
 * One alert as an OCSF Detection Finding. `activity` says whether the finding is new (the
 * default), updated or closed; `time` is when that happened (the alert's last event otherwise).
 */
export function toOcsf(
  alert: Alert,
  activity: FindingActivity = 1,
  time: number = Date.parse(alert.lastSeen),
): Record<string, unknown> {
  const [statusId, status] = STATUS[alert.status];
  const author = alert.rule.author ? `${alert.rule.author}` : undefined;
  const attacks = ocsfAttacks(alert);
  return {
    ...findingClassFields(2004, 'Detection Finding', activity),
    severity_id: OCSF_SEVERITY_ID[alert.severity],
    severity: titleCase(alert.severity),
    status_id: statusId,
    status,
    time,
    start_time: Date.parse(alert.firstSeen),
    end_time: Date.parse(alert.lastSeen),
    message: alert.title,
    is_alert: activity !== 3,
    metadata: ocsfMetadata(alert.id),
    finding_info: {
      uid: alert.id,
      title: alert.title,
      desc: alert.description,
      first_seen_time: Date.parse(alert.firstSeen),
      last_seen_time: Date.parse(alert.lastSeen),
      analytic: {
        uid: alert.rule.id,
        name: alert.rule.title,
        type_id: 1,
        type: 'Rule',
        ...(author
          ? { desc: `Rule by ${author}${alert.rule.license ? ` (${alert.rule.license})` : ''}` }
          : {}),
      },
      attacks,
      src_url: alert.rule.references?.[0],
    },
    count: alert.eventCount,
    observables: alert.entities.map((e) => {
      const [typeId, type, name] = observableType(e);
      return { name, type_id: typeId, type, value: e.value };
    }),
    resources: alert.entities
      .filter((e) => e.kind === 'cloud-resource')
      .map((e) => ({ uid: e.value })),
    evidences: alert.evidence.map((event) => ({ data: event.fields })),
    remediation: { desc: alert.remediation.join(' ') },
    unmapped: {
      rule_author: alert.rule.author,
      rule_license: alert.rule.license,
      rule_source: alert.rule.kind,
      incident_uid: alert.incidentId,
    },
  };
}
