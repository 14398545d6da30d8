/**
 * Palisade's log readers in the order they are offered a file: findings and the most specific
 * sniffs first, the plain-text syslog reader last.
 */

import type { LogReader } from './log-reader.js';
import { asffReader } from './asff-reader.js';
import { auditdReader } from './auditd-reader.js';
import { azureActivityReader } from './azure-activity-reader.js';
import { azureAdReader } from './azure-ad-reader.js';
import { cloudTrailReader } from './cloudtrail-reader.js';
import { falcoReader } from './falco-reader.js';
import { gcpAuditReader } from './gcp-audit-reader.js';
import { gcpSccReader } from './gcp-scc-reader.js';
import { guardDutyReader } from './guardduty-reader.js';
import { journaldReader } from './journald-reader.js';
import { logAnalyticsSyslogReader } from './log-analytics-syslog-reader.js';
import { m365AuditReader } from './m365-audit-reader.js';
import { osqueryReader } from './osquery-reader.js';
import { syslogReader } from './syslog-reader.js';

/** Every log reader, most specific first. */
export const LOG_READERS: LogReader[] = [
  asffReader,
  guardDutyReader,
  gcpSccReader,
  falcoReader,
  cloudTrailReader,
  gcpAuditReader,
  azureAdReader,
  azureActivityReader,
  m365AuditReader,
  journaldReader,
  osqueryReader,
  logAnalyticsSyslogReader,
  auditdReader,
  syslogReader,
];
