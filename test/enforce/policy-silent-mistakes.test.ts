/**
 * Policy mistakes that would enforce nothing without a word are said: an assignment without a
 * mode (it runs in audit mode) is named by `check` and by the webhook at start-up, and a place
 * scope (`accounts`, ...) that matches none of the resources checked is named as a `paths` scope
 * that matches no file is.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { shared } from '../support/paths.js';
import { startAdmissionHarness } from './admission/admission-harness.js';
import { checkHere } from './check-runner.js';

const S3_TF = shared('iac/terragoat/terraform/aws/s3.tf');

function policyFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-policy-')), 'policy.yaml');
  writeFileSync(file, text);
  return file;
}

/** The `warning:` lines `palisade check` wrote on stderr. */
async function checkWarnings(policy: string, paths = [S3_TF]) {
  const run = await checkHere(paths, { format: 'json', policy: [policy] });
  const warnings = run.stderr.split('\n').filter((line) => line.includes('warning:'));
  return { code: run.code, warnings };
}

describe('an assignment without a mode', () => {
  const policy = policyFile(
    'assignments:\n' +
      '  - id: buckets-deny\n    benchmark: palisade\n    mode: deny\n' +
      '  - id: forgot-mode\n    benchmark: palisade\n',
  );

  it('is named by check, with its file and line, as running in audit mode', async () => {
    const { warnings } = await checkWarnings(policy);
    const named = warnings.filter((w) => w.includes('forgot-mode'));
    expect(named).toEqual([
      `palisade: warning: assignment forgot-mode (${policy}:5) gives no mode, so its rules run ` +
        'in audit mode: failures are reported and never deny; write mode: deny to block them, ' +
        'or mode: audit to keep this',
    ]);
    expect(warnings.some((w) => w.includes('buckets-deny'))).toBe(false);
  });

  it('is named by the admission webhook when it starts', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const h = await startAdmissionHarness(
      { policy: [policy] },
      { logger: pino({ level: 'warn' }, sink) },
    );
    await h.close();
    const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.msg.includes('forgot-mode'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 40, setting: 'policy' });
    expect(warned[0].msg).toContain('gives no mode, so its rules run in audit mode');
  });
});

describe('a place scope that matches none of the resources checked', () => {
  it('is named as a paths scope that matches no file is, and why', async () => {
    const policy = policyFile(
      'assignments:\n' +
        "  - { id: all-accounts, benchmark: palisade, mode: deny, scope: { accounts: ['*'] } }\n" +
        "  - { id: no-file, benchmark: palisade, mode: deny, scope: { paths: ['nowhere/**'] } }\n",
    );
    const { code, warnings } = await checkWarnings(policy);
    // Nothing is denied: no resource of an IaC file is in an AWS account.
    expect(code).toBe(0);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('assignment no-file'),
        `palisade: warning: assignment all-accounts (${policy}): scope accounts * match none ` +
          'of the 5 resources checked, so it enforces nothing here; none of them is in an AWS ' +
          'account (an IaC file names none)',
      ]),
    );
  });

  it('says nothing when the scope covers a resource checked', async () => {
    const manifest = policyFile(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: prod }\n',
    );
    const policy = policyFile(
      'assignments:\n' +
        "  - { id: prod, benchmark: palisade, mode: audit, scope: { namespaces: ['prod'] } }\n",
    );
    const { warnings } = await checkWarnings(policy, [manifest]);
    expect(warnings.filter((w) => w.includes('assignment'))).toEqual([]);
  });
});
