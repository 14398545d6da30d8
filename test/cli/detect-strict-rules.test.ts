/** `palisade detect` with broken user rules: skipped and counted, or refused with --strict-rules. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const log = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');

/** A folder of rules that parse as YAML but cannot be used, each for one reason. */
function brokenRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-broken-rules-'));
  const rule = (title: string, selection: string, condition = 'sel', level = 'high') =>
    [
      `title: ${title}`,
      'logsource: { product: linux, service: sshd }',
      'detection:',
      `  sel: { ${selection} }`,
      `  condition: ${condition}`,
      `level: ${level}`,
    ].join('\n') + '\n';
  writeFileSync(join(dir, 'regex.yml'), rule('Bad regex', `'message|re': '(?<=foo)bar'`));
  writeFileSync(join(dir, 'undefined.yml'), rule('Undefined', 'message: foo', 'sel and nothere'));
  writeFileSync(join(dir, 'level.yml'), rule('Bad level', 'message: foo', 'sel', 'catastrophic'));
  writeFileSync(join(dir, 'modifier.yml'), rule('Bad modifier', `'message|contians': foo`));
  writeFileSync(
    join(dir, 'correlation.yml'),
    [
      'title: Bad correlation',
      'correlation:',
      '  type: event_count',
      '  rules: [no-such-rule]',
      '  group-by: [user]',
      '  timespan: 5m',
      '  condition: { gte: 3 }',
      'level: high',
    ].join('\n') + '\n',
  );
  return dir;
}

const REASONS = [
  /regex\.yml:\d+: .*is not RE2/,
  /undefined\.yml:\d+: .*"nothere", which is not defined/,
  /level\.yml:\d+: .*"catastrophic" is not one of/,
  /modifier\.yml:\d+: .*unknown modifier "contians"/,
  /correlation\.yml:\d+: .*unknown rule "no-such-rule"/,
];

describe('palisade detect --strict-rules', () => {
  const rules = brokenRules();

  it('skips rules it cannot use, names each with why and counts them on both streams', () => {
    const run = runPalisade(['detect', log, '--no-store', '--rules', rules]);
    expect(run.code, run.stderr).toBe(0);
    for (const reason of REASONS) expect(run.stderr).toMatch(reason);
    expect(run.stderr).toMatch(/palisade: 5 rules not used \(.*--strict-rules/);
    expect(run.stdout).toMatch(/5 rules not used \(listed on stderr/);
    // Built-ins waiting for a placeholder are off by design, not counted among them.
    const clean = runPalisade(['detect', log, '--no-store']);
    expect(clean.stdout).not.toContain('not used');
    expect(clean.stderr).not.toContain('not used');
  });

  it('exits 2 before reading a log, listing each rule not used with its file and reason', () => {
    const run = runPalisade(['detect', log, '--no-store', '--rules', rules, '--strict-rules']);
    expect(run.code).toBe(2);
    for (const reason of REASONS) expect(run.stderr).toMatch(reason);
    expect(run.stderr).toContain('--strict-rules: 5 rules not used');
    expect(run.stdout).toBe('');
  });

  it('runs as usual when every rule is used (SigmaHQ rules, the built-ins)', () => {
    const run = runPalisade([
      'detect',
      log,
      '--no-store',
      '--quiet',
      '--strict-rules',
      '--rules',
      shared('sigma-rules/rules/linux'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2000 events/);
  });
});
