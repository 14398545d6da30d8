/**
 * Azure storage findings on a property the template leaves out say it is absent and which
 * default applied; they quote a value only where the resource holds one. Azure's storage
 * quickstart writes `properties: {}`.
 */

import { describe, expect, it } from 'vitest';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const QUICKSTART = shared(
  'iac/azure-quickstart-templates/quickstarts/microsoft.storage/storage-account-create/azuredeploy.json',
);
const INVENTORY = shared('cloud-inventory/azure');

const compiled = compileRules((await loadRules()).filter((r) => r.id.startsWith('azure-storage-')));

async function failures(path: string): Promise<Map<string, string[]>> {
  const { resources } = await readPaths([path]);
  const byRule = new Map<string, string[]>();
  for (const f of evaluate(compiled, resources)) {
    if (f.status === 'fail') byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f.message]);
  }
  return byRule;
}

describe('Azure storage findings on absent properties', () => {
  it('name the default instead of quoting a value the quickstart never wrote', async () => {
    const byRule = await failures(QUICKSTART);
    expect(Object.fromEntries(byRule)).toMatchObject({
      'azure-storage-blob-public-access-disabled': [
        expect.stringContaining('allowBlobPublicAccess is not set'),
      ],
      'azure-storage-default-network-deny': [
        expect.stringContaining('networkAcls.defaultAction is not set; the default is Allow'),
      ],
      'azure-storage-min-tls-12': [
        expect.stringContaining('minimumTlsVersion is not set; the default is TLS1_0'),
      ],
      'azure-storage-cmk-encryption': [
        expect.stringContaining(
          'encryption.keySource is not set; the default is Microsoft.Storage',
        ),
      ],
    });
    for (const message of [...byRule.values()].flat()) expect(message).not.toContain(' = ');
  });

  it('quote the value an inventory export does hold', async () => {
    const byRule = await failures(INVENTORY);
    expect(byRule.get('azure-storage-default-network-deny')).toContainEqual(
      expect.stringContaining('"networkAcls.defaultAction = Allow"'),
    );
    expect(byRule.get('azure-storage-cmk-encryption')).toContainEqual(
      expect.stringContaining('"keySource = Microsoft.Storage"'),
    );
  });
});
