/** The `palisade scan` command as a user runs it: real process, real files, exit codes. */

import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import { runPalisade } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
const db = join(work, 'store.db');

const palisade = (...args: string[]) => runPalisade(args);

describe('palisade scan', () => {
  it('prints score, controls and top recommendations for the sample estate and stores it', async () => {
    const run = palisade(
      'scan',
      'samples/estate',
      '--exemptions',
      'samples/exemptions.yaml',
      '--db',
      db,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Score per control');
    expect(run.stdout).toContain('Top recommendations by potential score increase');
    expect(run.stdout).toMatch(/exempt [1-9]/);
    const history = palisade('history', '--db', db, '--json');
    expect(JSON.parse(history.stdout)).toHaveLength(1);
    // The score the store keeps, which the API and the console show, with its decimal.
    const stored: number = JSON.parse(history.stdout)[0].secureScore;
    expect(run.stdout).toContain(`Secure score  ${`${stored.toFixed(1)}%`.padStart(6)}  `);
    // The stored assessment is on the audit record, as the CLI user.
    const store = await openStore(db);
    try {
      const entries = await store
        .selectFrom('audit_log')
        .select(['actor_kind', 'target_id'])
        .where('action', '=', 'assessment.store')
        .execute();
      expect(entries).toEqual([{ actor_kind: 'cli', target_id: JSON.parse(history.stdout)[0].id }]);
    } finally {
      await store.destroy();
    }
  });

  it('exits 1 when a finding reaches --fail-on, 0 when none does', () => {
    expect(
      palisade('scan', 'samples/estate/kubernetes', '--no-store', '--fail-on', 'high').code,
    ).toBe(1);
    expect(
      palisade('scan', 'samples/estate/kubernetes', '--no-store', '--fail-on', 'critical').code,
    ).toBe(1);
    const clean = join(work, 'clean');
    mkdirSync(clean);
    writeFileSync(
      join(clean, 'ns.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: quiet\n',
    );
    expect(palisade('scan', clean, '--no-store', '--fail-on', 'low').code).toBe(0);
  });

  it('exits 2 with --fail-on when a rule at or above the threshold could not run', () => {
    const rules = join(work, 'runtime-error-rules');
    mkdirSync(rules);
    // Reads a key S3 buckets never have, without has(): an error finding on every bucket.
    writeFileSync(
      join(rules, 'broken.yaml'),
      [
        'id: acme-broken-bucket-check',
        'title: Broken bucket check',
        'description: reads a key without has()',
        'severity: high',
        'cloud: aws',
        'control: AM-2',
        'resource_types: [AWS::S3::Bucket]',
        'check: "r.Nonexistent.Field == \'x\'"',
        'message: { pass: ok, fail: bad }',
        'remediation: { text: fix }',
        '',
      ].join('\n'),
    );
    const terragoat = '../shared/data/iac/terragoat/terraform/aws';
    const high = palisade('scan', terragoat, '--no-store', '--rules', rules, '--fail-on', 'high');
    expect(high.code).toBe(2);
    expect(high.stderr).toMatch(
      /\d+ findings at or above --fail-on high could not be judged \(the rule could not run\)/,
    );
    expect(high.stderr).toMatch(
      /acme-broken-bucket-check \(high\) on \d+ resources: .*Nonexistent/,
    );
    // Below the threshold the broken rule does not decide the gate.
    const critical = palisade(
      'scan',
      terragoat,
      '--no-store',
      '--rules',
      rules,
      '--fail-on',
      'critical',
    );
    expect(critical.stderr).not.toMatch(/could not be judged/);
    expect(critical.code).not.toBe(2);
  });

  it('names a file that does not parse with its line, scans the rest and exits 2', () => {
    const mixed = join(work, 'mixed');
    mkdirSync(mixed);
    writeFileSync(
      join(mixed, 'good.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n',
    );
    writeFileSync(
      join(mixed, 'bad.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [broken\nspec: {}\n',
    );
    const run = palisade('scan', mixed, '--no-store', '--format', 'json');
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout);
    const bad = report.files.find((f: { file: string }) => f.file.endsWith('bad.yaml'));
    expect(bad.error.line).toBeGreaterThan(0);
    expect(bad.error.message).toContain('bad.yaml');
    expect(report.resources.map((r: { name: string }) => r.name)).toContain('ok');
  });

  it('exits 2 with a clear message for a path that does not exist or a bad option', () => {
    const missing = palisade('scan', 'no/such/dir', '--no-store');
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toContain('no/such/dir');
    const badFormat = palisade('scan', 'samples/estate', '--format', 'pdf');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/pdf/);
  });

  it('exits 2 without a score when a folder holds nothing to assess', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.md'), '# nothing here\n');
    const run = palisade('scan', empty, '--no-store');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no resources found');
    expect(run.stdout).not.toContain('Secure score');
  });

  it('lists Helm templates as not assessed without failing the scan', () => {
    const run = palisade('scan', '../shared/data/iac/kubernetes-goat', '--no-store', '--quiet');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('UNSUPPORTED_TEMPLATE');
    expect(run.stderr).toMatch(/3 templates were not assessed/);
  });

  it('still writes the report when the store cannot be used, then exits 2 naming the store', () => {
    const notADb = join(work, 'notes.txt');
    writeFileSync(notADb, 'this is not a database\n'.repeat(200));
    const out = join(work, 'kept.json');
    const run = palisade(
      'scan',
      'samples/estate/kubernetes',
      '--db',
      notADb,
      '--format',
      'json',
      '-o',
      out,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(notADb);
    expect(JSON.parse(readFileSync(out, 'utf8')).counts.resources).toBeGreaterThan(0);
    expect(readFileSync(notADb, 'utf8')).toBe('this is not a database\n'.repeat(200));
  });

  it('writes SARIF, CSV and HTML reports', () => {
    const sarif = JSON.parse(
      palisade('scan', 'samples/estate/terraform', '--no-store', '--format', 'sarif').stdout,
    );
    expect(sarif.version).toBe('2.1.0');
    const result = sarif.runs[0].results[0];
    expect(sarif.runs[0].tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(
      /samples\/estate\/terraform\/.*\.tf$/,
    );

    const csv = palisade(
      'scan',
      'samples/estate/kubernetes',
      '--no-store',
      '--format',
      'csv',
    ).stdout;
    expect(csv.split('\r\n')[0]).toBe(
      'rule_id,severity,control,status,exempt,resource_type,resource_id,resource_name,file,line,message',
    );

    const out = join(work, 'report.html');
    expect(
      palisade('scan', 'samples/estate', '--no-store', '--format', 'html', '-o', out).code,
    ).toBe(0);
  });

  it('refuses a rules folder with a broken rule, naming the file', () => {
    const run = palisade(
      'scan',
      'samples/estate',
      '--no-store',
      '--rules',
      'test/fixtures/rules/missing-control',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('rule.yaml:6 (field control)');
  });
});
