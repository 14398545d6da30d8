/**
 * Reads Azure Resource Graph results (source kind `azure-resource-graph`): `az graph query`
 * output (`{ data: [...] }`, `{ count, data }`) and plain arrays of rows, which is also what
 * `az ... list` commands print.
 */

import { SourceReadError } from '../../model/source-error.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import { isArmBody, isObject, type ArmBody } from './arm-resource.js';
import { fileMentionsArm, resourcesFromBodies } from './arm-inventory-reader.js';
import { armBodyOfCli } from './az-cli-body.js';
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
  const value = parseJsonText(file.path, file.text);
  const rows = rowsOf(value);
  if (!rows) {
    throw new SourceReadError({
      file: file.path,
      code: 'INVALID_STRUCTURE',
      message: 'expected Resource Graph rows ({ "data": [...] } or an array of rows)',
    });
  }
  // A bare array is what `az ... list` prints too: bodies with their properties lifted onto
  // the top level. Rows of `az graph query` (`{ data: [...] }`) hold what the query projected.
  const fromCli = Array.isArray(value);
  const bodies = rows
    .filter(isGraphRow)
    .map((row) => rowToBody(fromCli ? armBodyOfCli(row as ArmBody) : (row as ArmBody)));
  const skipped = rows.length - bodies.length;
  const resources = resourcesFromBodies(bodies, 'azure-resource-graph', file.path);
  const warnings: string[] = [];
  if (skipped)
    warnings.push(
      `${skipped} row(s) without an ARM id and type were skipped; project id, type, properties`,
    );
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
