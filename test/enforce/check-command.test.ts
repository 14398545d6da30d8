/**
 * `palisade check`, the CI gate: exit codes, every report format (SARIF validated against the
 * official SARIF 2.1.0 schema), fingerprints that survive line shifts, the plan gate, the diff
 * base and the baseline.
 */

import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere, manifestsOutsideCharts } from './check-runner.js';
import { sarifValidator } from './sarif-validator.js';
import { git } from '../support/git.js';

const SHARED = join(REPO_ROOT, '../shared/data/iac');
const GOAT = join(SHARED, 'kubernetes-goat');
// Its two Helm charts are left out: the gate fails closed on templates not rendered first.
const GOAT_MANIFESTS = manifestsOutsideCharts(GOAT);
const TERRAGOAT_AWS = join(SHARED, 'terragoat/terraform/aws');

/** Runs the command in-process, the report written to a file. */
const check = checkHere;

const palisade = runPalisade;

async function policy(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-policy-'));
  const file = join(dir, 'policy.yaml');
  await writeFile(file, text);
  return file;
}

interface SarifLog {
  runs: {
    tool: {
      driver: { rules: { id: string; properties: Record<string, unknown>; help: object }[] };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string };
          region: { startLine: number; startColumn: number };
        };
      }[];
      partialFingerprints: Record<string, string>;
    }[];
  }[];
}

