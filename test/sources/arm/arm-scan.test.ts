import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { fixtures, sharedData } from './arm-test-helpers.js';

describe('ARM templates in a scan', () => {
  it('routes every shared ARM template to the ARM reader and the parameters file nowhere', async () => {
    const { files, resources } = await readPaths([
      path.join(sharedData, 'iac/cloud-custodian-arm'),
      path.join(sharedData, 'iac/azure-quickstart-templates'),
      path.join(fixtures, 'web-tier.json'),
    ]);
    const templates = files.filter((f) => f.kind === 'arm');
    expect(templates).toHaveLength(12);
    expect(files.filter((f) => f.error)).toEqual([]);
    expect(templates.reduce((sum, f) => sum + f.resources, 0)).toBe(resources.length);
    const nics = resources.filter((r) => r.type === 'Microsoft.Network/networkInterfaces');
    expect(nics.map((r) => r.name)).toContain('web-nic-2');
    expect(nics.map((r) => r.name)).not.toContain('web-nic-3');
  });

  it('lists a broken template as an error with its line', async () => {
    const { files } = await readPaths([path.join(fixtures, 'broken-syntax.json')]);
    expect(files).toHaveLength(1);
    expect(files[0].error).toMatchObject({ code: 'PARSE_ERROR', line: 8 });
  });
});
