/**
 * One compliance model in every output: a control no rule checks is counted as manual, not as
 * not assessed, and the table, JSON and HTML reports and the API give the same counts for one
 * real scan.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandardCompliance } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderHtml } from '../../src/report/html-report.js';
import { renderJson } from '../../src/report/json-report.js';
import { renderTable } from '../../src/report/table-report.js';
import { startHarness, type Harness } from '../server/harness.js';
import { SHARED_DATA, shared } from '../support/paths.js';

const PATHS = [shared('iac'), shared('cloud-inventory')];

type Counts = Pick<StandardCompliance, 'passed' | 'failed' | 'notAssessed' | 'manual'>;
const counts = (s: Counts): Counts => ({
  passed: s.passed,
  failed: s.failed,
  notAssessed: s.notAssessed,
  manual: s.manual,
});

let h: Harness;
let api: Map<string, Counts & { controls?: { state: string; rules: string[] }[] }>;

beforeAll(async () => {
  h = await startHarness({
    config: (c) => {
      c.posture = { allowedRoots: [SHARED_DATA] };
    },
  });
  const admin = await h.token('security-admin');
  const headers = { authorization: `Bearer ${admin}` };
  const source = await h.app.inject({
    method: 'POST',
    url: '/api/v1/sources',
    headers,
    payload: { name: 'shared', paths: PATHS, intervalMinutes: 60 },
  });
  expect(source.statusCode, source.body).toBe(201);
  const run = await h.app.inject({
    method: 'POST',
    url: '/api/v1/assessments',
    headers,
    payload: { source: 'shared', wait: true },
  });
  expect(run.statusCode, run.body).toBe(201);
  const list = await h.app.inject({ url: '/api/v1/compliance?source=shared', headers });
  expect(list.statusCode, list.body).toBe(200);
  api = new Map(list.json().standards.map((s: Counts & { id: string }) => [s.id, s]));
  const cis = await h.app.inject({ url: '/api/v1/compliance/cis-aws?source=shared', headers });
  api.set('cis-aws:detail', cis.json());
}, 120_000);
afterAll(() => h.close());

describe('compliance in every output', () => {
  it('counts manual controls apart, with the same numbers in table, JSON, HTML and API', async () => {
    const rules = await loadRules();
    const a = await assess({ paths: PATHS, rules });
    const cis = a.compliance.find((s) => s.id === 'cis-aws')!;
    const unchecked = cis.controls.filter((c) => c.rules.length === 0);
    expect(unchecked.length).toBeGreaterThan(0);
    expect(unchecked.every((c) => c.state === 'manual')).toBe(true);
    expect(cis.manual).toBe(unchecked.length);
    expect(cis.notAssessed).toBe(cis.controls.filter((c) => c.state === 'not_assessed').length);

    const json = JSON.parse(renderJson(a)) as { compliance: StandardCompliance[] };
    const table = renderTable(a);
    const html = renderHtml(a, rules);
    for (const s of a.compliance.filter((x) => x.passed + x.failed > 0)) {
      const c = counts(s);
      expect(counts(json.compliance.find((x) => x.id === s.id)!)).toEqual(c);
      expect(counts(api.get(s.id)!)).toEqual(c);

      const row = table.split('\n').find((l) => l.startsWith(`  ${s.name.slice(0, 40)}`))!;
      const numbers = row
        .match(/(\d+) \/\s+(\d+) \/\s+(\d+) \/\s+(\d+)$/)!
        .slice(1)
        .map(Number);
      expect(numbers).toEqual([c.passed, c.failed, c.notAssessed, c.manual]);
      expect(html).toContain(
        `${s.name}: ${c.passed} passed, ${c.failed} failed, ${c.notAssessed} not assessed, ` +
          `${c.manual} manual (no automated check)`,
      );
    }
    const detail = api.get('cis-aws:detail')!;
    expect(counts(detail)).toEqual(counts(cis));
    const manual = detail.controls!.filter((c) => c.rules.length === 0);
    expect(manual.map((c) => c.state)).toEqual(unchecked.map(() => 'manual'));
  });
});
