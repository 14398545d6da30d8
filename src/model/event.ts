/**
 * An event is one log record, kept whole, with a small common envelope on top so detections can
 * speak of time, actor, source address, action and target without knowing every log format.
 */

/** The log families Palisade reads; Sigma `logsource` values are matched against them. */
export interface EventSource {
  /** Reader that produced the event: `cloudtrail`, `azure-activity`, `gcp-audit`, `syslog`, ... */
  reader: string;
  /** Sigma logsource `product`: `aws`, `azure`, `gcp`, `linux`, `m365`. */
  product?: string;
  /** Sigma logsource `service`: `cloudtrail`, `activitylogs`, `gcp.audit`, `sshd`, `auditd`, ... */
  service?: string;
  /** Sigma logsource `category`: `process_creation`, `network_connection`, ... */
  category?: string;
  /** File the record came from, and its line (1-based) where the format has lines. */
  file?: string;
  line?: number;
}

/**
 * One log record.
 *
 * ```ts
 * const e: LogEvent = {
 *   time: '2023-07-10T11:45:02Z', source: { reader: 'cloudtrail', product: 'aws', service: 'cloudtrail' },
 *   account: '218007301253', actor: 'arn:aws:iam::218007301253:user/stratus', sourceIp: '203.0.113.7',
 *   action: 'StopLogging', target: 'arn:aws:cloudtrail:us-east-1:218007301253:trail/main',
 *   fields: { eventName: 'StopLogging', ... },
 * };
 * ```
 */
export interface LogEvent {
  /** ISO 8601 timestamp (UTC). */
  time: string;
  source: EventSource;
  account?: string;
  actor?: string;
  sourceIp?: string;
  action?: string;
  /**
   * What the record acts on; alerts name it as a cloud resource (an ARN, a resource id).
   * Known gap: the syslog and osquery readers still put host-local names here (a user, a path).
   */
  target?: string;
  /** The executable that acted, on the record's host (auditd `exe`): a process, not a resource. */
  process?: string;
  /** The file the record acts on, on its host (auditd's PATH record). */
  filePath?: string;
  /** Outcome where the log says: `success` or `failure`. */
  outcome?: 'success' | 'failure';
  /** Host the record came from (syslog hostname, instance id). */
  host?: string;
  /** Every original field of the record, unchanged (nested objects stay nested). */
  fields: Record<string, unknown>;
  /**
   * How many occurrences the record stands for, when more than one: syslog daemons write a
   * message repeated N times as one line (`message repeated 5 times: [ Failed password ... ]`),
   * and counts (correlations, an alert's event count) count each.
   */
  occurrences?: number;
}
