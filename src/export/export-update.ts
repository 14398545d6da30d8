/**
 * Changing a stored export: the caller names only what changes, the rest is kept, and the whole
 * is checked again as a new export is (the outbound address guard included). A sink sent back
 * the way a listing shows it keeps its secrets: a secret field given as `********`, or a sealed
 * URL given by its base, means "unchanged", so a client can edit what it was shown without ever
 * holding the secrets.
 */

import type { ServerKey } from '../server/auth/server-key.js';
import { exportSinkConfig, exportView, type ExportRow } from '../store/export-repository.js';
import {
  ExportConfigError,
  parseExportInput,
  scopeText,
  type ExportSettings,
} from './exporter-config.js';
import { REDACTED, urlBase } from './exporter-secrets.js';

/** The fields an update may name. */
export const EXPORT_UPDATE_FIELDS = [
  'name',
  'enabled',
  'scope',
  'types',
  'minSeverity',
  'format',
  'sink',
  'maxAttempts',
  'batchSize',
  'snapshotMinutes',
] as const;

/**
 * `sink` with the values a listing shows in place of secrets replaced by the stored ones. A sink
 * of another kind shares nothing with the stored one, so its secrets must be given.
 */
function sinkKeepingSecrets(
  given: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  const sink: Record<string, unknown> = { kind: stored.kind, ...given };
  const sameKind = sink.kind === stored.kind;
  for (const [field, value] of Object.entries(sink)) {
    if (value === REDACTED) {
      if (!sameKind || !(field in stored)) {
        throw new ExportConfigError(`sink.${field}`, 'is a secret not stored yet: give its value');
      }
      sink[field] = stored[field];
    } else if (
      field === 'url' &&
      sameKind &&
      typeof value === 'string' &&
      typeof stored.url === 'string' &&
      stored.url !== value &&
      urlBase(stored.url) === value
    ) {
      // The listing showed the receiver without the query string sealed with the secrets.
      sink.url = stored.url;
    }
  }
  return sink;
}

/**
 * The settings `row` has once `patch` (the fields of `EXPORT_UPDATE_FIELDS` it names) is
 * applied, checked as new input. Throws `ExportConfigError` naming the field at fault.
 *
 * ```ts
 * updatedExportSettings(row, key, { enabled: false }); // paused, all else as it was
 * ```
 */
export function updatedExportSettings(
  row: ExportRow,
  key: ServerKey,
  patch: Record<string, unknown>,
): ExportSettings {
  const view = exportView(row);
  const stored = exportSinkConfig(row, key);
  const unknown = Object.keys(patch).filter(
    (f) => !(EXPORT_UPDATE_FIELDS as readonly string[]).includes(f),
  );
  if (Object.keys(patch).length === 0) {
    // The API drops fields it does not know before this point: a misspelt one lands here.
    throw new ExportConfigError(
      '(body)',
      `nothing to change: name at least one of ${EXPORT_UPDATE_FIELDS.join(', ')}`,
    );
  }
  if (unknown.length > 0) {
    throw new ExportConfigError(
      unknown[0],
      `cannot be changed (fields: ${EXPORT_UPDATE_FIELDS.join(', ')})`,
    );
  }
  const given = patch.sink;
  if (
    given !== undefined &&
    (typeof given !== 'object' || given === null || Array.isArray(given))
  ) {
    throw new ExportConfigError('sink', 'must be an object with a kind (syslog, webhook, ...)');
  }
  return parseExportInput({
    name: view.name,
    enabled: view.enabled,
    scope: scopeText(view.scope),
    types: view.types,
    minSeverity: view.minSeverity,
    // A format named inside the sink counts, as it does when an export is made.
    format: (given as { format?: unknown } | undefined)?.format ?? view.format,
    maxAttempts: view.maxAttempts,
    batchSize: view.batchSize,
    snapshotMinutes: view.snapshotMinutes,
    ...patch,
    sink:
      given === undefined ? stored : sinkKeepingSecrets(given as Record<string, unknown>, stored),
  });
}
