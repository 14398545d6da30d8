import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWhatIf } from '../../../src/cli/whatif-command.js';
import { parseSince } from '../../../src/cli/whatif-commands.js';
import { latestAssessmentIds } from '../../../src/enforce/whatif.js';
import { assess } from '../../../src/posture/assess.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { currentAssessments } from '../../../src/server/posture-view.js';
import { saveAssessment } from '../../../src/store/assessment-repository.js';
import { openStore } from '../../../src/store/database.js';
import { shared } from '../../support/paths.js';

let dir: string;
let db: string;
let stored: string;

/** Runs the command in this process, returning its exit code and what it printed. */
async function whatif(options: Partial<Parameters<typeof runWhatIf>[0]>) {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((t: string) => out.push(t) > 0) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => err.push(t) > 0) as typeof process.stderr.write;
  try {
    const code = await runWhatIf({
      rule: 'kubernetes-pod-no-privileged-containers',
      db,
      since: parseSince('7d'),
      rules: [],
      ...options,
    });
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-whatif-'));
  db = join(dir, 'palisade.db');
  const store = await openStore(db);
  const assessment = await assess({
    paths: [shared('iac/kubernetes-goat')],
    rules: await loadRules(),
  });
  await saveAssessment(store, assessment);
  stored = assessment.id;
  await store.destroy();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('palisade whatif', () => {
  it('lists the resources of the latest assessment the rule would deny', async () => {
    const { code, out } = await whatif({ json: true });
    expect(code).toBe(0);
    const report = JSON.parse(out);
    const ids = report.resources.map((r: { resourceId: string }) => r.resourceId).sort();
    // The goat's privileged workloads: health-check, system-monitor and docker-bench-security.
    expect(ids).toEqual([
      'default/DaemonSet/docker-bench-security',
      'default/Deployment/health-check-deployment',
      'default/Deployment/system-monitor-deployment',
    ]);
    expect(report.admission).toMatchObject({ examined: 0, wouldDeny: [] });
  });

  it('prints a report for people', async () => {
    const { out } = await whatif({});
    expect(out).toMatch(/What-if: kubernetes-pod-no-privileged-containers \(\w+\) in deny mode/);
    expect(out).toMatch(/3 resource\(s\) would be denied/);
    expect(out).toMatch(/Admission requests since .*: 0 of 0 would be denied/);
  });

  it('exits 2 naming an unknown rule', async () => {
    const { code, err } = await whatif({ rule: 'no-such-rule' });
    expect(code).toBe(2);
    expect(err).toMatch(/no rule no-such-rule/);
  });

  it('exits 2 naming a store that does not exist, and creates nothing', async () => {
    const missing = join(dir, 'no-such-folder', 'x.db');
    const { code, out, err } = await whatif({ db: missing });
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^palisade whatif: no store at ${missing}; check --db`));
    expect(out).toBe('');
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('reads --since as a span or a time', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(parseSince('12h', now).toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(parseSince('2026-12-01T00:00:00Z').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(() => parseSince('last week')).toThrow(/7d, 12h or an ISO 8601 time/);
  });
});

describe('palisade whatif --assessment', () => {
  it('exits 2 naming an assessment the store does not hold', async () => {
    const run = await whatif({ assessment: 'bogus' });
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      'palisade whatif: no assessment bogus; list them with `palisade history`\n',
    );
    expect(run.out).toBe('');
  });

  it('reports on a stored assessment named by id', async () => {
    const run = await whatif({ assessment: stored });
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Assessment ${stored} (`);
    expect(run.out).toMatch(/3 resource\(s\) would be denied/);
  });
});

describe('palisade whatif over more than one set of targets', () => {
  it('looks at the latest assessment of each, as the API does, not only the newest one', async () => {
    const mixed = join(dir, 'mixed.db');
    const store = await openStore(mixed);
    try {
      const rules = await loadRules();
      const goat = await assess({ paths: [shared('iac/kubernetes-goat')], rules });
      await saveAssessment(store, goat);
      // A later scan of other targets (Terraform: no pods) must not hide the goat's workloads.
      const terragoat = await assess({ paths: [shared('iac/terragoat')], rules });
      await saveAssessment(store, {
        ...terragoat,
        startedAt: new Date(Date.parse(goat.finishedAt) + 60_000).toISOString(),
        finishedAt: new Date(Date.parse(goat.finishedAt) + 120_000).toISOString(),
      });
      const api = (await currentAssessments(store)).map((c) => c.id).sort();
      expect(api).toEqual([goat.id, terragoat.id].sort());
      expect((await latestAssessmentIds(store)).sort()).toEqual(api);

      const run = await whatif({ db: mixed, json: true });
      expect(run.code).toBe(0);
      const ids = JSON.parse(run.out).resources.map((r: { resourceId: string }) => r.resourceId);
      expect(ids.sort()).toEqual([
        'default/DaemonSet/docker-bench-security',
        'default/Deployment/health-check-deployment',
        'default/Deployment/system-monitor-deployment',
      ]);
    } finally {
      await store.destroy();
    }
  }, 120_000);
});
