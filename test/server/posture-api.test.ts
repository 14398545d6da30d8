import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recommendation } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { startHarness, type Harness } from './harness.js';

const ESTATE = resolve('samples/estate');
const AWS_CONFIG = resolve('../shared/data/cloud-inventory/aws/cloud-custodian-config-items');
const AWS_ACCOUNT = '644160558196';

let h: Harness;
let admin: string;
let reader: string;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function get(path: string, token = reader) {
  const res = await h.app.inject({ url: `/api/v1${path}`, headers: auth(token) });
  expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  return res.json();
}

async function run(source: string) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/assessments',
    headers: auth(admin),
    payload: { source, wait: true },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  // The shared data lies outside the working folder, the default and only allowed root.
  h = await startHarness({
    config: (c) => {
      c.posture = { allowedRoots: [resolve('.'), resolve('../shared/data')] };
    },
  });
  admin = await h.token('security-admin');
  reader = await h.token('reader');
  for (const [name, path] of [
    ['estate', ESTATE],
    ['aws-config', AWS_CONFIG],
  ]) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sources',
      headers: auth(admin),
      payload: { name, paths: [path], intervalMinutes: 60 },
    });
    expect(res.statusCode, res.body).toBe(201);
  }
  await run('estate');
  await run('aws-config');
}, 60_000);
afterAll(() => h.close());

