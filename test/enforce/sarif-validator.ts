/** The official SARIF 2.1.0 schema as an Ajv validator, for the CI gate's SARIF logs. */

import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';

const require = createRequire(import.meta.url);
const SARIF_SCHEMA = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

/**
 * The official schema is draft-04, whose only keyword Ajv 8 reads differently is the top-level
 * `id` (draft-06 on: `$id`); the rest of the vocabulary it uses means the same in both.
 */
export function sarifValidator() {
  const { id, $schema: _draft, ...rest } = SARIF_SCHEMA as Record<string, unknown>;
  // unicodeRegExp off: the schema's `language` pattern has a stray `]` that only the u flag rejects.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const schema: Record<string, unknown> = { ...rest, $id: id };
  return ajv.compile(schema);
}
