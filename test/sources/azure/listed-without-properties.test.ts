import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessPaths, writeFolder as folder } from '../../support/assess-files.js';

/**
 * `az resource list` (ARM's generic `/resources` listing) writes every resource with
 * `"properties": null`: its settings were not asked for. A rule must not read that as the
 * defaults an absent setting means in a GET body (anonymous blob access allowed, TLS 1.0, ...).
 */

const GET_BODY = path.resolve(
  process.cwd(),
  '../shared/data/cloud-inventory/azure/azure-rest-api-specs-examples/storage-2023-05-01-StorageAccountGetProperties.json',
);
const TLS = 'azure-storage-min-tls-12';

/** The REST API example's storage account GET body, and the same account as listed. */
function bodies() {
  const get = (JSON.parse(readFileSync(GET_BODY, 'utf8')) as any).responses['200'].body;
  get.id = get.id.replace('{subscription-id}', '00000000-0000-0000-0000-000000000001');
  // The members `az resource list` writes (Azure CLI `az resource list -o json`).
  const listed = {
    changedTime: '2023-01-01T00:00:00.000000+00:00',
    createdTime: '2017-06-01T02:42:41.763330+00:00',
    extendedLocation: null,
    id: get.id,
    identity: null,
    kind: get.kind,
    location: get.location,
    managedBy: null,
    name: get.name,
    plan: null,
    properties: null,
    provisioningState: 'Succeeded',
    resourceGroup: 'res9407',
    sku: get.sku,
    tags: get.tags ?? {},
    type: 'Microsoft.Storage/storageAccounts',
  };
  return { get, listed };
}

describe('Azure resources listed without their properties', () => {
  it('cannot be judged on their settings, and the scan says why', async () => {
    const { listed } = bodies();
    const result = await assessPaths([folder({ 'list.json': [listed] })]);
    const storage = result.findings.filter((f) => f.ruleId.startsWith('azure-storage-'));
    expect(storage.length).toBeGreaterThan(3);
    expect(storage.filter((f) => f.status === 'fail')).toEqual([]);
    const tls = storage.find((f) => f.ruleId === TLS)!;
    expect(tls.status).toBe('not_applicable');
    expect(tls.message).toMatch(/properties is unknown/);
    expect(result.warnings.join('\n')).toMatch(/1 resource\(s\) carry no properties/);
  });

  it('are judged on the settings a GET body read beside the listing supplies', async () => {
    const { get, listed } = bodies();
    const alone = await assessPaths([folder({ 'get.json': get })]);
    const joined = await assessPaths([folder({ 'a-list.json': [listed], 'b-get.json': get })]);
    const verdicts = (r: typeof alone) =>
      r.findings
        .filter((f) => f.ruleId.startsWith('azure-storage-'))
        .map((f) => `${f.ruleId} ${f.status}`)
        .sort();
    expect(joined.findings.some((f) => f.ruleId === TLS)).toBe(true);
    expect(verdicts(joined)).toEqual(verdicts(alone));
    expect(joined.findings.find((f) => f.ruleId === TLS)!.status).toMatch(/^(pass|fail)$/);
    // The listing left nothing unknown that the GET body did not fill in: nothing to warn of.
    expect(joined.warnings.join('\n')).not.toMatch(/carry no properties/);
  });

  it('are not warned of when the GET body is read first or as `az ... show` prints it', async () => {
    const { get, listed } = bodies();
    // `az storage account show` prints the body with its properties lifted onto the top level.
    const { properties, ...envelope } = get;
    const shown = { ...envelope, ...properties };
    for (const files of [
      { 'a-get.json': get, 'b-list.json': [listed] },
      { 'a-list.json': [listed], 'b-show.json': shown },
    ]) {
      const result = await assessPaths([folder(files)]);
      expect(result.counts.resources).toBe(1);
      const tls = result.findings.find((f) => f.ruleId === TLS)!;
      expect(tls.status).toMatch(/^(pass|fail)$/);
      expect(result.warnings.join('\n')).not.toMatch(/carry no properties/);
    }
  });

  it('still warn of a listed resource no other file fills in, naming its listing', async () => {
    const { get, listed } = bodies();
    const other = { ...listed, id: `${listed.id}2`, name: `${listed.name}2` };
    const result = await assessPaths([
      folder({ 'a-list.json': [listed, other], 'b-get.json': get }),
    ]);
    const status = (name: string) =>
      result.findings.find((f) => f.ruleId === TLS && f.resourceName === name)?.status;
    expect(status(listed.name)).toMatch(/^(pass|fail)$/);
    expect(status(other.name)).toBe('not_applicable');
    const warnings = result.warnings.filter((w) => /carry no properties/.test(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /a-list\.json: 1 resource\(s\) carry no properties \(`"properties": null`/,
    );
  });

  it('name every listing of a resource that no file read with its properties', async () => {
    const { listed } = bodies();
    const result = await assessPaths([
      folder({
        'a-list.json': [listed],
        'b-list.json': [{ ...listed, id: listed.id.toUpperCase() }],
      }),
    ]);
    expect(result.counts.resources).toBe(1);
    const warnings = result.warnings.filter((w) => /carry no properties/.test(w));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/a-list\.json: 1 resource\(s\)/);
    expect(warnings[1]).toMatch(/b-list\.json: 1 resource\(s\)/);
  });
});
