import { describe, expect, it } from 'vitest';
import { unknownValue } from '../../../src/model/resource.js';
import { gcpTerraformTranslator } from '../../../src/sources/gcp/index.js';
import type {
  TerraformBlock,
  TranslationContext,
} from '../../../src/sources/terraform/terraform-block.js';

function tfBlock(
  type: string,
  name: string,
  attributes: Record<string, unknown>,
  references: string[] = [],
): TerraformBlock {
  return {
    mode: 'managed',
    type,
    name,
    address: `${type}.${name}`,
    module: '',
    attributes,
    references,
    file: 'main.tf',
    line: 1,
  };
}

function translate(...blocks: TerraformBlock[]) {
  const ctx: TranslationContext = {
    blocks,
    byAddress: (a) => blocks.find((b) => b.address === a),
    referrers: (type, address) =>
      blocks.filter((b) => b.type === type && b.references.includes(address)),
  };
  return gcpTerraformTranslator.translate(ctx);
}

describe('google_* Terraform translator', () => {
  it('puts bucket settings in the JSON API shape and folds IAM grants into iamPolicy', () => {
    const bucket = tfBlock('google_storage_bucket', 'site', {
      name: 'site',
      location: 'us',
      uniform_bucket_level_access: true,
      versioning: [{ enabled: true }],
    });
    const binding = tfBlock(
      'google_storage_bucket_iam_binding',
      'public',
      {
        bucket: unknownValue('id is computed'),
        role: 'roles/storage.objectViewer',
        members: ['allUsers'],
      },
      ['google_storage_bucket.site'],
    );
    const member = tfBlock('google_storage_bucket_iam_member', 'team', {
      bucket: 'site',
      role: 'roles/storage.objectViewer',
      member: 'group:team@example.com',
    });
    const [r] = translate(bucket, binding, member);
    expect(r.id).toBe('//storage.googleapis.com/site');
    expect(r.properties).toMatchObject({
      location: 'US',
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
      versioning: { enabled: true },
      iamPolicy: {
        bindings: [
          { role: 'roles/storage.objectViewer', members: ['allUsers', 'group:team@example.com'] },
        ],
      },
    });
    expect(r.source).toMatchObject({
      kind: 'terraform',
      file: 'main.tf',
      address: 'google_storage_bucket.site',
    });
  });

  it('turns firewall allow blocks into allowed[] with IPProtocol and string ports', () => {
    const [fw] = translate(
      tfBlock('google_compute_firewall', 'ssh', {
        name: 'ssh',
        project: 'p1',
        source_ranges: ['0.0.0.0/0'],
        allow: [{ protocol: 'tcp', ports: [22, '8000-8080'] }],
      }),
    );
    expect(fw.id).toBe('//compute.googleapis.com/projects/p1/global/firewalls/ssh');
    expect(fw.properties).toMatchObject({
      direction: 'INGRESS',
      sourceRanges: ['0.0.0.0/0'],
      allowed: [{ IPProtocol: 'tcp', ports: ['22', '8000-8080'] }],
      logConfig: { enable: false },
    });
  });

  it('writes instance metadata as items, expands scope aliases and keeps unknowns as markers', () => {
    const [vm] = translate(
      tfBlock('google_compute_instance', 'vm', {
        name: 'vm',
        zone: unknownValue('zone from a data source'),
        metadata: { 'serial-port-enable': true },
        network_interface: [{ access_config: [{}] }],
        service_account: [{ scopes: ['cloud-platform'] }],
      }),
    );
    expect(vm.properties.metadata).toEqual({
      items: [{ key: 'serial-port-enable', value: 'true' }],
    });
    expect(vm.properties.serviceAccounts).toEqual([
      { email: 'default', scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    ]);
    expect(vm.properties.networkInterfaces).toMatchObject([
      { accessConfigs: [{ type: 'ONE_TO_ONE_NAT' }] },
    ]);
    expect(vm.unknown).toEqual(['zone']);
    expect(vm.id).toBe('google_compute_instance.vm');
  });

  it('merges google_project_iam_* blocks of one project into one Project policy', () => {
    const resources = translate(
      tfBlock('google_project_iam_member', 'a', {
        project: 'p1',
        role: 'roles/editor',
        member: 'user:a@x.com',
      }),
      tfBlock('google_project_iam_binding', 'b', {
        project: 'p1',
        role: 'roles/editor',
        members: ['user:b@x.com'],
      }),
    );
    expect(resources).toHaveLength(1);
    expect(resources[0].type).toBe('cloudresourcemanager.googleapis.com/Project');
    expect(resources[0].id).toBe('//cloudresourcemanager.googleapis.com/projects/p1');
    expect(resources[0].properties.iamPolicy).toEqual({
      bindings: [{ role: 'roles/editor', members: ['user:a@x.com', 'user:b@x.com'] }],
    });
  });

  it('takes an authoritative policy from the google_iam_policy data block it refers to', () => {
    const data: TerraformBlock = {
      ...tfBlock('google_iam_policy', 'admin', {
        binding: [{ role: 'roles/owner', members: ['user:o@x.com'] }],
      }),
      mode: 'data',
      address: 'data.google_iam_policy.admin',
    };
    const policy = tfBlock(
      'google_project_iam_policy',
      'p',
      { project: 'p1', policy_data: unknownValue('computed') },
      ['data.google_iam_policy.admin'],
    );
    const [project] = translate(data, policy);
    expect(project.properties.iamPolicy).toEqual({
      bindings: [{ role: 'roles/owner', members: ['user:o@x.com'] }],
    });
  });

  it('gives GKE clusters API defaults and emits their inline node pools', () => {
    const resources = translate(
      tfBlock('google_container_cluster', 'c', {
        name: 'c',
        project: 'p1',
        location: 'us-central1',
        enable_legacy_abac: true,
        node_pool: [{ name: 'np', management: [{ auto_upgrade: false }] }],
      }),
    );
    const cluster = resources.find((r) => r.type === 'container.googleapis.com/Cluster')!;
    expect(cluster.properties).toMatchObject({
      legacyAbac: { enabled: true },
      masterAuthorizedNetworksConfig: {},
      loggingService: 'logging.googleapis.com/kubernetes',
      shieldedNodes: { enabled: true },
    });
    const pool = resources.find((r) => r.type === 'container.googleapis.com/NodePool')!;
    expect(pool.id).toBe(
      '//container.googleapis.com/projects/p1/locations/us-central1/clusters/c/nodePools/np',
    );
    expect(pool.properties.management).toEqual({ autoRepair: true, autoUpgrade: false });
  });

  it('translates Cloud SQL, KMS keys, datasets, DNS zones, SSL policies and service account keys', () => {
    const resources = translate(
      tfBlock('google_sql_database_instance', 'db', {
        name: 'db',
        project: 'p1',
        database_version: 'MYSQL_8_0',
        settings: [{ ip_configuration: [{ authorized_networks: [{ value: '0.0.0.0/0' }] }] }],
      }),
      tfBlock('google_kms_crypto_key', 'k', {
        name: 'k',
        key_ring: 'projects/p1/locations/eu/keyRings/r',
        rotation_period: '7776000s',
      }),
      tfBlock('google_bigquery_dataset', 'd', {
        dataset_id: 'd',
        project: 'p1',
        access: [{ role: 'READER', special_group: 'allAuthenticatedUsers' }],
      }),
      tfBlock('google_dns_managed_zone', 'z', {
        name: 'z',
        dns_name: 'x.',
        dnssec_config: [{ state: 'on' }],
      }),
      tfBlock('google_compute_ssl_policy', 's', { name: 's' }),
      tfBlock('google_service_account_key', 'key', { service_account_id: 'sa' }),
    );
    const byType = (t: string) => resources.find((r) => r.type === t)!.properties;
    expect(byType('sqladmin.googleapis.com/Instance')).toMatchObject({
      settings: {
        ipConfiguration: { ipv4Enabled: true, authorizedNetworks: [{ value: '0.0.0.0/0' }] },
        backupConfiguration: { enabled: false },
      },
    });
    expect(resources.find((r) => r.type === 'cloudkms.googleapis.com/CryptoKey')!.region).toBe(
      'eu',
    );
    expect(byType('bigquery.googleapis.com/Dataset').access).toEqual([
      { role: 'READER', specialGroup: 'allAuthenticatedUsers' },
    ]);
    expect(byType('dns.googleapis.com/ManagedZone')).toMatchObject({
      visibility: 'public',
      dnssecConfig: { state: 'on' },
    });
    expect(byType('compute.googleapis.com/SslPolicy')).toEqual({
      name: 's',
      profile: 'COMPATIBLE',
      minTlsVersion: 'TLS_1_0',
    });
    const key = resources.find((r) => r.type === 'iam.googleapis.com/ServiceAccountKey')!;
    expect(key.properties.keyType).toBe('USER_MANAGED');
    expect(key.unknown).toEqual(['validAfterTime']);
  });
});
