/**
 * Alerts are what detections raise: one suspicious activity with its evidence, entities and
 * remediation. Incidents group alerts that share entities within a window.
 */

import type { LogEvent } from './event.js';
import type { Severity } from './rule.js';

export type AlertStatus = 'active' | 'in_progress' | 'resolved' | 'dismissed';

/** Something an alert is about. */
export interface AlertEntity {
  kind:
    | 'account'
    | 'host'
    | 'ip'
    | 'remote-host'
    | 'cloud-resource'
    | 'process'
    | 'file'
    | 'cloud-account';
  /**
   * The entity's identifier: user ARN or name, IP address, host name, resource id, a process's
   * command line or name, a file's path (processes and files are a host's own, as local accounts).
   * `host` is a host the activity happened on (a log's own host); `remote-host` is a peer the
   * activity came from, named by host name where the log gave no address (sshd with UseDNS):
   * an outsider, as an `ip` is.
   */
  value: string;
  /**
   * What the entity was to the activity, when the detection singles it out: `actor` is the
   * account that did what the alert is about (the login after a brute force). The other accounts
   * its events name (the user names guessed before) are then left to the evidence.
   */
  role?: 'actor';
}

/** MITRE ATT&CK tactics and techniques an alert maps to. */
export interface AttackMapping {
  /**
   * ATT&CK v19 tactic names as tags spell them: `defense-impairment`, `credential-access` (alerts
   * stored by earlier versions may hold `defense-evasion`, read as `stealth`).
   */
  tactics: string[];
  /** Technique ids as the rule tags them: `T1685.002`. */
  techniques: string[];
}

/** Which rule raised an alert, with what its licence requires us to show. */
export interface AlertRuleReference {
  kind: 'sigma' | 'builtin' | 'external';
  id: string;
  title: string;
  author?: string;
  license?: string;
  /** File the rule was loaded from (Sigma) or the built-in detection's name. */
  source?: string;
  references?: string[];
}

/**
 * A resource of the assessed estate that one of an alert's entities names, as the newest
 * assessment holding it saw it: analysts see whose it is, and tag-scoped exports and automation
 * rules route the alert by its tags.
 */
export interface AlertResource {
  id: string;
  type: string;
  name: string;
  account?: string;
  tags: Record<string, string>;
}

export interface Alert {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  status: AlertStatus;
  attack: AttackMapping;
  entities: AlertEntity[];
  firstSeen: string;
  lastSeen: string;
  /** Events that made up the alert, including duplicates folded into it. */
  eventCount: number;
  /** A bounded sample of matching events (the first ones). */
  evidence: LogEvent[];
  remediation: string[];
  rule: AlertRuleReference;
  /** Known false positives the rule lists, for the analyst. */
  falsePositives?: string[];
  incidentId?: string;
  /** Assessed resources the alert's entities name (set when the alert is stored). */
  resources?: AlertResource[];
}

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  firstSeen: string;
  lastSeen: string;
  /** Alert ids, ordered along the kill chain, then by time. */
  alerts: string[];
  entities: AlertEntity[];
  tactics: string[];
}
