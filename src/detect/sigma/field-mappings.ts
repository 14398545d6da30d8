/**
 * Field mappings declared as data: where Sigma's taxonomy names a field differently from the
 * events a Palisade reader emits, `field-mappings/*.yaml` says which reader field to read.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { FieldMappingTable, SigmaLogSource } from './types.js';

/** Folder of the bundled mapping tables. */
export const FIELD_MAPPINGS_DIR = fileURLToPath(new URL('./field-mappings/', import.meta.url));

let bundled: FieldMappingTable[] | undefined;

/** The bundled tables, read once. A malformed bundled table is a programming error: it throws. */
export function bundledFieldMappings(): FieldMappingTable[] {
  if (bundled) return bundled;
  const files = readdirSync(FIELD_MAPPINGS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  bundled = files.map((file) =>
    parseFieldMappingTable(readFileSync(join(FIELD_MAPPINGS_DIR, file), 'utf8'), file),
  );
  return bundled;
}

/** Parses one mapping table (`logsource` plus `fields: { sigmaName: readerPath | [paths] }`). */
export function parseFieldMappingTable(text: string, file: string): FieldMappingTable {
  const data = parse(text) as { logsource?: unknown; fields?: unknown } | null;
  const logsource = data?.logsource;
  const fields = data?.fields ?? {};
  if (
    !logsource ||
    typeof logsource !== 'object' ||
    typeof fields !== 'object' ||
    fields === null
  ) {
    throw new Error(`${file}: a field mapping needs a logsource map and a fields map`);
  }
  for (const [name, target] of Object.entries(fields)) {
    const ok =
      typeof target === 'string' ||
      (Array.isArray(target) && target.every((t) => typeof t === 'string'));
    if (!ok) throw new Error(`${file}: field ${name} must map to a field path or a list of them`);
  }
  return {
    logsource: logsource as SigmaLogSource,
    fields: fields as Record<string, string | string[]>,
  };
}

/** True when every part a table names equals the rule's log source. */
function applies(table: SigmaLogSource, rule: SigmaLogSource): boolean {
  const parts = ['product', 'service', 'category'] as const;
  return parts.every(
    (p) => table[p] === undefined || table[p]?.toLowerCase() === rule[p]?.toLowerCase(),
  );
}

/**
 * Returns the resolver of Sigma field names for rules of `logsource`: mapped names give the
 * reader's path(s), others are read as written.
 */
export function fieldMapperFor(
  logsource: SigmaLogSource,
  extra: FieldMappingTable[] = [],
  tables: FieldMappingTable[] = bundledFieldMappings(),
): (name: string) => string[] {
  const merged: Record<string, string | string[]> = {};
  for (const table of [...tables, ...extra]) {
    if (applies(table.logsource, logsource)) Object.assign(merged, table.fields);
  }
  return (name) => {
    const target = Object.hasOwn(merged, name) ? merged[name] : undefined;
    if (target === undefined) return [name];
    return Array.isArray(target) ? target : [target];
  };
}
