/**
 * One exemptions file, two gates: `palisade check` over Kubernetes Goat's system-monitor manifest
 * and the webhook judging the same Deployment at admission deny, waive and record the same rules.
 * Exemptions made through the API reach the running webhook through its SQLite store.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { decisionsQuery } from '../../../src/store/admission-decision-repository.js';
import {
  deleteExemption,
  exemptionSource,
  insertExemption,
} from '../../../src/store/exemption-repository.js';
import { REPO_ROOT } from '../../support/paths.js';
import { checkHere } from '../check-runner.js';
import {
  POLICY_FIXTURE,
  startAdmissionHarness,
  type AdmissionHarness,
} from './admission-harness.js';

const MANIFEST = join(
  REPO_ROOT,
  '../shared/data/iac/kubernetes-goat/scenarios/system-monitor/deployment.yaml',
);
const MONITOR = 'default/Deployment/system-monitor-deployment';
const JUSTIFICATION = 'Goat lab monitor needs the host; isolated training cluster';

interface Item {
  ruleId: string;
  resourceId: string;
  exemption?: { justification: string };
}

async function exemptionsFile(entries: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-admission-exemptions-'));
  const file = join(dir, 'exemptions.yaml');
  await writeFile(file, `exemptions:\n${entries.join('')}`);
  return file;
}

function entry(rule: string, resource: string, expires?: string): string {
  const until = expires ? `    expires: ${expires}\n` : '';
  return `  - rule: ${rule}\n    resource: '${resource}'\n    category: waiver\n    justification: ${JUSTIFICATION}\n${until}`;
}

/** What the CI gate denies and waives on the Deployment, by rule id. */
async function checked(exemptions?: string) {
  const run = await checkHere([MANIFEST], {
    policy: [POLICY_FIXTURE],
    format: 'json',
    ...(exemptions ? { exemptions } : {}),
  });
  const report = JSON.parse(run.report) as { deny: Item[]; exempted: Item[] };
  const on = (list: Item[]) =>
    list
      .filter((d) => d.resourceId === MONITOR)
      .map((d) => d.ruleId)
      .sort();
  return { deny: on(report.deny), exempted: on(report.exempted) };
}

/** The Deployment as the API server sends it in a review. */
async function deploymentReview(uid: string) {
  const docs = parseAllDocuments(await readFile(MANIFEST, 'utf8')).map((d) => d.toJS());
  const object = docs.find((d) => d?.kind === 'Deployment');
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: object.metadata.name,
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'ci-deployer' },
      object,
    },
  };
}

let harness: AdmissionHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** What the webhook answers and records for the Deployment under the same exemptions file. */
async function admitted(exemptions?: string) {
  harness = await startAdmissionHarness(exemptions ? { exemptions } : {});
  const uid = `exemptions-${Math.random().toString(36).slice(2)}`;
  const { status, body } = await harness.post(await deploymentReview(uid));
  expect(status).toBe(200);
  await harness.service.recorder.flush();
  const row = await decisionsQuery(harness.service.db)
    .where('uid', '=', uid)
    .executeTakeFirstOrThrow();
  const rules = JSON.parse(row.rules) as {
    id: string;
    mode: string;
    exemption?: { justification: string; source: string };
  }[];
  const causes = (body.response.status?.details?.causes ?? []) as { reason: string }[];
  return {
    allowed: body.response.allowed as boolean,
    deny: causes.map((c) => c.reason).sort(),
    exempted: rules
      .filter((r) => r.exemption)
      .map((r) => r.id)
      .sort(),
    rules,
    row,
  };
}

