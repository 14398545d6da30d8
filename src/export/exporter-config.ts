/**
 * A continuous export's configuration: scope (everything, an account, a tag), filters (data
 * types, minimum severity), format and sink, with delivery settings. `parseExportInput` checks
 * untrusted input (API body, CLI flags) and names the field at fault.
 */

import {
  EXPORT_DATA_TYPES,
  type ExportDataType,
  type ExportFormat,
} from '../model/export-record.js';
import { SEVERITIES, type Severity } from '../model/rule.js';
import { checkedName, nonEmptyListOf } from './config-field-checks.js';
import { EXPORT_FORMATS } from './formats/index.js';
import { parseNewSinkConfig, SinkConfigError } from './sinks/index.js';

/** Which records an export carries, by what they concern. */
export type ExportScope =
  { kind: 'all' } | { kind: 'account'; value: string } | { kind: 'tag'; value: string };

/** Sink kinds whose configuration carries a message format. */
const FORMATTED_SINKS = new Set(['syslog', 'splunk-hec', 'webhook', 'nats']);

/** Defaults of the delivery settings. */
export const EXPORT_DEFAULTS = { maxAttempts: 8, batchSize: 200 } as const;

/** A checked export configuration, secrets still in the sink configuration. */
export interface ExportSettings {
  name: string;
  enabled: boolean;
  scope: ExportScope;
  types: ExportDataType[];
  minSeverity: Severity | null;
  format: ExportFormat;
  /** The sink configuration as `createSink` takes it. */
  sink: Record<string, unknown> & { kind: string };
  /** Delivery attempts of a batch before its records go to the dead-letter list. */
  maxAttempts: number;
  batchSize: number;
  /** Minutes between periodic snapshots of the current state; null for none. */
  snapshotMinutes: number | null;
}

/** A bad export configuration, naming the field. */
export class ExportConfigError extends Error {
  readonly code = 'export_config_invalid';
  readonly field: string;

  constructor(field: string, message: string) {
    super(`export ${field}: ${message}`);
    this.name = 'ExportConfigError';
    this.field = field;
  }
}

const fault = (field: string, message: string) => new ExportConfigError(field, message);

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ExportConfigError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * The scope written as `all`, `account:<id>` or `tag:<key>=<value>`.
 *
 * ```ts
 * parseScope('tag:env=prod'); // { kind: 'tag', value: 'env=prod' }
 * ```
 */
export function parseScope(text: string): ExportScope {
  if (text === 'all' || text === '') return { kind: 'all' };
  const [kind, ...rest] = text.split(':');
  const value = rest.join(':');
  if (kind === 'account' && value) return { kind: 'account', value };
  if (kind === 'tag' && /^[^=]+=.*$/.test(value)) return { kind: 'tag', value };
  throw new ExportConfigError(
    'scope',
    `"${text}" is not all, account:<account id> or tag:<key>=<value>`,
  );
}

/** The scope as text (the inverse of `parseScope`). */
export function scopeText(scope: ExportScope): string {
  return scope.kind === 'all' ? 'all' : `${scope.kind}:${scope.value}`;
}

/** Checks an export configuration from untrusted input. */
export function parseExportInput(input: unknown): ExportSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ExportConfigError('(body)', 'must be an object');
  }
  const o = input as Record<string, unknown>;
  const name = checkedName(o.name, fault);
  const scope = parseScope(typeof o.scope === 'string' ? o.scope : 'all');
  const types = nonEmptyListOf(o.types ?? EXPORT_DATA_TYPES, EXPORT_DATA_TYPES, 'types', fault);
  const minSeverity = o.minSeverity ?? null;
  if (minSeverity !== null && !SEVERITIES.includes(minSeverity as Severity)) {
    throw new ExportConfigError('minSeverity', `must be one of ${SEVERITIES.join(', ')}`);
  }
  if (typeof o.sink !== 'object' || o.sink === null || Array.isArray(o.sink)) {
    throw new ExportConfigError('sink', 'must be an object with a kind (syslog, webhook, ...)');
  }
  const raw = { ...(o.sink as Record<string, unknown>) };
  const format = (o.format ?? raw.format ?? 'json') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new ExportConfigError('format', `must be one of ${EXPORT_FORMATS.join(', ')}`);
  }
  if (FORMATTED_SINKS.has(String(raw.kind))) raw.format = format;
  let sink: Record<string, unknown> & { kind: string };
  try {
    sink = parseNewSinkConfig(raw) as unknown as Record<string, unknown> & { kind: string };
  } catch (error) {
    if (error instanceof SinkConfigError) {
      throw new ExportConfigError(`sink.${error.field}`, error.message);
    }
    throw error;
  }
  return {
    name,
    enabled: o.enabled === undefined ? true : o.enabled === true,
    scope,
    types,
    minSeverity: minSeverity as Severity | null,
    format,
    sink,
    maxAttempts:
      o.maxAttempts === undefined
        ? EXPORT_DEFAULTS.maxAttempts
        : integerIn(o.maxAttempts, 'maxAttempts', 1, 100),
    batchSize:
      o.batchSize === undefined
        ? EXPORT_DEFAULTS.batchSize
        : integerIn(o.batchSize, 'batchSize', 1, 5_000),
    snapshotMinutes:
      o.snapshotMinutes === undefined || o.snapshotMinutes === null
        ? null
        : integerIn(o.snapshotMinutes, 'snapshotMinutes', 1, 60 * 24 * 31),
  };
}
