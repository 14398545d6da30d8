/**
 * `palisade scan --format sarif` tells code scanning what it could not judge: files it could not
 * read and rules that could not run are tool execution notifications, and the run is marked
 * unsuccessful, as `palisade check` marks its own.
 */

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-scan-sarif-'));

interface Notification {
  level: string;
  message: { text: string };
  locations?: { physicalLocation?: { artifactLocation: { uri: string }; region?: unknown } }[];
  associatedRule?: { id: string };
}

interface Invocation {
  executionSuccessful: boolean;
  toolExecutionNotifications?: Notification[];
}

function invocation(stdout: string): Invocation {
  return (JSON.parse(stdout) as { runs: { invocations: Invocation[] }[] }).runs[0].invocations[0];
}

/** A rules folder with one rule that reads a key buckets never have: an error on each bucket. */
function brokenRules(): string {
  const rules = join(work, 'rules');
  mkdirSync(rules);
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
  return rules;
}

describe('palisade scan --format sarif', () => {
  it('marks the run unsuccessful, with a notification per unreadable file and erroring rule', () => {
    const input = join(work, 'input');
    mkdirSync(input);
    writeFileSync(
      join(input, 'bad.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [broken\nspec: {}\n',
    );
    const run = runPalisade([
      'scan',
      input,
      '../shared/data/iac/terragoat/terraform/aws/s3.tf',
      '--no-store',
      '--rules',
      brokenRules(),
      '--format',
      'sarif',
    ]);
    expect(run.code, run.stderr).toBe(2);

    const inv = invocation(run.stdout);
    expect(inv.executionSuccessful).toBe(false);
    const notes = inv.toolExecutionNotifications ?? [];
    const file = notes.filter((n) => n.message.text.includes('bad.yaml'));
    expect(file).toHaveLength(1);
    expect(file[0].level).toBe('error');
    const place = file[0].locations![0].physicalLocation!;
    expect(place.artifactLocation.uri).toMatch(/bad\.yaml$/);
    expect(place.region).toMatchObject({ startLine: expect.any(Number) });

    const rule = notes.filter((n) => n.associatedRule?.id === 'acme-broken-bucket-check');
    expect(rule).toHaveLength(1);
    expect(rule[0].message.text).toMatch(/could not run on \d+ resources: .*Nonexistent/);
    expect(rule[0].locations![0].physicalLocation!.artifactLocation.uri).toMatch(/s3\.tf$/);
  });

  it('stays successful, without notifications, when every file was read and every rule ran', () => {
    const run = runPalisade([
      'scan',
      '../shared/data/iac/terragoat/terraform/aws/s3.tf',
      '--no-store',
      '--format',
      'sarif',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const inv = invocation(run.stdout);
    expect(inv.executionSuccessful).toBe(true);
    expect(inv.toolExecutionNotifications).toBeUndefined();
  });
});