describe('posture API on the sample estate', () => {
  it('lists sources to admins and records their creation in the audit log', async () => {
    const list = await get('/sources', admin);
    expect(list.items.map((s: { name: string }) => s.name)).toEqual(['aws-config', 'estate']);
    const estate = list.items.find((s: { name: string }) => s.name === 'estate');
    expect(estate.paths).toEqual([ESTATE]);
    expect(estate.lastAssessmentId).toMatch(/[0-9a-f-]{36}/);
    const audit = await get('/audit?action=source.create', admin);
    expect(audit.items).toHaveLength(2);
  });

  it('scores a source exactly as its stored assessment, and overall over both', async () => {
    const one = await get('/score?source=estate');
    expect(one.assessments).toHaveLength(1);
    const stored = await get(`/assessments/${one.assessments[0].id}`);
    expect(one.secureScore).toBe(stored.secureScore);
    expect(stored.resources).toBe(30);
    const max = one.controls
      .filter((c: { healthy: number; unhealthy: number }) => c.healthy + c.unhealthy > 0)
      .reduce((n: number, c: { maxScore: number }) => n + c.maxScore, 0);
    expect(one.maxScore).toBeCloseTo(max, 2);
    expect(one.secureScore).toBeCloseTo((100 * one.currentScore) / one.maxScore, 0);
    const overall = await get('/score');
    expect(overall.assessments).toHaveLength(2);
    expect(overall.counts.fail).toBeGreaterThan(one.counts.fail);
  });

  it('ranks recommendations as scan does, with the same numbers, and filters them', async () => {
    const recs = await get('/recommendations?source=estate&limit=500');
    const scanned = await assess({ paths: [ESTATE], rules: await loadRules() });
    const numbers = (r: Recommendation) => [r.ruleId, r.potentialIncrease, r.scoreShare];
    const ranked = recs.items.filter((r: { rank: number | null }) => r.rank !== null);
    expect(ranked.map(numbers)).toEqual(scanned.recommendations.map(numbers));
    expect(ranked.map((r: { rank: number }) => r.rank)).toEqual(
      ranked.map((_: unknown, i: number) => i + 1),
    );
    expect(recs.items.slice(ranked.length).every((r: { failing: number }) => r.failing === 0)).toBe(
      true,
    );
    const critical = await get('/recommendations?severity=critical&status=unhealthy');
    expect(critical.items.length).toBeGreaterThan(0);
    for (const r of critical.items) {
      expect(r.severity).toBe('critical');
      expect(r.failing).toBeGreaterThan(0);
    }
    const k8s = await get('/recommendations?cloud=kubernetes');
    expect(k8s.items.every((r: { cloud: string }) => r.cloud === 'kubernetes')).toBe(true);
    // Pages follow each other without gaps or repeats.
    const first = await get('/recommendations?source=estate&limit=3');
    const second = await get(`/recommendations?source=estate&limit=3&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((r: { ruleId: string }) => r.ruleId)).toEqual(
      recs.items.slice(0, 6).map((r: { ruleId: string }) => r.ruleId),
    );
  });

  it('details a recommendation with remediation and failing resources at file:line', async () => {
    const [top] = (await get('/recommendations?source=estate&limit=1')).items;
    const detail = await get(`/recommendations/${top.ruleId}?source=estate`);
    expect(detail.remediationSteps.text).toBe(top.remediation);
    expect(detail.resources.failing).toHaveLength(top.failing);
    for (const f of detail.resources.failing) {
      expect(f.status).toBe('fail');
      expect(f.message.length).toBeGreaterThan(0);
      expect(f.file).toMatch(/samples\/estate/);
      expect(f.line).toBeGreaterThan(0);
    }
    const missing = await h.app.inject({
      url: '/api/v1/recommendations/no-such-rule',
      headers: auth(reader),
    });
    expect(missing.statusCode).toBe(404);
  });

  it('reports compliance per standard, per control, and the findings behind one', async () => {
    const all = await get('/compliance?source=estate');
    const cis = all.standards.find((s: { id: string }) => s.id === 'cis-aws');
    expect(cis.failed).toBeGreaterThan(0);
    const standard = await get('/compliance/cis-aws?source=estate');
    expect(standard.failed).toBe(cis.failed);
    const failed = standard.controls.find((c: { state: string }) => c.state === 'failed');
    expect(failed.rules.length).toBeGreaterThan(0);
    const control = await get(`/compliance/cis-aws/controls/${failed.id}?source=estate`);
    const failing = control.findings.filter((f: { status: string }) => f.status === 'fail');
    expect(failing).toHaveLength(failed.failing);
    expect(failing.every((f: { ruleId: string }) => failed.rules.includes(f.ruleId))).toBe(true);

    // Controls no rule checks are counted apart as manual, in the list and in the standard.
    const nist = await get('/compliance/nist-800-53?source=estate');
    const unchecked = nist.controls.filter((c: { rules: string[] }) => c.rules.length === 0);
    expect(unchecked.length).toBeGreaterThan(0);
    expect(nist.manual).toBe(unchecked.length);
    // Not assessed: controls with rules that judged nothing here, apart from the manual ones.
    const idle = nist.controls.filter(
      (c: { rules: string[]; state: string }) => c.rules.length > 0 && c.state === 'not_assessed',
    );
    expect(nist.notAssessed).toBe(idle.length);
    expect(unchecked.every((c: { state: string }) => c.state === 'manual')).toBe(true);
    const listed = all.standards.find((s: { id: string }) => s.id === 'nist-800-53');
    expect(listed.manual).toBe(unchecked.length);
  });

  it('lists the inventory with health and shows one resource with its findings', async () => {
    const all = await get('/resources?source=estate&limit=500');
    expect(all.items).toHaveLength(30);
    const unhealthy = await get('/resources?source=estate&health=unhealthy&limit=500');
    expect(unhealthy.items.length).toBeGreaterThan(0);
    expect(unhealthy.items.every((r: { failing: number }) => r.failing > 0)).toBe(true);
    const gcp = await get('/resources?cloud=gcp&limit=500');
    expect(gcp.items.every((r: { cloud: string }) => r.cloud === 'gcp')).toBe(true);
    const worst = all.items[0];
    expect(worst.worstSeverity).toBe('critical');
    const detail = await get(
      `/resources/detail?id=${encodeURIComponent(worst.id)}&type=${encodeURIComponent(worst.type)}`,
    );
    expect(detail.properties).toBeTypeOf('object');
    const fails = detail.findings.filter((f: { status: string }) => f.status === 'fail');
    expect(fails).toHaveLength(worst.failing);
  });

  it('lists findings with their lifecycle and filters', async () => {
    const fails = await get('/findings?source=estate&status=fail&limit=500');
    const score = await get('/score?source=estate');
    expect(fails.items).toHaveLength(score.counts.fail + score.counts.exempt);
    for (const f of fails.items) {
      expect(f.lifecycle.status).toBe('open');
      expect(f.lifecycle.firstSeen).toBe(f.lifecycle.statusChangedAt);
    }
    const high = await get('/findings?severity=high&status=fail&limit=500');
    expect(high.items.every((f: { severity: string }) => f.severity === 'high')).toBe(true);
    const rule = fails.items[0].ruleId;
    const byRule = await get(`/findings?rule=${rule}&limit=500`);
    expect(byRule.items.every((f: { ruleId: string }) => f.ruleId === rule)).toBe(true);
  });

  it('lists assessments newest first, per source', async () => {
    const list = await get('/assessments?source=aws-config');
    expect(list.items.length).toBeGreaterThanOrEqual(1);
    expect(list.items[0].source.name).toBe('aws-config');
    expect(list.items[0].resources).toBe(11);
    const history = await get('/score/history');
    expect(history.items.length).toBeGreaterThanOrEqual(2);
  });

  it('draws the overall trend: after each run, the score of every source latest run', async () => {
    const overall = await get('/score/history?series=overall&limit=500');
    const runs = await get('/score/history?limit=500');
    expect(overall.items.map((p: { assessmentId: string }) => p.assessmentId)).toEqual(
      runs.items.map((p: { assessmentId: string }) => p.assessmentId),
    );
    // The first point is the first run alone; the last is the estate as GET /score sees it.
    expect(overall.items[0].secureScore).toBe(runs.items[0].secureScore);
    const last = overall.items[overall.items.length - 1];
    expect(last.secureScore).toBe((await get('/score')).secureScore);
    const scoped = await h.token('reader', [AWS_ACCOUNT]);
    const mine = await get('/score/history?series=overall&limit=500', scoped);
    expect(mine.items[mine.items.length - 1].secureScore).toBe(
      (await get('/score', scoped)).secureScore,
    );
  });
});

describe('exemptions', () => {
  it('raise the score of an exempted recommendation; deleting restores it', async () => {
    const before = await get('/score?source=estate');
    // Its control's only failing rule, passing nowhere, on a control with healthy resources:
    // exempting it leaves the control all healthy, so the score gains the control's potential.
    const healthy = new Set(
      before.controls
        .filter((c: { healthy: number }) => c.healthy > 0)
        .map((c: { id: string }) => c.id),
    );
    const unhealthy = await get('/recommendations?source=estate&status=unhealthy&limit=500');
    const top = unhealthy.items.find(
      (r: Recommendation) =>
        r.scoreShare === r.potentialIncrease && r.passing === 0 && healthy.has(r.control),
    );
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exemptions',
      headers: auth(admin),
      payload: {
        rule: top.ruleId,
        justification: 'Accepted for the demo.',
        category: 'mitigated',
        expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { exemption, reassessed } = created.json();
    expect(reassessed.length).toBeGreaterThan(0);
    expect(reassessed.map((r: { error: string | null }) => r.error)).not.toContain(
      expect.any(String),
    );

    const during = await get('/score?source=estate');
    expect(during.secureScore).toBeGreaterThan(before.secureScore);
    expect(during.secureScore).toBeCloseTo(before.secureScore + top.potentialIncrease, 0);
    const detail = await get(`/recommendations/${top.ruleId}?source=estate`);
    expect(detail.status).not.toBe('unhealthy');
    expect(detail.resources.exempt).toHaveLength(top.failing);
    expect(detail.resources.exempt[0].exemption).toMatchObject({
      category: 'mitigated',
      justification: 'Accepted for the demo.',
      source: `api exemption ${exemption.id}`,
    });
    const listed = await get('/exemptions');
    expect(listed.items.map((e: { id: string }) => e.id)).toContain(exemption.id);

    const deleted = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/exemptions/${exemption.id}`,
      headers: auth(admin),
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    const after = await get('/score?source=estate');
    expect(after.secureScore).toBe(before.secureScore);

    const audit = await get('/audit?action=exemption.create', admin);
    expect(audit.items[0].target.id).toBe(exemption.id);
    expect((await get('/audit?action=exemption.delete', admin)).items).toHaveLength(1);
  });

  it('are refused to callers limited to accounts, and validate their expiry', async () => {
    const scopedAdmin = await h.token('security-admin', [AWS_ACCOUNT]);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exemptions',
      headers: auth(scopedAdmin),
      payload: {
        rule: 'aws-s3-*',
        justification: 'Accepted for the demo.',
        expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      },
    });
    expect(res.statusCode).toBe(403);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exemptions',
      headers: auth(admin),
      payload: { rule: 'x', justification: 'Accepted for the demo.', expires: '2027-02-30' },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('scopes', () => {
  it('show a Reader limited to one AWS account only its resources and score', async () => {
    const scoped = await h.token('reader', [AWS_ACCOUNT]);
    const resources = await get('/resources?limit=500', scoped);
    expect(resources.items).toHaveLength(11);
    expect(new Set(resources.items.map((r: { account: string }) => r.account))).toEqual(
      new Set([AWS_ACCOUNT]),
    );
    const findings = await get('/findings?limit=500', scoped);
    expect(findings.items.length).toBeGreaterThan(0);
    expect(findings.items.every((f: { account: string }) => f.account === AWS_ACCOUNT)).toBe(true);

    // The account's score is the aws-config source's score (all its resources are in it).
    const mine = await get('/score', scoped);
    const theirs = await get('/score?source=aws-config');
    expect(mine.secureScore).toBe(theirs.secureScore);
    expect(mine.counts).toEqual(theirs.counts);
    // A source reading accounts beyond theirs is not theirs to name (nor listed by GET /sources).
    const notFound = async (url: string) => {
      const res = await h.app.inject({ url: `/api/v1${url}`, headers: auth(scoped) });
      return [url, res.statusCode, res.json().message];
    };
    for (const url of ['/score?source=estate', '/score/history?source=estate'])
      expect(await notFound(url)).toEqual([url, 404, 'no source estate']);

    const [any] = (await get('/resources?source=estate&limit=1')).items;
    const hidden = await h.app.inject({
      url: `/api/v1/resources/detail?id=${encodeURIComponent(any.id)}`,
      headers: auth(scoped),
    });
    expect(hidden.statusCode).toBe(404);
    const recs = await get('/recommendations?limit=500', scoped);
    expect(recs.items.every((r: { cloud: string }) => r.cloud === 'aws')).toBe(true);
    expect(await notFound('/assessments?source=estate')).toEqual([
      '/assessments?source=estate',
      404,
      'no source estate',
    ]);
    // An assessment of the estate, named by id: none of its resources is theirs, so no score,
    // never 100, and the server's folders are not theirs to see.
    const estateRun = (await get('/assessments?source=estate')).items[0];
    expect(estateRun.targets).toEqual([ESTATE]);
    const seen = await get(`/assessments/${estateRun.id}`, scoped);
    expect(seen).toMatchObject({ secureScore: null, resources: 0, targets: [] });
    const own = await get('/assessments?source=aws-config', scoped);
    expect(own.items[0].targets).toEqual([]);
    expect((await get(`/assessments/${own.items[0].id}`, scoped)).targets).toEqual([]);
  });

  it("answer a limited caller's run with the score and resources of its accounts only", async () => {
    const scopedAdmin = await h.token('security-admin', [AWS_ACCOUNT]);
    // A source that reads other accounts too is not theirs to run.
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assessments',
      headers: auth(scopedAdmin),
      payload: { source: 'estate', wait: true },
    });
    expect(res.statusCode, res.body).toBe(404);
    const mine = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assessments',
      headers: auth(scopedAdmin),
      payload: { source: 'aws-config', wait: true },
    });
    expect(mine.json()).toMatchObject({
      secureScore: (await get('/score?source=aws-config')).secureScore,
      resources: 11,
    });
  });
});

