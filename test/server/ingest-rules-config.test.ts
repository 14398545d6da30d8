/** The server's detection rules settings: a missing folder or, when strict, a broken rule stops the start. */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLive, startRefused } from './ingest-helpers.js';
import { shared } from '../support/paths.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-ingest-rules-'));
  writeFileSync(
    join(dir, 'typo.yml'),
    [
      'title: Root login',
      'logsource: { product: linux, service: sshd }',
      'detection:',
      "  sel: { 'message|contians': root }",
      '  condition: sel',
      'level: high',
    ].join('\n') + '\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = startRefused;

describe('ingest rules configuration', () => {
  it('refuses a rules folder that does not exist, naming the setting and the path', async () => {
    const missing = join(dir, 'does-not-exist');
    const error = await refusal({ rules: [shared('sigma-rules/rules/linux'), missing] });
    expect(error.key).toBe('ingest.rules[1]');
    expect(error.message).toContain(`${missing}: no such file or folder`);
  });

  it('with strictRules, refuses a rule it cannot use, naming its file and why', async () => {
    const error = await refusal({ rules: [dir], strictRules: true });
    expect(error.key).toBe('ingest.strictRules');
    expect(error.message).toMatch(
      /1 rule not used: .*typo\.yml:\d+: .*unknown modifier "contians"/,
    );
  });

  it('without strictRules, skips that rule and starts; strict starts when every rule is used', async () => {
    const lenient = await startLive({ rules: [dir] });
    expect(lenient.app.ingest.service.rules.unsupported).toBeGreaterThan(0);
    await lenient.close();
    // The break-glass built-in waiting for its placeholder is off by design, not a broken rule.
    const strict = await startLive({
      rules: [shared('sigma-rules/rules/linux')],
      strictRules: true,
    });
    expect(strict.app.ingest.service.rules.detection).toBeGreaterThan(8);
    await strict.close();
  });
});