describe('admission honours the exemptions file palisade check reads', () => {
  it('denies the same rules as check when nothing is exempt', async () => {
    const check = await checked();
    const admission = await admitted();
    expect(check.deny.length).toBeGreaterThan(1);
    expect(admission.allowed).toBe(false);
    expect(admission.deny).toEqual(check.deny);
  });

  it('waives the rules an exemption names for the resource, as check does, and records why', async () => {
    const file = await exemptionsFile([
      entry('kubernetes-pod-no-privileged-containers', MONITOR),
      entry('kubernetes-pod-no-host-pid', 'system-monitor-*'),
    ]);
    const check = await checked(file);
    const admission = await admitted(file);
    expect(check.exempted).toEqual([
      'kubernetes-pod-no-host-pid',
      'kubernetes-pod-no-privileged-containers',
    ]);
    expect(admission.exempted).toEqual(check.exempted);
    expect(admission.deny).toEqual(check.deny);
    expect(admission.deny).not.toContain('kubernetes-pod-no-privileged-containers');
    const waived = admission.rules.find((r) => r.id === 'kubernetes-pod-no-privileged-containers');
    expect(waived).toMatchObject({
      mode: 'deny',
      exemption: { justification: JUSTIFICATION, source: `${file}:2` },
    });
    expect(admission.row.message).toContain(`exempt by ${file}:2 (waiver): ${JUSTIFICATION}`);
  });

  it('lets the object in when every failing deny-mode rule is exempt, as check passes it', async () => {
    const file = await exemptionsFile([entry('kubernetes-*', MONITOR)]);
    const check = await checked(file);
    const admission = await admitted(file);
    expect(check.deny).toEqual([]);
    expect(admission.allowed).toBe(true);
    expect(admission.row.allowed).toBe(1);
    expect(admission.exempted).toEqual(expect.arrayContaining(check.exempted));
    expect(admission.rules.every((r) => r.exemption?.justification === JUSTIFICATION)).toBe(true);
  });

  it('denies again once the exemption has expired, as check does', async () => {
    const file = await exemptionsFile([entry('kubernetes-*', MONITOR, '2020-01-31')]);
    const check = await checked(file);
    const admission = await admitted(file);
    expect(check.exempted).toEqual([]);
    expect(admission.allowed).toBe(false);
    expect(admission.exempted).toEqual([]);
    expect(admission.deny).toEqual(check.deny);
    expect(admission.row.message).toContain(`exemption at ${file}:2 expired on 2020-01-31`);
  });
});

describe('admission honours the exemptions made through the API', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('waives by a stored exemption within policyRefreshSeconds, and denies once it is deleted', async () => {
    harness = await startAdmissionHarness({ policyRefreshSeconds: 1 });
    const db = harness.service.db;
    const review = async () => {
      const uid = `api-exemption-${Math.random().toString(36).slice(2)}`;
      const { body } = await harness!.post(await deploymentReview(uid));
      await harness!.service.recorder.flush();
      const row = await decisionsQuery(db).where('uid', '=', uid).executeTakeFirstOrThrow();
      return { allowed: body.response.allowed as boolean, row };
    };
    expect((await review()).allowed).toBe(false);

    const made = await insertExemption(
      db,
      {
        rule: 'kubernetes-*',
        resource: MONITOR,
        justification: JUSTIFICATION,
        category: 'waiver',
        expires: null,
        created_by: 'user:ada',
      },
      new Date(),
    );
    // No restart and no call into the webhook: the next review past the refresh age reads it.
    await sleep(1_200);
    const waived = await review();
    expect(waived.allowed).toBe(true);
    const source = exemptionSource(made.id);
    const rules = JSON.parse(waived.row.rules) as { exemption?: { source: string } }[];
    expect(rules.length).toBeGreaterThan(1);
    expect(rules.every((r) => r.exemption?.source === source)).toBe(true);
    expect(waived.row.message).toContain(`exempt by ${source} (waiver): ${JUSTIFICATION}`);

    await deleteExemption(db, made.id);
    await sleep(1_200);
    const again = await review();
    expect(again.allowed).toBe(false);
    expect(again.row.message).not.toContain(source);
  });
});

describe('an exemptions file at start-up', () => {
  it('names an exemption whose rule matches no rule, as check does', async () => {
    const file = await exemptionsFile([entry('kubernetes-pod-no-host-pdi', MONITOR)]);
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
    harness = await startAdmissionHarness({ exemptions: file }, { logger });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: `exemption at ${file}:2 names rule "kubernetes-pod-no-host-pdi", which matches no rule`,
      }),
    );
  });

  it('stops start-up naming the file, line and key', async () => {
    const file = await exemptionsFile(['  - rule: kubernetes-pod-no-host-pid\n    resource: x\n']);
    await expect(startAdmissionHarness({ exemptions: file })).rejects.toThrow(
      `${file}:2: exemptions: exemption field \`justification\` must be a non-empty string`,
    );
  });
});
