import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../../src/model/rule.js';
import { assess } from '../../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { gcpReaders } from '../../../src/sources/gcp/index.js';
import { readRestResources } from '../../../src/sources/gcp/rest-resource-reader.js';
import { GCP_INVENTORY, SHARED } from './shared-data.js';

/**
 * `gcloud ... list --format=json` prints a bare array of the API's resources, `describe` one of
 * them, and a REST call returns a list body or a GET body: each resource names itself (its
 * selfLink, or a KMS or IAM resource name), so no URL or file name is needed to read it.
 */

type Json = Record<string, any>;

const CAI = path.join(GCP_INVENTORY, 'policy-library-cai-assets');
const FIREWALL_LIST = path.join(
  GCP_INVENTORY,
  'cloud-custodian-flights/firewall-modify/get-compute-v1-projects-cloud-custodian-global-firewalls_1.json',
);

/** The shared recorded `firewalls.list` body: one rule allowing 22 and 21-25 from 1.1.1.1. */
function firewallListBody(): Json {
  return (JSON.parse(readFileSync(FIREWALL_LIST, 'utf8')) as Json).body as Json;
}

/** The shared firewall, opened to the internet on 22 and 3389 under another name. */
function openFirewall(): Json {
  const fw = structuredClone(firewallListBody().items[0]) as Json;
  fw.name = 'allow-admin-any';
  fw.selfLink = fw.selfLink.replace(/\/test$/, '/allow-admin-any');
  fw.sourceRanges = ['0.0.0.0/0'];
  fw.allowed = [{ IPProtocol: 'tcp', ports: ['22', '3389'] }];
  return fw;
}

function caiAssets(file: string): Json[] {
  return JSON.parse(readFileSync(path.join(CAI, file), 'utf8')) as Json[];
}

/**
 * Whether a CAI asset's data names the asset: by selfLink (the policy library renamed one disk
 * record and left its selfLink, so the two disagree) or, for a KMS key, by its `name`.
 */
function namesItself(asset: Json): boolean {
  const data = asset.resource?.data;
  const last = String(asset.name).split('/').pop();
  if (typeof data?.selfLink === 'string') return data.selfLink.endsWith(`/${last}`);
  return asset.asset_type === 'cloudkms.googleapis.com/CryptoKey';
}

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'palisade-gcp-rest-'));
  for (const [name, value] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2));
  }
  return dir;
}

function read(name: string, value: unknown) {
  const file = { path: name, text: JSON.stringify(value, null, 2) };
  const reader = gcpReaders.find((r) => r.detect(file));
  expect(reader?.read, name).toBe(readRestResources);
  return readRestResources(file);
}

let rules: Rule[];
let compiled: CompiledRule[];

beforeAll(async () => {
  rules = await loadRules();
  compiled = compileRules(rules);
});

