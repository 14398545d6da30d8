/** Paths into the shared third-party test data and small helpers the log reader tests share. */

import path from 'node:path';
import { Readable } from 'node:stream';
import type { LogEvent } from '../../src/model/event.js';
import { LogReadError } from '../../src/logs/log-read-error.js';
import type { LogItem } from '../../src/logs/log-reader.js';

export const DATA = path.resolve(process.cwd(), '../shared/data');

/** Absolute path of a file under shared/data. */
export function dataPath(...parts: string[]): string {
  return path.join(DATA, ...parts);
}

/** Drains an item stream into events and errors. */
export async function collect(
  items: AsyncIterable<LogItem>,
): Promise<{ events: LogEvent[]; errors: LogReadError[] }> {
  const events: LogEvent[] = [];
  const errors: LogReadError[] = [];
  for await (const item of items) {
    if (item instanceof LogReadError) errors.push(item);
    else events.push(item);
  }
  return { events, errors };
}

/** A byte stream over a string, split into chunks of `size` bytes to exercise chunk boundaries. */
export function streamOf(text: string | Buffer, size = 7): Readable {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}

/** A minimal RFC 4180 CSV parser (quoted fields, doubled quotes) for the loghub ground truth. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header, ...body] = rows;
  return body.map((r) =>
    Object.fromEntries(header.map((h, i) => [h.replace(/^\uFEFF/, ''), r[i] ?? ''])),
  );
}

/** A real input per log reader, under shared/data (journald has none: its fuzz suite makes one). */
export const READER_SAMPLES: Record<string, string> = {
  cloudtrail: 'cloudtrail/stratus-red-team/aws.persistence.iam-create-admin-user.json',
  'azure-activity': 'azure-activity/elastic-integrations-ELv2/test-activitylogs-raw.log',
  'azure-ad': 'azure-activity/otrf-security-datasets/GoldenSAMLADFSMailAccess/AADAuditEvents.json',
  'gcp-audit': 'gcp-audit/plaso/gcp_logging.jsonl',
  'm365-audit': 'azure-activity/plaso/microsoft_audit_log.jsonl',
  asff: 'findings/aws/cloud-custodian-placebo/test_larger_batch/securityhub.GetFindings_1.json',
  guardduty: 'findings/aws/cloud-custodian-cwe/iam-duty-event.json',
  'gcp-scc': 'findings/gcp/cloud-custodian/scc-notification-network-finding.json',
  falco: 'findings/falco/elastic-integrations-ELv2/test-falco.head.log',
  journald: '',
  osquery: 'host-events/msticpy/osquery/osqueryd.snapshots.log',
  'log-analytics-syslog':
    'host-events/otrf-security-datasets/log4shell/syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
  auditd: 'host-events/otrf-security-datasets/sh_arp_cache_2020-11-10074812.log',
  syslog: 'ssh-logs/loghub/OpenSSH/OpenSSH_2k.log',
};
