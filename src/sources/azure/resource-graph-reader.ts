/**
 * Reads Azure Resource Graph results (source kind `azure-resource-graph`): `az graph query`
 * output (`{ data: [...] }`, `{ count, data }`) and plain arrays of rows.
 */

import { SourceReadError } from '../../model/source-error.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import { isArmBody, isObject, leftOutWarning, type ArmBody } from './arm-resource.js';
import { fileMentionsArm, resourcesFromBodies } from './arm-inventory-reader.js';
import { parseJsonText, tryParseJson } from './json-input.js';

function rowsOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.data) && !('interactions' in value)) return value.data;
  return undefined;
}

function isGraphRow(row: unknown): boolean {
  return isArmBody(row) && typeof row.type === 'string';
}

/** A Resource Graph row as an ARM body: graph-only columns dropped, `properties` parsed. */
function rowToBody(row: ArmBody): ArmBody {
  const { subscriptionId: _s, resourceGroup: _g, tenantId: _t, ...body } = row;
  if (typeof body.properties === 'string') {
    try {
      body.properties = JSON.parse(body.properties);
    } catch {
      // Known gap: a projected properties column that is not JSON stays a string.
    }
  }
  return body;
}

function read(file: SourceFile): ReadResult {
  const rows = rowsOf(parseJsonText(file.path, file.text));
  if (!rows) {
    throw new SourceReadError({
      file: file.path,
      code: 'INVALID_STRUCTURE',
      message: 'expected Resource Graph rows ({ "data": [...] } or an array of rows)',
    });
  }
  const bodies = rows.filter(isGraphRow).map((row) => rowToBody(row as ArmBody));
  const skipped = rows.length - bodies.length;
  const resources = resourcesFromBodies(bodies, 'azure-resource-graph', file.path);
  const warnings: string[] = [];
  if (skipped)
    warnings.push(
      `${skipped} row(s) without an ARM id and type were skipped; project id, type, properties`,
    );
  const leftOut = leftOutWarning(file.path, resources);
  if (leftOut) warnings.push(leftOut);
  return warnings.length ? { resources, warnings } : { resources };
}

/** The `azure-resource-graph` reader. */
export const resourceGraphReader: Reader = {
  kind: 'azure-resource-graph',
  detect: (file) => {
    if (!fileMentionsArm(file)) return false;
    const rows = rowsOf(tryParseJson(file.text));
    return rows !== undefined && rows.some(isGraphRow);
  },
  read,
};
