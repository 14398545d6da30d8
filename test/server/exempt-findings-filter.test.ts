/**
 * The findings list counts an exempt finding as the scan does: as exempt, neither failing nor
 * passing, so `?status=fail` lists exactly the findings the score counts as failing.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadExemptions } from '../../src/posture/exemptions.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { saveAssessment } from '../../src/store/assessment-repository.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let reader: string;

interface Finding {
  status: string;
  exemption: { category: string } | null;
}

const get = async (path: string) => {
  const res = await h.app.inject({
    url: `/api/v1${path}`,
    headers: { authorization: `Bearer ${reader}` },
  });
  expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  return res.json();
};

const findings = async (status: string): Promise<Finding[]> =>
  (await get(`/findings?status=${status}&limit=500`)).items;

beforeAll(async () => {
  h = await startHarness();
  reader = await h.token('reader');
  const assessment = await assess({
    paths: ['samples/estate'],
    rules: await loadRules(),
    exemptions: await loadExemptions('samples/exemptions.yaml'),
  });
  await saveAssessment(h.db, assessment);
}, 120_000);
afterAll(() => h.close());

describe('status filter of the findings list on the exempt sample bucket', () => {
  it('lists as failing only the findings the score counts as failing', async () => {
    const { counts } = await get('/score');
    expect(counts.exempt).toBeGreaterThan(0);
    const failing = await findings('fail');
    expect(failing).toHaveLength(counts.fail);
    expect(failing.filter((f) => f.exemption !== null)).toEqual([]);
    expect(await findings('pass')).toHaveLength(counts.pass);
  });

  it('lists the exempt findings under status=exempt, each keeping its verdict', async () => {
    const { counts } = await get('/score');
    const exempt = await findings('exempt');
    expect(exempt).toHaveLength(counts.exempt);
    for (const f of exempt) {
      expect(f.exemption?.category).toBe('waiver');
      expect(['pass', 'fail']).toContain(f.status);
    }
  });
});
