import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../../src/model/rule.js';
import type { Resource } from '../../../src/model/resource.js';
import { assess } from '../../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { readAssetInventory } from '../../../src/sources/gcp/asset-inventory-reader.js';
import { readRestResources } from '../../../src/sources/gcp/rest-resource-reader.js';
import { readPaths } from '../../../src/sources/read-paths.js';

/**
 * Cloud Asset Inventory names a service account by its numeric unique id
 * (`//iam.googleapis.com/projects/P/serviceAccounts/<uniqueId>`, and its keys under that name),
 * while the IAM API and gcloud name it by its email (`projects/P/serviceAccounts/<email>`, keys
 * `.../<email>/keys/<key id>`). An account body carries both `email` and `uniqueId`; a key body
 * neither. The fixtures follow the published shapes: the IAM v1 ServiceAccount and
 * ServiceAccountKey resources, and CAI records of them with that resource as `resource.data`.
 */

type Json = Record<string, any>;

const PROJECT = 'acme-prod';
const EMAIL = `ci-deployer@${PROJECT}.iam.gserviceaccount.com`;
const UNIQUE_ID = '112233445566778899001';
const CAI_ACCOUNT = `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${UNIQUE_ID}`;
const OLD_KEY = '0123456789abcdef0123456789abcdef01234567';
const GOOGLE_KEY = 'fedcba9876543210fedcba9876543210fedcba98';

/** The account as `gcloud iam service-accounts list --format=json` prints it (the API body). */
function accountBody(): Json {
  return {
    displayName: 'CI deployer',
    email: EMAIL,
    etag: 'MDEwMjE5MjA=',
    name: `projects/${PROJECT}/serviceAccounts/${EMAIL}`,
    oauth2ClientId: UNIQUE_ID,
    projectId: PROJECT,
    uniqueId: UNIQUE_ID,
  };
}

/** Keys as `gcloud iam service-accounts keys list --format=json` prints them (API bodies). */
function keyBodies(): Json[] {
  return [
    {
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      keyOrigin: 'GOOGLE_PROVIDED',
      keyType: 'USER_MANAGED',
      name: `projects/${PROJECT}/serviceAccounts/${EMAIL}/keys/${OLD_KEY}`,
      validAfterTime: '2020-01-15T10:00:00Z',
      validBeforeTime: '9999-12-31T23:59:59Z',
    },
    {
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      keyOrigin: 'GOOGLE_PROVIDED',
      keyType: 'SYSTEM_MANAGED',
      name: `projects/${PROJECT}/serviceAccounts/${EMAIL}/keys/${GOOGLE_KEY}`,
      validAfterTime: '2099-01-01T00:00:00Z',
      validBeforeTime: '2099-01-17T00:00:00Z',
    },
  ];
}

/** A CAI record (`gcloud asset export --content-type=resource`, one NDJSON line) of a body. */
function caiRecord(name: string, assetType: string, data: Json): Json {
  return {
    name,
    asset_type: assetType,
    resource: {
      version: 'v1',
      discovery_document_uri: 'https://iam.googleapis.com/$discovery/rest',
      discovery_name: assetType.split('/')[1],
      parent: '//cloudresourcemanager.googleapis.com/projects/123456789012',
      data,
    },
    ancestors: ['projects/123456789012', 'organizations/987654321098'],
  };
}

/** The CAI export of the account and its keys, named as CAI names them. */
function caiExport(): Json[] {
  return [
    caiRecord(CAI_ACCOUNT, 'iam.googleapis.com/ServiceAccount', accountBody()),
    ...keyBodies().map((k) =>
      caiRecord(
        `${CAI_ACCOUNT}/keys/${String(k.name).split('/').pop()}`,
        'iam.googleapis.com/ServiceAccountKey',
        k,
      ),
    ),
  ];
}