describe('palisade check exit codes', () => {
  it('exits 1 on deny, 0 when the same rules only audit, 2 on bad input (real process)', async () => {
    const deny = palisade(['check', TERRAGOAT_AWS, '--format', 'json']);
    expect(deny.code, deny.stderr).toBe(1);
    const json = JSON.parse(deny.stdout) as { deny: { ruleId: string }[]; passed: boolean };
    expect(json.passed).toBe(false);
    expect(json.deny.length).toBeGreaterThan(20);

    const auditPolicy = await policy(
      'assignments:\n  - { id: watch, benchmark: palisade, mode: audit }\n',
    );
    const audit = await check([TERRAGOAT_AWS], { policy: [auditPolicy], format: 'json' });
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.report).audit.length).toBe(json.deny.length);

    const missing = palisade(['check', join(tmpdir(), 'palisade-no-such-dir')]);
    expect(missing.code).toBe(2);
    const badPolicy = await policy(
      'assignments:\n  - { id: x, benchmark: palisade, mode: block }\n',
    );
    const bad = palisade(['check', TERRAGOAT_AWS, '--policy', badPolicy]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${badPolicy}:2 (field assignments.0.mode)`);
  }, 240_000);

  it('judges rendered manifests from stdin and names them', () => {
    const manifest = readFileSync(join(GOAT, 'scenarios/system-monitor/deployment.yaml'), 'utf8');
    const run = palisade(
      ['check', '-', '--stdin-name', 'chart/rendered.yaml', '--format', 'github'],
      manifest,
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^::error file=chart\/rendered\.yaml,line=\d+,col=1,title=kubernetes-/m,
    );
    const garbage = palisade(['check', '-'], 'just some words\n');
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('stdin.yaml');
  }, 240_000);

  it('gates CloudFormation and ARM templates too', async () => {
    const cfn = join(
      SHARED,
      'aws-cloudformation-templates/EC2/EC2InstanceWithSecurityGroupSample.yaml',
    );
    const arm = join(
      SHARED,
      'azure-quickstart-templates/quickstarts/microsoft.storage/storage-account-create/azuredeploy.json',
    );
    const run = await check([cfn, arm], { format: 'sarif' });
    expect(run.code).toBe(1);
    const log = JSON.parse(run.report) as SarifLog;
    const uris = new Set(
      log.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri),
    );
    expect([...uris].some((u) => u.endsWith('EC2InstanceWithSecurityGroupSample.yaml'))).toBe(true);
    expect([...uris].some((u) => u.endsWith('azuredeploy.json'))).toBe(true);
    const text = readFileSync(cfn, 'utf8').split('\n');
    for (const r of log.runs[0].results) {
      const { uri } = r.locations[0].physicalLocation.artifactLocation;
      if (!uri.endsWith('.yaml')) continue;
      const { startLine, startColumn } = r.locations[0].physicalLocation.region;
      // The column points at the resource's first character on its line.
      expect(text[startLine - 1].slice(startColumn - 1).trim().length).toBeGreaterThan(0);
      expect(text[startLine - 1].slice(0, startColumn - 1).trim()).toBe('');
    }
  });

  it('exits 2 for a file that does not parse, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-broken-'));
    writeFileSync(join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n');
    const run = await check([dir]);
    expect(run.code).toBe(2);
    expect(run.report).toContain('pod.yaml');
  });
});

describe('palisade check reports', () => {
  it('writes SARIF that the SARIF 2.1.0 schema accepts, with what code scanning needs', async () => {
    const run = await check(GOAT_MANIFESTS, { format: 'sarif' });
    expect(run.code).toBe(1);
    const log = JSON.parse(run.report) as SarifLog;
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    // The validator does reject what the schema forbids.
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    const broken = structuredClone(log);
    (broken.runs[0].results[0] as { level: string }).level = 'fatal';
    expect(validate(broken)).toBe(false);

    const { rules } = log.runs[0].tool.driver;
    const { results } = log.runs[0];
    expect(results.length).toBeGreaterThan(50);
    for (const rule of rules) {
      expect(Number(rule.properties['security-severity'])).toBeGreaterThanOrEqual(0);
      expect(rule.help).toHaveProperty('markdown');
    }
    for (const r of results) {
      expect(rules[r.ruleIndex].id).toBe(r.ruleId);
      const { region, artifactLocation } = r.locations[0].physicalLocation;
      expect(region.startLine).toBeGreaterThan(0);
      expect(region.startColumn).toBeGreaterThan(0);
      expect(artifactLocation.uri).not.toMatch(/^\//);
      expect(r.partialFingerprints['palisadeFinding/v1']).toMatch(/^[0-9a-f]{32}$/);
    }
    // One fingerprint per rule and resource.
    const prints = results.map((r) => r.partialFingerprints['palisadeFinding/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('keeps fingerprints when lines move, and puts results on the new lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-shift-'));
    cpSync(join(TERRAGOAT_AWS, 'ec2.tf'), join(dir, 'ec2.tf'));
    const before = JSON.parse((await check([dir], { format: 'sarif' })).report) as SarifLog;
    const text = readFileSync(join(dir, 'ec2.tf'), 'utf8');
    writeFileSync(join(dir, 'ec2.tf'), `# moved down\n\n\n${text}`);
    const after = JSON.parse((await check([dir], { format: 'sarif' })).report) as SarifLog;
    const lines = (log: SarifLog) =>
      new Map(
        log.runs[0].results.map((r) => [
          r.partialFingerprints['palisadeFinding/v1'],
          r.locations[0].physicalLocation.region.startLine,
        ]),
      );
    const a = lines(before);
    const b = lines(after);
    expect(a.size).toBeGreaterThan(3);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [print, line] of a) expect(b.get(print)).toBe(line + 3);
  });

  it('writes JUnit XML with one failure per denied violation and GitHub annotations', async () => {
    const auditPolicy = await policy(
      [
        'assignments:',
        '  - id: k8s',
        '    benchmark: cis-kubernetes',
        '    mode: audit',
        '    rules: { kubernetes-pod-no-privileged-containers: deny }',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(
      (await check(GOAT_MANIFESTS, { policy: [auditPolicy], format: 'json' })).report,
    );
    expect(json.deny.length).toBeGreaterThan(0);
    expect(json.audit.length).toBeGreaterThan(0);
    for (const d of json.deny) expect(d.ruleId).toBe('kubernetes-pod-no-privileged-containers');

    const junit = await check(GOAT_MANIFESTS, { policy: [auditPolicy], format: 'junit' });
    expect(junit.code).toBe(1);
    const failures = junit.report.match(/<failure type="deny"/g) ?? [];
    expect(failures.length).toBe(json.deny.length);
    expect(junit.report).toMatch(
      new RegExp(`<testsuites name="palisade check" tests="\\d+" failures="${json.deny.length}"`),
    );
    expect(junit.report.match(/<testcase /g)!.length).toBeGreaterThan(
      json.deny.length + json.audit.length,
    );

    const gh = await check(GOAT_MANIFESTS, { policy: [auditPolicy], format: 'github' });
    const lines = gh.report.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(json.deny.length);
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBe(json.audit.length);
    // The last line is the summary notice.
    const notices = lines.slice(0, -1).filter((l) => l.startsWith('::notice '));
    expect(notices.length).toBe(json.notJudged.length);
    for (const l of lines.slice(0, -1))
      expect(l).toMatch(/^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=[^:]+::\S/);
  });
});

