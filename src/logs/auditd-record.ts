/**
 * Parses one raw auditd line (`type=SYSCALL msg=audit(1604994496.155:92733): arch=... exe="/bin/dd"`)
 * into its type, timestamp, serial and fields, decoding hex-encoded values and the nested `msg='...'`
 * of user-space records.
 */

export interface AuditRecord {
  type: string;
  /** Seconds since the epoch, with milliseconds. */
  seconds: number;
  milliseconds: number;
  serial: number;
  node?: string;
  fields: Record<string, string>;
}

const HEADER =
  /^(?:node=(\S+) )?type=([A-Za-z0-9_[\]]+) msg=audit\((\d{1,12})\.(\d{1,3}):(\d{1,20})\): ?(.*)$/s;
const PAIR = /([A-Za-z0-9_-]+)=("[^"]*"|'[^']*'|\S*)/g;
const HEX = /^(?:[0-9A-F]{2})+$/;

/** Fields whose unquoted values auditd writes as hex when they hold spaces or odd bytes. */
const HEX_FIELDS = new Set([
  'proctitle',
  'cmd',
  'name',
  'cwd',
  'exe',
  'comm',
  'path',
  'acct',
  'data',
  'old',
  'new',
]);

/** The ASCII group separator enriched auditd logs put between raw and interpreted fields. */
const GROUP_SEPARATOR = String.fromCharCode(0x1d);

/**
 * One line as a record, or undefined when it has no `type=... msg=audit(time:serial):` header.
 *
 * ```ts
 * parseAuditRecord('type=EXECVE msg=audit(1.5:7): argc=2 a0="arp" a1="-a"')?.fields.a1 // '-a'
 * ```
 */
export function parseAuditRecord(line: string): AuditRecord | undefined {
  // Enriched logs (`log_format = ENRICHED`) separate interpreted fields with 0x1d.
  const m = HEADER.exec(line.replaceAll(GROUP_SEPARATOR, ' '));
  if (!m) return undefined;
  const [, node, type, seconds, ms, serial, body] = m;
  return {
    type,
    seconds: Number(seconds),
    milliseconds: Number(ms.padEnd(3, '0')),
    serial: Number(serial),
    node,
    fields: parseFields(type, body),
  };
}

function parseFields(type: string, body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, key, raw] of body.matchAll(PAIR)) {
    if (key === 'msg' && raw.startsWith("'")) {
      const inner = raw.slice(1, -1);
      fields.msg = inner;
      // User-space records nest their own key=value list in msg='...'.
      for (const [, k, v] of inner.matchAll(PAIR)) {
        if (!(k in fields)) fields[k] = decodeValue(type, k, v);
      }
      continue;
    }
    fields[key] = decodeValue(type, key, raw);
  }
  return fields;
}

function decodeValue(type: string, key: string, raw: string): string {
  if (raw.startsWith('"') || raw.startsWith("'")) return raw.slice(1, -1);
  const hexField = (type === 'EXECVE' && /^a\d+$/.test(key)) || HEX_FIELDS.has(key);
  if (!hexField || !HEX.test(raw) || raw === '00') return raw;
  // NULs separate proctitle's arguments; show them as spaces.
  return Buffer.from(raw, 'hex').toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
}