describe('GCP REST resources as gcloud prints them and as REST calls return them', () => {
  it('judges `gcloud compute firewall-rules list` output: SSH and RDP from anywhere fail', async () => {
    const secure = firewallListBody().items[0] as Json;
    const dir = folder({ 'firewall-rules-list.json': [openFirewall(), secure] });

    const result = await assess({ paths: [dir], rules, compiled });

    expect(result.files.map((f) => [f.kind, f.resources])).toEqual([['gcp-api', 2]]);
    const status = (name: string, rule: string) =>
      result.findings.find((f) => f.resourceName === name && f.ruleId === rule)?.status;
    for (const rule of [
      'gcp-compute-firewall-ssh-restricted',
      'gcp-compute-firewall-rdp-restricted',
    ]) {
      expect(status('allow-admin-any', rule), rule).toBe('fail');
      expect(status('test', rule), rule).toBe('pass');
    }
  });

  it('reads a plain REST list body and a GET body under any file name, as the CAI names them', () => {
    const list = firewallListBody();
    const fromList = read('firewalls.json', list).resources;
    const fromGet = read('firewall.json', list.items[0]).resources;

    const id = '//compute.googleapis.com/projects/cloud-custodian/global/firewalls/test';
    expect(fromList.map((r) => [r.type, r.id])).toEqual([['compute.googleapis.com/Firewall', id]]);
    expect(fromGet.map((r) => r.id)).toEqual([id]);
    expect(fromGet[0].account).toBe('cloud-custodian');
    expect(fromGet[0].source.kind).toBe('gcp-api');
    // The body as the API returned it, which is what CAI's resource.data holds.
    expect(fromGet[0].properties).toEqual(list.items[0]);
  });

  it('names every shared CAI asset that carries a selfLink or a KMS name as CAI does', () => {
    const files = ['allowed_resource_types.json', 'cmek_rotation.json'];
    const assets = [
      ...files.flatMap(caiAssets),
      ...caiAssets('gke_master_authorized_networks_enabled.json'),
      ...caiAssets('enforce_labels__buckets.json'),
    ].filter(namesItself);
    const types = new Set(assets.map((a) => a.asset_type));
    expect([...types].sort()).toEqual([
      'cloudkms.googleapis.com/CryptoKey',
      'compute.googleapis.com/Instance',
      'container.googleapis.com/Cluster',
      'sqladmin.googleapis.com/Instance',
      'storage.googleapis.com/Bucket',
    ]);

    const { resources, warnings } = read(
      'list.json',
      assets.map((a) => a.resource.data),
    );

    expect(warnings).toBeUndefined();
    const named = resources.filter((r) => r.type !== 'container.googleapis.com/NodePool');
    expect(named.map((r) => [r.type, r.id])).toEqual(assets.map((a) => [a.asset_type, a.name]));
  });

  it('merges an instance from `gcloud compute instances list` with its CAI record', async () => {
    const asset = caiAssets('allowed_resource_types.json').find(
      (a) => a.asset_type === 'compute.googleapis.com/Instance',
    )!;
    // The CAI record without its data (`gcloud asset list`), the REST body beside it.
    const { resource, ...named } = asset;
    const dir = folder({ 'assets.json': [named], 'instances-list.json': [resource.data] });

    const result = await assess({ paths: [dir], rules, compiled });

    expect(result.counts.resources).toBe(1);
    const findings = result.findings.filter((f) => f.resourceId === asset.name);
    expect(findings.some((f) => f.ruleId === 'gcp-compute-instance-os-login-enabled')).toBe(true);
    expect(findings.every((f) => !/cannot be judged/.test(f.message ?? ''))).toBe(true);
  });

  it('says gcloud storage bucket output is not read, and how to print the API resource', () => {
    // `gcloud storage buckets list --format=json` prints gcloud's own fields, not the API's.
    const file = {
      path: 'storage-buckets-list.json',
      text: JSON.stringify([
        {
          name: 'acme-public-site',
          storage_url: 'gs://acme-public-site/',
          uniform_bucket_level_access: false,
          public_access_prevention: 'inherited',
        },
      ]),
    };
    const reader = gcpReaders.find((r) => r.detect(file));

    const result = readRestResources(file);

    expect(reader?.read).toBe(readRestResources);
    expect(result.resources).toEqual([]);
    expect(result.warnings?.join('\n')).toMatch(/is not read.*--raw --format=json/);
  });

  it('leaves an audit log entry that names a KMS key ring to other readers', () => {
    const entry = path.join(SHARED, 'gcp-audit/cloud-custodian-events/kms-keyring-create.json');
    const file = { path: entry, text: readFileSync(entry, 'utf8') };
    expect(file.text).toMatch(/"name": "projects\/cloud-custodian\/locations\/[^"]+\/keyRings\//);

    expect(gcpReaders.find((r) => r.detect(file))).toBeUndefined();
  });

  it('counts list items it does not recognise in a warning', () => {
    const list = firewallListBody();
    const { resources, warnings } = read('mixed.json', [list.items[0], { name: 'not-a-resource' }]);

    expect(resources).toHaveLength(1);
    expect(warnings?.join('\n')).toMatch(/1 of 2 item\(s\) are not GCP REST resources/);
  });
});
