/**
 * Values the posture fuzz test (hostile-values.fuzz.test.ts) found crashing a reader, each in the
 * real input it was found in: an object whose `toString` is not a function (`{"toString":{}}`)
 * where text or a number was expected. The reader passes over the value; it does not throw.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { armInventoryReader } from '../../src/sources/azure/arm-inventory-reader.js';
import { restResponseReader } from '../../src/sources/gcp/rest-response-reader.js';
import type { SourceFile } from '../../src/sources/reader.js';
import { shared } from '../support/paths.js';

/** Objects String() and Number() throw on, as JSON.parse gives them. */
const NO_TO_STRING = JSON.parse('{"toString":{}}') as unknown;

/** A shared file as a reader sees it, its parsed JSON changed by `edit`. */
function editedJson(path: string, edit: (doc: any) => void): SourceFile {
  const full = shared(path);
  const doc = JSON.parse(readFileSync(full, 'utf8')) as unknown;
  edit(doc);
  return { path: full, text: JSON.stringify(doc) };
}

describe('readers given a value that cannot become text', () => {
  it('GCP REST recording: a status of {"toString":{}} is no success; nothing read, no crash', () => {
    const path =
      'cloud-inventory/gcp/cloud-custodian-flights/bucket-iam-policy/get-storage-v1-b_1.json';
    const file = editedJson(path, (doc) => (doc.headers.status = NO_TO_STRING));
    expect(restResponseReader.detect(file)).toBe(true);
    const result = restResponseReader.read(file) as ReturnType<typeof restResponseReader.read>;
    expect(result).toEqual({
      resources: [],
      warnings: [`${file.path}: recorded HTTP status ?`],
    });
  });

  it('Azure cassette: an interaction whose uri is {"toString":{}} is passed over', async () => {
    const path = 'cloud-inventory/azure/cloud-custodian-cassettes/KeyVaultTest.test_whitelist.json';
    const whole = editedJson(path, () => {});
    const file = editedJson(path, (doc) =>
      doc.interactions.unshift({ request: { uri: NO_TO_STRING } }),
    );
    expect(armInventoryReader.detect(file)).toBe(true);
    const expected = (await armInventoryReader.read(whole)).resources.map((r) => r.id);
    expect(expected.length).toBeGreaterThan(0);
    expect((await armInventoryReader.read(file)).resources.map((r) => r.id)).toEqual(expected);
  });
});
