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
import { checkChangedFields } from './config-field-checks.js';
import { keepingStoredSecrets } from './exporter-secrets.js';

const fault = (field: string, message: string) => new ExportConfigError(field, message);

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
  checkChangedFields(patch, EXPORT_UPDATE_FIELDS, fault);
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
      given === undefined
        ? stored
        : keepingStoredSecrets(given as Record<string, unknown>, stored, (field, message) =>
            fault(`sink.${field}`, message),
          ),
  });
}
