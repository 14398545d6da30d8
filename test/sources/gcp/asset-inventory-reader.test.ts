import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import {
  assetInventoryReader,
  readAssetInventory,
} from '../../../src/sources/gcp/asset-inventory-reader.js';
import { gcpFile } from './shared-data.js';

const byName = (file: string) => {
  const { resources } = readAssetInventory(gcpFile(`policy-library-cai-assets/${file}`));
  return (name: string) => resources.find((r) => r.name === name)!;
};

describe('Cloud Asset Inventory reader', () => {
  it('claims CAI exports and leaves recorded REST responses alone', () => {
    expect(
      assetInventoryReader.detect(gcpFile('policy-library-cai-assets/cmek_rotation.json')),
    ).toBe(true);
    const flight =
      'cloud-custodian-flights/firewall-modify/get-compute-v1-projects-cloud-custodian-global-firewalls_1.json';
    expect(assetInventoryReader.detect(gcpFile(flight))).toBe(false);
  });

  it('types resources by asset type and names them by CAI full name, project and zone', () => {
    const get = byName('compute_enable_oslogin__compute__instance_violation.json');
    const vm = get('test-jumphost-violation');
    expect(vm.type).toBe('compute.googleapis.com/Instance');
    expect(vm.id).toBe(
      '//compute.googleapis.com/projects/my-test-project/zones/us-central1-f/instances/test-jumphost-violation',
    );
    expect(vm.account).toBe('my-test-project');
    expect(vm.region).toBe('us-central1-f');
    expect(vm.source.kind).toBe('gcp-asset-inventory');
    const items = (vm.properties.metadata as { items: { key: string }[] }).items.map((i) => i.key);
    expect(items).not.toContain('enable-oslogin');
    expect(vm.properties.shieldedInstanceConfig).toEqual({
      enableIntegrityMonitoring: true,
      enableSecureBoot: false,
      enableVtpm: true,
    });
  });

  it('keeps resource data as the REST API returns it (rotation period, SQL flags)', () => {
    expect(byName('cmek_rotation.json')('rotation-30-days').properties.rotationPeriod).toBe(
      '2592000s',
    );
    expect(
      byName('cmek_rotation.json')('rotation-never').properties.rotationPeriod,
    ).toBeUndefined();
    const sql = byName('sql_allowed_authorized_networks.json')('authorized-networks-35');
    expect(sql.properties).toMatchObject({
      settings: {
        ipConfiguration: { requireSsl: false, authorizedNetworks: [{ value: '35.187.118.0/24' }] },
      },
    });
  });

  it('turns iam_policy into iamPolicy bindings and marks the unseen resource data unknown', () => {
    const bucket = byName('storage_bucket_world_readable.json')('my-test-bucket');
    expect(bucket.properties.iamPolicy).toEqual({
      version: 1,
      bindings: [
        {
          role: 'roles/storage.legacyBucketOwner',
          members: ['projectEditor:test-editor', 'projectOwner:test-owner'],
        },
        {
          role: 'roles/storage.legacyBucketReader',
          members: ['allUsers', 'projectViewer:test-viewer'],
        },
      ],
    });
    expect(bucket.unknown).toContain('iamConfiguration');
    const project = byName('iam_audit_log.json')('good');
    expect(project.type).toBe('cloudresourcemanager.googleapis.com/Project');
    expect((project.properties.iamPolicy as { auditConfigs: unknown[] }).auditConfigs).toHaveLength(
      2,
    );
  });

  it('marks iamPolicy unknown on resource-only exports of types with separate policies', () => {
    const bucket = byName('enforce_labels__buckets.json')('bucket-with-no-labels');
    expect(bucket.unknown).toEqual(['iamPolicy']);
    expect(bucket.account).toBe('318576589455');
    const withLabels = byName('enforce_labels__buckets.json')('bucket-with-valid-labels');
    expect(Object.keys(withLabels.tags).length).toBeGreaterThan(0);
  });

  it('splits the node pools embedded in cluster data into NodePool resources', () => {
    const { resources } = readAssetInventory(
      gcpFile('policy-library-cai-assets/gke_master_authorized_networks_enabled.json'),
    );
    const pools = resources.filter((r) => r.type === 'container.googleapis.com/NodePool');
    expect(pools).toHaveLength(5);
    expect(pools[0].id).toMatch(/clusters\/private-endpoint-public\/nodePools\/default-pool$/);
    expect(pools[0].properties.management).toEqual({ autoRepair: true, autoUpgrade: true });
    expect(pools[0].relationships[0].target).toMatch(/clusters\/private-endpoint-public$/);
  });

  it('reads NDJSON exports with camelCase keys, one asset a line', () => {
    const lines = [
      JSON.stringify({
        name: '//compute.googleapis.com/projects/p1/global/firewalls/fw',
        assetType: 'compute.googleapis.com/Firewall',
        resource: { data: { name: 'fw', sourceRanges: ['0.0.0.0/0'] }, location: 'global' },
        ancestors: ['projects/123', 'organizations/9'],
      }),
      JSON.stringify({
        name: '//cloudresourcemanager.googleapis.com/projects/p1',
        assetType: 'cloudresourcemanager.googleapis.com/Project',
        iamPolicy: { bindings: [{ role: 'roles/owner', members: ['user:a@example.com'] }] },
      }),
    ];
    const { resources } = readAssetInventory({ path: 'export.json', text: lines.join('\n') });
    expect(resources.map((r) => [r.type, r.account, r.region])).toEqual([
      ['compute.googleapis.com/Firewall', 'p1', 'global'],
      ['cloudresourcemanager.googleapis.com/Project', 'p1', undefined],
    ]);
  });

  it('names the line of a broken NDJSON record', () => {
    const text = '{"name":"//x.googleapis.com/a","asset_type":"t"}\n{"name": oops}\n';
    const err = (() => {
      try {
        readAssetInventory({ path: 'bad.json', text });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).line).toBe(2);
  });

  it('rejects records without asset types with a SourceReadError', () => {
    expect(() =>
      readAssetInventory({ path: 'x.json', text: '[{"name":"//a.googleapis.com/b"}]' }),
    ).toThrow(SourceReadError);
  });
});