/** A `terraform show -json` document with one EBS volume per plan action. */
function planJson(): object {
  const volume = (name: string, values: Record<string, unknown>) => ({
    address: `aws_ebs_volume.${name}`,
    mode: 'managed',
    type: 'aws_ebs_volume',
    name,
    provider_name: 'registry.terraform.io/hashicorp/aws',
    values: { availability_zone: 'eu-west-1a', size: 10, ...values },
  });
  const change = (name: string, actions: string[], after: object | null, unknown: object = {}) => ({
    address: `aws_ebs_volume.${name}`,
    mode: 'managed',
    type: 'aws_ebs_volume',
    name,
    change: { actions, before: null, after, after_unknown: unknown },
  });
  return {
    format_version: '1.2',
    terraform_version: '1.9.0',
    planned_values: {
      root_module: {
        resources: [
          volume('created', { encrypted: false }),
          volume('updated', { encrypted: false }),
          volume('replaced', { encrypted: false }),
          volume('untouched', { encrypted: false }),
          volume('unknown', {}),
          volume('good', { encrypted: true }),
        ],
      },
    },
    resource_changes: [
      change('created', ['create'], { encrypted: false }),
      change('updated', ['update'], { encrypted: false }),
      change('replaced', ['delete', 'create'], { encrypted: false }),
      change('untouched', ['no-op'], { encrypted: false }),
      change('deleted', ['delete'], null),
      change('unknown', ['create'], {}, { encrypted: true }),
      change('good', ['create'], { encrypted: true }),
    ],
  };
}

describe('terraform plan gate', () => {
  it('judges created and updated resources on their planned values; unknown is no failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-plan-'));
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(planJson(), null, 2));
    const gate = await policy(
      'assignments:\n  - { id: ebs, benchmark: palisade, mode: audit, rules: { aws-ebs-volume-encrypted: deny } }\n',
    );
    const run = await check([dir], { policy: [gate], format: 'json' });
    expect(run.code).toBe(1);
    const json = JSON.parse(run.report) as {
      deny: { resourceId: string; ruleId: string }[];
      planUnchanged: number;
      resources: number;
    };
    const denied = json.deny.map((d) => d.resourceId).sort();
    expect(denied).toEqual([
      'aws_ebs_volume.created',
      'aws_ebs_volume.replaced',
      'aws_ebs_volume.updated',
    ]);
    expect(json.planUnchanged).toBe(1); // the no-op volume; the deleted one is not in planned values
    expect(json.resources).toBe(5);
  });
});

describe('terraform plan gate: folded blocks', () => {
  it('judges an unchanged bucket whose public access block the plan creates', async () => {
    const bucket = (name: string) => ({
      address: `aws_s3_bucket.${name}`,
      mode: 'managed',
      type: 'aws_s3_bucket',
      name,
      values: { bucket: `acme-${name}` },
    });
    const pab = {
      address: 'aws_s3_bucket_public_access_block.logs',
      mode: 'managed',
      type: 'aws_s3_bucket_public_access_block',
      name: 'logs',
      values: {
        bucket: 'acme-logs',
        block_public_acls: false,
        block_public_policy: false,
        ignore_public_acls: false,
        restrict_public_buckets: false,
      },
    };
    const change = (
      r: { address: string; type: string; name: string; values: object },
      a: string,
    ) => ({
      address: r.address,
      mode: 'managed',
      type: r.type,
      name: r.name,
      change: {
        actions: [a],
        before: a === 'create' ? null : r.values,
        after: r.values,
        after_unknown: {},
      },
    });
    const plan = {
      format_version: '1.2',
      planned_values: { root_module: { resources: [bucket('logs'), bucket('other'), pab] } },
      resource_changes: [
        change(bucket('logs'), 'no-op'),
        change(bucket('other'), 'no-op'),
        change(pab, 'create'),
      ],
      configuration: {
        root_module: {
          resources: [
            { address: 'aws_s3_bucket.logs', type: 'aws_s3_bucket', name: 'logs', expressions: {} },
            {
              address: 'aws_s3_bucket_public_access_block.logs',
              type: 'aws_s3_bucket_public_access_block',
              name: 'logs',
              expressions: {
                bucket: { references: ['aws_s3_bucket.logs.id', 'aws_s3_bucket.logs'] },
              },
            },
          ],
        },
      },
    };
    const dir = mkdtempSync(join(tmpdir(), 'palisade-plan-'));
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
    const gate = await policy(
      'assignments:\n  - { id: s3, benchmark: palisade, mode: audit, rules: { aws-s3-bucket-public-access-blocked: deny } }\n',
    );
    const json = JSON.parse((await check([dir], { policy: [gate], format: 'json' })).report) as {
      deny: { resourceId: string }[];
      audit: { resourceId: string }[];
    };
    expect(json.deny.map((d) => d.resourceId)).toEqual(['arn:aws:s3:::acme-logs']);
    expect([...json.deny, ...json.audit].some((d) => d.resourceId.includes('acme-other'))).toBe(
      false,
    );
  });
});

