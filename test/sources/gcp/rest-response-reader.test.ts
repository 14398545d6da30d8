import { describe, expect, it } from 'vitest';
import {
  readRestResponse,
  restResponseReader,
} from '../../../src/sources/gcp/rest-response-reader.js';
import { gcpReaders } from '../../../src/sources/gcp/index.js';
import { GCP_INVENTORY, filesUnder, gcpFile, sourceFile } from './shared-data.js';

const flight = (relative: string) =>
  readRestResponse(gcpFile(`cloud-custodian-flights/${relative}`)).resources;

describe('recorded GCP REST response reader', () => {
  it('reads every file under cloud-inventory/gcp through the GCP readers without a crash', async () => {
    const files = filesUnder(GCP_INVENTORY);
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const file of files) {
      const source = sourceFile(file);
      const reader = gcpReaders.find((r) => r.detect(source));
      expect(reader, file).toBeDefined();
      const { resources } = await reader!.read(source);
      expect(resources.length, file).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.cloud).toBe('gcp');
        expect(r.id.startsWith('//'), r.id).toBe(true);
      }
    }
  });

  it('takes project and zone of aggregated instances from the URL and the scope key', () => {
    const [vm] = flight(
      'filter-metrics-with-metric-key-as-instance-id/get-compute-v1-projects-cloud-custodian-aggregated-instances_1.json',
    );
    expect(vm.id).toBe(
      '//compute.googleapis.com/projects/cloud-custodian/zones/us-east4-c/instances/name-123',
    );
    expect(vm.account).toBe('cloud-custodian');
    expect(vm.region).toBe('us-east4-c');
    expect(vm.source.kind).toBe('gcp-api');
    expect(vm.tags.usage).toBe('dev-purpose');
    expect(Object.keys(vm.properties).some((k) => k.startsWith('c7n'))).toBe(false);
    expect(vm.properties.shieldedInstanceConfig).toMatchObject({ enableSecureBoot: false });
  });

  it('reads firewall rules with their allowed ports as the API returns them', () => {
    const [fw] = flight(
      'firewall-modify/get-compute-v1-projects-cloud-custodian-global-firewalls_1.json',
    );
    expect(fw.type).toBe('compute.googleapis.com/Firewall');
    expect(fw.id).toBe('//compute.googleapis.com/projects/cloud-custodian/global/firewalls/test');
    expect(fw.properties.allowed).toEqual([{ IPProtocol: 'tcp', ports: ['22', '21-25'] }]);
    expect(fw.properties.sourceRanges).toEqual(['1.1.1.1']);
  });

  it('takes a bucket list project from the recorded ?project= query', () => {
    const buckets = flight('bucket-iam-policy/get-storage-v1-b_1.json');
    expect(buckets.map((b) => b.name)).toEqual([
      'cloud-custodian-test-1',
      'cloud-custodian-test-2',
      'cloud-custodian-test-3',
    ]);
    expect(buckets.every((b) => b.account === 'custodian')).toBe(true);
    expect(buckets[1].properties).toMatchObject({
      iamConfiguration: { uniformBucketLevelAccess: { enabled: false } },
    });
    expect(buckets[0].unknown).toEqual(['iamPolicy']);
  });

  it('turns a folder getIamPolicy response into a Folder resource named from the file name', () => {
    const [folder] = flight('folder-iam-policy/post-v2-folders-222222222222-getIamPolicy_1.json');
    expect(folder.type).toBe('cloudresourcemanager.googleapis.com/Folder');
    expect(folder.id).toBe('//cloudresourcemanager.googleapis.com/folders/222222222222');
    const policy = folder.properties.iamPolicy as {
      bindings: { role: string; members: string[] }[];
    };
    expect(policy.bindings.map((b) => b.role)).toEqual([
      'roles/resourcemanager.folderAdmin',
      'roles/admin',
    ]);
  });

  it('reads GKE clusters across locations (`locations/-`) named by their selfLink', () => {
    const clusters = flight(
      'gke-cluster-filter-effective-firewall/get-v1-projects-cloud-custodian-locations---clusters_1.json',
    );
    expect(clusters.map((c) => c.id)).toEqual([
      '//container.googleapis.com/projects/cloud-custodian/locations/us-central1/clusters/c7nnode-cluster-1',
      '//container.googleapis.com/projects/cloud-custodian/locations/us-central1/clusters/c7nnode-cluster-2',
    ]);
    expect(clusters[0].region).toBe('us-central1');
    expect(clusters[0].properties.addonsConfig).toMatchObject({
      networkPolicyConfig: { disabled: true },
    });
  });

  it('reads service account keys, KMS keys and aggregated subnetworks', () => {
    const keys = flight(
      'iam-service-account-key-query/get-v1-projects-cloud-custodian-serviceAccounts-test-cutodian-scc@cloud-custodian.iam.gserviceaccount.com-keys_1.json',
    );
    expect(keys.map((k) => k.properties.keyType)).toEqual(['SYSTEM_MANAGED', 'USER_MANAGED']);
    const [key] = flight(
      'kms-cryptokey-query/get-v1-projects-cloud-custodian-locations-us-central1-keyRings-cloud-custodian-cryptoKeys_1.json',
    );
    expect(key.region).toBe('us-central1');
    expect(key.properties.purpose).toBe('ENCRYPT_DECRYPT');
    const subnets = flight(
      'subnet-set-flow/get-compute-v1-projects-cloud-custodian-aggregated-subnetworks_1.json',
    );
    expect(subnets).toHaveLength(18);
    expect(subnets.every((s) => s.properties.privateIpGoogleAccess === false)).toBe(true);
  });

  it('reads an unwrapped body when the file name gives the collection', () => {
    const text = JSON.stringify({
      kind: 'sql#instancesList',
      items: [
        {
          name: 'db1',
          region: 'europe-west1',
          settings: { ipConfiguration: { ipv4Enabled: true } },
        },
      ],
    });
    const file = { path: '/x/get-sql-v1beta4-projects-my-proj-instances_1.json', text };
    expect(restResponseReader.detect(file)).toBe(true);
    const [db] = readRestResponse(file).resources;
    expect(db.id).toBe('//cloudsql.googleapis.com/projects/my-proj/instances/db1');
    expect(db.region).toBe('europe-west1');
  });

  it('yields nothing but a warning for a recorded error status', () => {
    const text = JSON.stringify({ headers: { status: '403' }, body: { error: { code: 403 } } });
    const result = readRestResponse({
      path: 'get-compute-v1-projects-p-global-firewalls_1.json',
      text,
    });
    expect(result.resources).toEqual([]);
    expect(result.warnings?.[0]).toMatch(/403/);
  });

  it('does not claim JSON files that are not GCP REST recordings', () => {
    expect(restResponseReader.detect({ path: 'package.json', text: '{"name":"x"}' })).toBe(false);
  });
});
