/**
 * Files the CI gate cannot read show in every report format, as rule errors do: a SARIF tool
 * notification with the run marked unsuccessful, a JUnit error, a GitHub error annotation.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere } from './check-runner.js';
import { sarifValidator } from './sarif-validator.js';

const GOOD = join(
  REPO_ROOT,
  '../shared/data/iac/kubernetes-goat/scenarios/system-monitor/deployment.yaml',
);

/** A folder with one manifest that does not parse (line 4) beside nothing else. */
async function brokenManifest(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-unreadable-'));
  const file = join(dir, 'pod.yaml');
  await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n');
  return file;
}

interface Notification {
  level: string;
  message: { text: string };
  locations?: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
  }[];
}

describe('palisade check with a file that does not parse', () => {
  it('marks the SARIF run unsuccessful with a notification on the file and line', async () => {
    const file = await brokenManifest();
    const run = await checkHere([GOOD, file], { format: 'sarif' });
    expect(run.code).toBe(2);
    const log = JSON.parse(run.report);
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);

    const invocation = log.runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(false);
    const notes = invocation.toolExecutionNotifications as Notification[];
    expect(notes).toHaveLength(1);
    expect(notes[0].level).toBe('error');
    expect(notes[0].message.text).toMatch(/^PARSE_ERROR: .*pod\.yaml:\d+: invalid YAML/);
    const place = notes[0].locations![0].physicalLocation;
    expect(place.artifactLocation.uri).toMatch(/pod\.yaml$/);
    expect(place.region.startLine).toBeGreaterThan(3);
    // The readable file is still judged: its violations are results.
    expect(log.runs[0].results.length).toBeGreaterThan(0);
  });

  it('writes a JUnit error for the file', async () => {
    const file = await brokenManifest();
    const run = await checkHere([file], { format: 'junit' });
    expect(run.code).toBe(2);
    expect(run.report).toMatch(
      /<testsuites name="palisade check" tests="1" failures="0" errors="1"/,
    );
    expect(run.report).toMatch(
      /<testsuite name="[^"]*pod\.yaml" tests="1" failures="0" errors="1"/,
    );
    expect(run.report).toMatch(
      /<error type="PARSE_ERROR" message="[^"]*pod\.yaml:\d+: invalid YAML/,
    );
  });

  it('writes a GitHub error annotation naming file and line', async () => {
    const file = await brokenManifest();
    const run = await checkHere([file], { format: 'github' });
    expect(run.code).toBe(2);
    expect(run.report).toMatch(
      /^::error file=[^,]*pod\.yaml,line=\d+,col=\d+,title=PARSE_ERROR \(file not checked\)::.*invalid YAML/m,
    );
    expect(run.report).toMatch(/1 file could not be read/);
  });
});

/** A Helm chart as committed: templates that need `helm template` before anything can judge them. */
const CHART = join(REPO_ROOT, '../shared/data/iac/kubernetes-goat/scenarios/metadata-db');

describe('palisade check with Helm templates among its paths', () => {
  it('fails closed and names every template in the table', async () => {
    const run = await checkHere([GOOD, CHART]);
    expect(run.code).toBe(2);
    expect(run.report).toMatch(/NOT CHECKED \(3\)/);
    expect(run.report).toMatch(/UNSUPPORTED_TEMPLATE [^\n]*templates\/deployment\.yaml/);
    expect(run.report).toMatch(/palisade check FAILED \(3 files could not be checked\)/);
    expect(run.stderr).toMatch(/helm template/);
  });

  it('lists the templates as SARIF notifications with the run unsuccessful', async () => {
    const run = await checkHere([GOOD, CHART], { format: 'sarif' });
    const invocation = JSON.parse(run.report).runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(false);
    const notes = invocation.toolExecutionNotifications as Notification[];
    expect(notes.map((n) => n.message.text.split(':')[0])).toEqual([
      'UNSUPPORTED_TEMPLATE',
      'UNSUPPORTED_TEMPLATE',
      'UNSUPPORTED_TEMPLATE',
    ]);
    expect(notes[0].message.text).toMatch(/helm template/);
  });

  it('reports a folder of templates alone as not checked, not as empty', async () => {
    const run = await checkHere([CHART], { format: 'json' });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/no resources found/);
    const report = JSON.parse(run.report);
    expect(report.passed).toBe(false);
    expect(report.inputErrors).toHaveLength(3);
  });
});
