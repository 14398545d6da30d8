/**
 * The JSON Schemas (draft 2020-12) of the export records, one per data type and version, read
 * from `schemas/export/<type>.v<N>.json` in the package, and a validator over them.
 */

import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ExportDataType, ExportRecord } from '../../model/export-record.js';

/** The schema folder: `schemas/export` at the package root (above both src/ and dist/). */
const FOLDER = new URL('../../../schemas/export/', import.meta.url);

/** The parsed schema of `type` version `version`. */
export function exportSchema(type: ExportDataType, version = 1): Record<string, unknown> {
  const file = new URL(`${type}.v${version}.json`, FOLDER);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** A record that does not match its schema, with the first mismatches (path and message). */
export class ExportSchemaError extends Error {
  readonly problems: string[];

  constructor(record: { id?: unknown; type?: unknown }, problems: string[]) {
    super(`export record ${String(record.id)} (${String(record.type)}): ${problems.join('; ')}`);
    this.name = 'ExportSchemaError';
    this.problems = problems;
  }
}

/**
 * Validates records against their published schemas.
 *
 * ```ts
 * const validator = new ExportRecordValidator();
 * validator.check(record); // throws ExportSchemaError naming the field
 * ```
 */
export class ExportRecordValidator {
  readonly #ajv = new Ajv2020({ allErrors: true, strict: true });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor() {
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.#ajv);
  }

  /** The problems of `record` against its schema; empty when it conforms. */
  problems(record: ExportRecord): string[] {
    const key = `${record.type}.v${record.schemaVersion}`;
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(exportSchema(record.type, record.schemaVersion));
      this.#compiled.set(key, validate);
    }
    if (validate(record)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
  }

  /** Throws `ExportSchemaError` when `record` does not conform. */
  check(record: ExportRecord): void {
    const problems = this.problems(record);
    if (problems.length) throw new ExportSchemaError(record, problems);
  }
}