function ndjson(records: Json[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'palisade-gcp-sa-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const GCLOUD = {
  'service-accounts-list.json': JSON.stringify([accountBody()], null, 2),
  'service-account-keys-list.json': JSON.stringify(keyBodies(), null, 2),
};

let rules: Rule[];
let compiled: CompiledRule[];

beforeAll(async () => {
  rules = await loadRules();
  compiled = compileRules(rules);
});

/** The findings of a scan as comparable rows. */
function verdicts(findings: { ruleId: string; resourceId: string; status: string }[]): string[] {
  return findings.map((f) => `${f.resourceId} ${f.ruleId} ${f.status}`).sort();
}

function byType(resources: Resource[], type: string): Resource[] {
  return resources.filter((r) => r.type === type);
}

describe('GCP service accounts and keys: one name whichever source read them', () => {
  it('names a gcloud-listed service account by its unique id, as CAI does', () => {
    const { resources } = readRestResources({
      path: 'service-accounts-list.json',
      text: GCLOUD['service-accounts-list.json'],
    });

    expect(resources.map((r) => [r.type, r.id, r.name, r.account])).toEqual([
      ['iam.googleapis.com/ServiceAccount', CAI_ACCOUNT, EMAIL, PROJECT],
    ]);
  });

  it('names a CAI record that names the account by email by its unique id too', () => {
    const byEmail = caiRecord(
      `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${EMAIL}`,
      'iam.googleapis.com/ServiceAccount',
      accountBody(),
    );
    const { resources } = readAssetInventory({ path: 'a.json', text: ndjson([byEmail]) });

    expect(resources.map((r) => r.id)).toEqual([CAI_ACCOUNT]);
  });

  it('merges the account and keys of a CAI export with gcloud lists of them', async () => {
    const dir = folder({ 'assets.json': ndjson(caiExport()), ...GCLOUD });

    const { resources } = await readPaths([dir]);

    expect(byType(resources, 'iam.googleapis.com/ServiceAccount').map((r) => r.id)).toEqual([
      CAI_ACCOUNT,
    ]);
    expect(
      byType(resources, 'iam.googleapis.com/ServiceAccountKey')
        .map((r) => r.id)
        .sort(),
    ).toEqual([`${CAI_ACCOUNT}/keys/${GOOGLE_KEY}`, `${CAI_ACCOUNT}/keys/${OLD_KEY}`].sort());
    expect(resources).toHaveLength(3);
  });

  it('judges the merged account and keys as it judges the CAI export alone', async () => {
    const caiOnly = await assess({
      paths: [folder({ 'assets.json': ndjson(caiExport()) })],
      rules,
      compiled,
    });
    const both = await assess({
      paths: [folder({ 'assets.json': ndjson(caiExport()), ...GCLOUD })],
      rules,
      compiled,
    });

    expect(both.counts.resources).toBe(caiOnly.counts.resources);
    expect(verdicts(both.findings)).toEqual(verdicts(caiOnly.findings));
    // The old user-managed key fails both key rules, once each.
    const old = both.findings.filter((f) => f.resourceId === `${CAI_ACCOUNT}/keys/${OLD_KEY}`);
    expect(old.map((f) => [f.ruleId, f.status]).sort()).toEqual([
      ['gcp-iam-service-account-key-rotated', 'fail'],
      ['gcp-iam-service-account-user-managed-keys', 'fail'],
    ]);
  });

  it('relates each key to its account, from gcloud lists alone and beside a CAI export', async () => {
    for (const files of [GCLOUD, { 'assets.json': ndjson(caiExport()), ...GCLOUD }]) {
      const { resources } = await readPaths([folder(files)]);
      const account = byType(resources, 'iam.googleapis.com/ServiceAccount');
      const keys = byType(resources, 'iam.googleapis.com/ServiceAccountKey');

      expect(account.map((r) => r.id)).toEqual([CAI_ACCOUNT]);
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        expect(key.id.startsWith(`${CAI_ACCOUNT}/keys/`)).toBe(true);
        expect(key.relationships).toEqual([{ kind: 'memberOf', target: CAI_ACCOUNT }]);
      }
    }
  });

  it('leaves keys whose account the scan does not hold under the name the API gave', async () => {
    const { resources } = await readPaths([
      folder({ 'service-account-keys-list.json': GCLOUD['service-account-keys-list.json'] }),
    ]);
    const byEmail = `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${EMAIL}`;

    expect(resources.map((r) => r.id).sort()).toEqual(
      [`${byEmail}/keys/${GOOGLE_KEY}`, `${byEmail}/keys/${OLD_KEY}`].sort(),
    );
    for (const key of resources) {
      expect(key.relationships).toEqual([{ kind: 'memberOf', target: byEmail }]);
    }
  });
});
