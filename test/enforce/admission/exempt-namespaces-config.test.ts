/**
 * `exemptNamespaces` holds namespace names or globs with a fixed part: a wildcard alone would
 * exempt every namespace, so the webhook would judge nothing; `palisade admission` refuses it
 * at start-up with exit 2, naming the file, the entry and why.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdmissionConfig } from '../../../src/enforce/admission/admission-config.js';
import { runPalisade } from '../../support/cli.js';

function configFile(exemptNamespaces: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-admission-config-')), 'admission.yaml');
  writeFileSync(
    file,
    `listen: { host: 127.0.0.1, port: 0 }\nfailurePolicy: Fail\nexemptNamespaces: ${exemptNamespaces}\n`,
  );
  return file;
}

describe('exemptNamespaces', () => {
  it('refuses a wildcard that exempts every namespace: exit 2 before serving', () => {
    for (const entry of ['"*"', '"**"', '"?*"']) {
      const file = configFile(`[kube-system, ${entry}]`);
      const run = runPalisade(['admission', '--config', file]);
      expect(run.code).toBe(2);
      expect(run.stdout).not.toContain('admission webhook on');
      expect(run.stderr).toContain(`palisade admission: ${file}:3: exemptNamespaces.1: `);
      expect(run.stderr).toContain('matches every namespace, so the webhook would judge nothing');
    }
  });

  it('refuses an entry that is not a namespace name', () => {
    for (const entry of ['Kube-System', 'team_a', '-edge', 'x'.repeat(64)]) {
      expect(() => loadAdmissionConfig(configFile(`[${entry}]`))).toThrow(
        `exemptNamespaces.0: "${entry}" is not a namespace name`,
      );
    }
  });

  it('keeps names and globs with a fixed part', () => {
    const config = loadAdmissionConfig(configFile('[kube-system, team-*-sandbox, "preview-?"]'));
    expect(config.exemptNamespaces).toEqual(['kube-system', 'team-*-sandbox', 'preview-?']);
  });
});
