/**
 * azure-storage-secure-transfer-required on a template that leaves supportsHttpsTrafficOnly out:
 * the verdict follows the service default for the template's API version (false before
 * 2019-04-01, true from it), and the sentence says the property is absent.
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

const RULE = 'azure-storage-secure-transfer-required';
/** Cloud Custodian's VM template: a storage account at apiVersion 2017-06-01, `properties: {}`. */
const VM = shared('iac/cloud-custodian-arm/vm.json');
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

/** The VM template with its storage account changed by `edit`, written to a temporary folder. */
function vmWith(edit: (text: string) => string): string {
  const before = readFileSync(VM, 'utf8');
  const text = edit(before);
  expect(text).not.toBe(before);
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-https-default-')), 'vm.json');
  writeFileSync(file, text);
  return file;
}

describe(RULE, () => {
  it('fails the VM template (API 2017-06-01, property absent) and names the default', async () => {
    const result = await finding(VM);
    expect(result.status).toBe('fail');
    expect(result.message).toContain(
      'supportsHttpsTrafficOnly is not set; with API version 2017-06-01 the default is false',
    );
  });

  it('passes the same account deployed with API 2019-04-01, whose default is true', async () => {
    const file = vmWith((t) =>
      t.replace(
        /("type": "Microsoft.Storage\/storageAccounts",\s*"name": [^\n]+\n\s*"apiVersion": )"2017-06-01"/,
        '$1"2019-04-01"',
      ),
    );
    expect((await finding(file)).status).toBe('pass');
    expect((await finding(QUICKSTART)).status).toBe('pass');
  });

  it('passes an old API version that writes the property true, and quotes a false one', async () => {
    const on = vmWith((t) =>
      t.replace('"properties": {}', '"properties": { "supportsHttpsTrafficOnly": true }'),
    );
    expect((await finding(on)).status).toBe('pass');
    const off = vmWith((t) =>
      t.replace('"properties": {}', '"properties": { "supportsHttpsTrafficOnly": false }'),
    );
    const result = await finding(off);
    expect(result.status).toBe('fail');
    expect(result.message).toContain('"supportsHttpsTrafficOnly = false"');
  });
});
