/**
 * The one place that calls @cdktf/hcl2json (HashiCorp's HCL parser compiled to WASM): turns a
 * `.tf` or `.tfvars` file into its JSON body, or a `SourceReadError` naming file and line.
 */

import { parse } from '@cdktf/hcl2json';
import { SourceReadError } from '../../model/source-error.js';

/**
 * Largest file handed to the parser; bigger ones are reported, not read. The WASM parser takes
 * about 4 s and 200 MB of memory per MB of HCL (a generated 7.6 MB file: 34 s, 1.5 GB).
 */
export const MAX_HCL_BYTES = 5 * 1024 * 1024;

/** Why a file over the limit is not read, and what to do instead. */
export const HCL_TOO_LARGE =
  'file larger than 5 MB, the limit of the HCL parser (about 4 s and 200 MB of memory per MB); ' +
  'split it, or scan the plan instead (terraform show -json)';

export type HclBody = Record<string, unknown>;

/**
 * Parses HCL text. Expressions come back as `${...}` template strings, nested blocks as arrays
 * of objects, as hcl2json renders them.
 */
export async function parseHcl(file: string, text: string): Promise<HclBody> {
  if (text.length > MAX_HCL_BYTES) {
    throw new SourceReadError({ file, code: 'TOO_LARGE', message: HCL_TOO_LARGE });
  }
  let result: unknown;
  try {
    result = await parse(file, text);
  } catch (error) {
    throw parseFailure(file, error);
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new SourceReadError({ file, code: 'INVALID_STRUCTURE', message: 'not an HCL body' });
  }
  return result as HclBody;
}

/** hcl2json reports `parse config: [file:12,3-5: Summary; Detail]`; keep line and column. */
function parseFailure(file: string, error: unknown): SourceReadError {
  const raw = error instanceof Error ? error.message : String(error);
  const located = /:(\d+),(\d+)(?:-\d+(?:,\d+)?)?:\s*([^\]]*)/.exec(raw);
  const message = located ? located[3].trim() : raw.replace(/^parse config:\s*/, '');
  return new SourceReadError({
    file,
    code: 'PARSE_ERROR',
    message: `HCL syntax error: ${message}`,
    line: located ? Number(located[1]) : undefined,
    column: located ? Number(located[2]) : undefined,
  });
}
