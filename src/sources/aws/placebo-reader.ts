/**
 * Reads boto3 "placebo" recordings (`<service>.<Operation>_<n>.json`, holding
 * `{"status_code": 200, "data": <response>}`): one API call per file, mapped to partial resources
 * that the scan merges by type and id.
 */

import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { SourceReadError } from '../../model/source-error.js';
import type { Reader, SourceFile } from '../reader.js';
import { type ApiCallContext, isMappedCall, mapApiCall } from './aws-api-mapper.js';
import { isRecord, normaliseRecording, type Props } from './aws-api-values.js';
import { inventoryResource } from './inventory-resource.js';

const PLACEBO_NAME = /^([a-z0-9-]+)\.([A-Z][A-Za-z0-9]+)_\d+\.json$/;
const MAX_SIBLING_BYTES = 5_000_000;

/** `service.Operation` named by a placebo file name, if it is one. */
export function placeboCall(file: string): string | undefined {
  const match = PLACEBO_NAME.exec(path.basename(file));
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** Parses a recording; throws `SourceReadError` when it is not one. */
export function parseRecording(file: string, text: string): { status: number; data: Props } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SourceReadError({
      file,
      code: 'PARSE_ERROR',
      message: `invalid JSON: ${(err as Error).message}`,
      line: 1,
    });
  }
  if (!isRecord(parsed) || !isRecord(parsed.data)) {
    throw new SourceReadError({
      file,
      code: 'INVALID_STRUCTURE',
      message: 'placebo recording without a "data" object',
      line: 1,
    });
  }
  const status = typeof parsed.status_code === 'number' ? parsed.status_code : 200;
  return { status, data: normaliseRecording(parsed.data) as Props };
}

/**
 * Other recordings in the file's folder, read on demand. Placebo does not record request
 * parameters, so a call like GetBucketAcl names its bucket only through what else the test
 * recorded (see `implied` in aws-api-mapper.ts).
 */
function folderContext(
  file: string,
  status: number,
  allow?: (realPath: string) => boolean,
): ApiCallContext {
  const dir = path.dirname(file);
  const cache = new Map<string, Props[]>();
  const sibling = (call: string): Props[] => {
    const hit = cache.get(call);
    if (hit) return hit;
    const found: Props[] = [];
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      names = [];
    }
    for (const name of names.filter((n) => placeboCall(n) === call).sort()) {
      const full = path.join(dir, name);
      try {
        const target = allow ? realpathSync(full) : full;
        if (allow && !allow(target)) continue;
        if (full === file || statSync(target).size > MAX_SIBLING_BYTES) continue;
        const recording = parseRecording(full, readFileSync(target, 'utf8'));
        if (recording.status < 300) found.push(recording.data);
      } catch {
        // A broken sibling is reported when the scan reads it; here it just gives no hint.
      }
    }
    cache.set(call, found);
    return found;
  };
  return { status, folder: path.basename(dir), sibling };
}

function detect(file: SourceFile): boolean {
  const call = placeboCall(file.path);
  if (call === undefined || !isMappedCall(call)) return false;
  return /"status_code"\s*:/.test(file.text.slice(0, 4096)) && /"data"\s*:/.test(file.text);
}

/**
 * The placebo recording reader (source kind `aws-api`). It claims only the calls it maps, so
 * recordings of other calls (Security Hub findings, say) stay free for other readers.
 */
export const placeboReader: Reader = {
  kind: 'aws-api',
  detect,
  read(file) {
    const call = placeboCall(file.path)!;
    const { status, data } = parseRecording(file.path, file.text);
    if (!isMappedCall(call))
      return { resources: [], warnings: [`${file.path}: ${call} is not mapped to resources`] };
    const inputs = mapApiCall(call, data, folderContext(file.path, status, file.allow));
    return { resources: inputs.map((i) => inventoryResource(i, 'aws-api', file.path)) };
  },
};
