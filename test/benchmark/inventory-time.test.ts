/**
 * Rules that measure age count to the time the inventory was taken when the input records it (a
 * credential report's GeneratedTime), and a key that has expired needs no rotation. Messages quote
 * only values the input holds.
 */

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const rules = compileRules(await loadRules());

async function findings(path: string, ruleId: string): Promise<Map<string, Finding>> {
  const { resources } = await readPaths([shared(path)]);
  const found = evaluate(rules, resources).filter((f) => f.ruleId === ruleId);
  return new Map(found.map((f) => [f.resourceName, f]));
}

describe('ages in a credential report', () => {
  it('are counted to when the report was generated, not to today', async () => {
    const found = await findings(
      'cloud-inventory/aws/cloud-custodian-placebo/test_iam_user_console_old',
      'aws-iam-access-keys-rotated',
    );
    // Rotated 4 days before the report (2016-11-25) and 154 days before it.
    expect(found.get('Jennifer')?.status).toBe('pass');
    expect(found.get('kapil')?.status).toBe('fail');
  });
});

describe('service account keys', () => {
  const cai =
    'cloud-inventory/gcp/policy-library-cai-assets/gcp_iam_restrict_service_account_key_age.json';

  it('does not ask to rotate a key that expired in 2017', async () => {
    const found = await findings(cai, 'gcp-iam-service-account-key-rotated');
    const expired = [...found.values()].find((f) => f.resourceId.endsWith('testkeyexpired'));
    expect(expired?.status).toBe('not_applicable');
    const old = [...found.values()].find((f) => f.resourceId.endsWith('testkeyageover90days'));
    expect(old?.status).toBe('fail');
  });

  it('quotes no key type the input does not hold', async () => {
    const found = await findings(cai, 'gcp-iam-service-account-user-managed-keys');
    const messages = [...found.values()].map((f) => f.message);
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(message).not.toContain('USER_MANAGED');
  });
});
