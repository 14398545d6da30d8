/**
 * azure-storage-blob-public-access-disabled on a template that leaves allowBlobPublicAccess out:
 * the verdict follows the service default for the template's API version (true before
 * 2023-01-01, false from it), and the sentence says the property is absent rather than quoting a
 * value the template never wrote.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const RULE = 'azure-storage-blob-public-access-disabled';
/** Azure's storage quickstart: apiVersion 2022-09-01, `properties: {}`. */
const QUICKSTART = shared(
  'iac/azure-quickstart-templates/quickstarts/microsoft.storage/storage-account-create/azuredeploy.json',
);

const compiled = compileRules((await loadRules()).filter((r) => r.id === RULE));

async function finding(path: string): Promise<Finding> {
  const { resources } = await readPaths([path]);
  const findings = evaluate(compiled, resources).filter((f) => f.ruleId === RULE);
  expect(findings).toHaveLength(1);
  return findings[0];
}

/** The quickstart deployed with another API version, written to a temporary folder. */
function quickstartWith(apiVersion: string): string {
  const text = readFileSync(QUICKSTART, 'utf8').replace('"2022-09-01"', `"${apiVersion}"`);
  expect(text).toContain(`"apiVersion": "${apiVersion}"`);
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-blob-default-')), 'azuredeploy.json');
  writeFileSync(file, text);
  return file;
}

describe(RULE, () => {
  it('fails the quickstart (API 2022-09-01) and says the property is absent, not that it is true', async () => {
    const result = await finding(QUICKSTART);
    expect(result.status).toBe('fail');
    expect(result.message).toContain(
      'allowBlobPublicAccess is not set; with API version 2022-09-01 the default is true',
    );
    expect(result.message).not.toContain('allowBlobPublicAccess = ');
  });

  it('passes the same template deployed with API 2023-01-01 or later, whose default is false', async () => {
    expect((await finding(quickstartWith('2023-01-01'))).status).toBe('pass');
    expect((await finding(quickstartWith('2025-01-01'))).status).toBe('pass');
  });

  it('quotes a value the template does write', async () => {
    const text = readFileSync(QUICKSTART, 'utf8').replace(
      '"properties": {}',
      '"properties": { "allowBlobPublicAccess": true }',
    );
    const file = join(mkdtempSync(join(tmpdir(), 'palisade-blob-written-')), 'azuredeploy.json');
    writeFileSync(file, text.replace('"2022-09-01"', '"2023-05-01"'));
    const result = await finding(file);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('"allowBlobPublicAccess = true"');
  });
});
