import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules, evaluate } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { readPaths } from '../../../src/sources/read-paths.js';

/**
 * Saved CLI outputs of calls about one resource's settings join the resource they name, whatever
 * order their files come in: a key's rotation status, a load balancer's listeners.
 */

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:123456789012:key/${KEY_ID}`;
const LB_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/public-web/50dc6c495c0c9188';

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'palisade-aws-sub-'));
  for (const [name, value] of Object.entries(files))
    writeFileSync(path.join(dir, name), JSON.stringify(value, null, 4));
  return dir;
}

const describeKey = {
  KeyMetadata: {
    AWSAccountId: '123456789012',
    KeyId: KEY_ID,
    Arn: KEY_ARN,
    Enabled: true,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    KeySpec: 'SYMMETRIC_DEFAULT',
  },
};

describe('kms get-key-rotation-status output', () => {
  it('joins the key DescribeKey names by ARN, through the KeyId it carries', async () => {
    const rules = (await loadRules()).filter((r) => r.id === 'aws-kms-key-rotation');
    for (const names of [
      ['describe-key.json', 'get-key-rotation-status.json'],
      ['b-describe-key.json', 'a-get-key-rotation-status.json'],
    ]) {
      const { resources, files } = await readPaths([
        folder({
          [names[0]!]: describeKey,
          [names[1]!]: { KeyRotationEnabled: false, KeyId: KEY_ID },
        }),
      ]);
      expect(files.map((f) => f.kind)).toEqual(['aws-api', 'aws-api']);
      expect(resources.map((r) => [r.type, r.id])).toEqual([['AWS::KMS::Key', KEY_ARN]]);
      const findings = evaluate(compileRules(rules), resources);
      expect(findings.map((f) => f.status)).toEqual(['fail']);
    }
  });
});

describe('elbv2 describe-listeners output', () => {
  it('leaves the load balancer named by its LoadBalancerName, whichever file is read first', async () => {
    const { resources } = await readPaths([
      folder({
        'describe-listeners.json': {
          Listeners: [{ LoadBalancerArn: LB_ARN, Protocol: 'HTTP', Port: 80 }],
        },
        'describe-load-balancers.json': {
          LoadBalancers: [
            {
              LoadBalancerArn: LB_ARN,
              LoadBalancerName: 'public-web',
              Scheme: 'internet-facing',
              Type: 'application',
            },
          ],
        },
      }),
    ]);
    expect(resources.map((r) => [r.id, r.name])).toEqual([[LB_ARN, 'public-web']]);
  });
});