describe('diff base and baseline', () => {
  it('--diff-base checks only files changed since the revision, renamed ones included', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'palisade-git-'));
    git(repo, 'init', '-q', '-b', 'main');
    const scenarios = join(GOAT, 'scenarios');
    cpSync(join(scenarios, 'system-monitor/deployment.yaml'), join(repo, 'monitor.yaml'));
    cpSync(join(scenarios, 'health-check/deployment.yaml'), join(repo, 'health.yaml'));
    cpSync(join(scenarios, 'cache-store/deployment.yaml'), join(repo, 'cache.yaml'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base');
    const base = git(repo, 'rev-parse', 'HEAD').trim();

    renameSync(join(repo, 'health.yaml'), join(repo, 'health-renamed.yaml'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'rename');
    cpSync(join(scenarios, 'poor-registry/deployment.yaml'), join(repo, 'new-untracked.yaml'));

    const all = JSON.parse((await check([repo], { format: 'json' })).report);
    const changed = JSON.parse((await check([repo], { format: 'json', diffBase: base })).report);
    const files = (r: { deny: { file: string }[] }) =>
      [...new Set(r.deny.map((d) => d.file.split('/').pop()))].sort();
    expect(files(all)).toEqual([
      'cache.yaml',
      'health-renamed.yaml',
      'monitor.yaml',
      'new-untracked.yaml',
    ]);
    expect(files(changed)).toEqual(['health-renamed.yaml', 'new-untracked.yaml']);

    const none = await check([repo], { format: 'json', diffBase: 'HEAD' });
    expect(
      JSON.parse(none.report).deny.map((d: { file: string }) => d.file.split('/').pop()),
    ).toEqual(expect.arrayContaining(['new-untracked.yaml']));
    const unknownRef = await check([repo], { diffBase: 'no-such-branch' });
    expect(unknownRef.code).toBe(2);
  });

  it('a baseline accepts existing violations so only new ones fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-baseline-'));
    cpSync(join(GOAT, 'scenarios/system-monitor/deployment.yaml'), join(dir, 'monitor.yaml'));
    const baseline = join(dir, '..', `${dir.split('/').pop()}-baseline.json`);
    const written = await check([dir], { writeBaseline: baseline, format: 'json' });
    expect(written.code).toBe(0);
    // The run that writes the baseline reports its violations as baselined, not as a failed gate.
    const writtenReport = JSON.parse(written.report);
    expect(writtenReport.deny).toEqual([]);
    const accepted = writtenReport.baselined.length;
    expect(accepted).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(baseline, 'utf8')).entries).toHaveLength(accepted);

    const clean = await check([dir], { baseline, format: 'json' });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.report).baselined).toHaveLength(accepted);

    // New debt: a second manifest, plus lines shifted in the first (still accepted).
    const first = readFileSync(join(dir, 'monitor.yaml'), 'utf8');
    writeFileSync(join(dir, 'monitor.yaml'), `# reviewed\n${first}`);
    cpSync(join(GOAT, 'scenarios/poor-registry/deployment.yaml'), join(dir, 'registry.yaml'));
    const next = await check([dir], { baseline, format: 'json' });
    expect(next.code).toBe(1);
    const report = JSON.parse(next.report);
    expect(report.baselined).toHaveLength(accepted);
    for (const d of report.deny) expect(d.file).toMatch(/registry\.yaml$/);

    writeFileSync(baseline, '{"version": 1, "entries": [{"fingerprint": "nope"}]}');
    const bad = await check([dir], { baseline });
    expect(bad.code).toBe(2);
  });
});