describe('sources', () => {
  it('refuse paths that do not exist, duplicates, and Readers', async () => {
    const missing = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sources',
      headers: auth(admin),
      payload: { name: 'nowhere', paths: ['/no/such/folder'] },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('BAD_PATH');
    const twin = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sources',
      headers: auth(admin),
      payload: { name: 'estate-again', paths: [`${ESTATE}/../estate`] },
    });
    expect(twin.statusCode).toBe(409);
    // Readers may see which sources exist, never add one.
    const asReader = await h.app.inject({ url: '/api/v1/sources', headers: auth(reader) });
    expect(asReader.statusCode).toBe(200);
    const readerAdds = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sources',
      headers: auth(reader),
      payload: { name: 'mine', paths: [ESTATE] },
    });
    expect(readerAdds.statusCode).toBe(403);
  });

  it('are in the OpenAPI document with the rest of the posture API', async () => {
    const doc = await get('/openapi.json');
    for (const path of [
      '/api/v1/sources',
      '/api/v1/assessments',
      '/api/v1/assessments/{id}',
      '/api/v1/score',
      '/api/v1/score/history',
      '/api/v1/recommendations/{ruleId}',
      '/api/v1/compliance/{standardId}/controls/{controlId}',
      '/api/v1/resources/detail',
      '/api/v1/findings',
      '/api/v1/exemptions/{id}',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });
});

describe('runs on demand and deleting a source', () => {
  it('queue a run without waiting, 404 for an unknown source, and forget a deleted one', async () => {
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assessments',
      headers: auth(admin),
      payload: { source: 'no-such-source' },
    });
    expect(unknown.statusCode).toBe(404);
    const operator = await h.token('security-operator');
    const queued = await h.app.inject({
      method: 'POST',
      url: '/api/v1/assessments',
      headers: auth(operator),
      payload: { source: 'aws-config' },
    });
    expect(queued.statusCode, queued.body).toBe(202);
    const id = queued.json().sourceId;
    expect([queued.json().running, ...queued.json().queued]).toContain(id);

    const deleted = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/sources/${id}`,
      headers: auth(admin),
    });
    expect(deleted.statusCode).toBe(200);
    const score = await get('/score');
    expect(score.assessments.map((a: { source: { name: string } }) => a.source.name)).toEqual([
      'estate',
    ]);
    expect((await get('/audit?action=source.delete', admin)).items).toHaveLength(1);
    expect((await get('/audit?action=assessment.run', admin)).items.length).toBeGreaterThan(2);
    const gone = await h.app.inject({
      url: '/api/v1/score?source=aws-config',
      headers: auth(reader),
    });
    expect(gone.statusCode).toBe(404);
  });
});
