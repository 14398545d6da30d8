import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  manifestFilesUnder,
  manifestReviews,
} from '../../../src/enforce/admission/manifest-reviews.js';
import { SourceReadError } from '../../../src/model/source-error.js';
import { decisionsQuery } from '../../../src/store/admission-decision-repository.js';
import { SHARED_DATA, shared } from '../../support/paths.js';
import { startAdmissionHarness, type AdmissionHarness } from './admission-harness.js';

const TABLE_FIXTURE = join(import.meta.dirname, '../../fixtures/admission/decision-table.json');
const SOURCES = [shared('iac/kubernetes-goat'), shared('iac/kubernetes-examples')];

/** One row of the table: one manifest object and the webhook's answer, or why a file has none. */
interface TableRow {
  file: string;
  object?: string;
  allowed?: boolean;
  denied?: string[];
  audited?: string[];
  note?: string;
}

let h: AdmissionHarness;
let table: TableRow[];
let reviews = 0;

beforeAll(async () => {
  h = await startAdmissionHarness();
  table = [];
  for (const file of SOURCES.flatMap(manifestFilesUnder)) {
    const shown = relative(SHARED_DATA, file);
    let built;
    try {
      built = await manifestReviews(file, shown);
    } catch (error) {
      if (!(error instanceof SourceReadError)) throw error;
      table.push({ file: shown, note: `not sent: ${error.code}` });
      continue;
    }
    if (built.length === 0) table.push({ file: shown, note: 'no Kubernetes object' });
    for (const { object, review } of built) {
      const { status, body } = await h.post(review);
      expect(status, `${shown} ${object}`).toBe(200);
      expect(body.response.uid).toBe(review.request.uid);
      const warnings: string[] = body.response.warnings ?? [];
      table.push({
        file: shown,
        object,
        allowed: body.response.allowed,
        denied: (body.response.status?.details?.causes ?? []).map((c: any) => c.reason),
        audited: warnings.map((w) => /^palisade audit: ([^:]+):/.exec(w)?.[1] ?? w),
      });
      reviews++;
    }
  }
  if (process.env.PALISADE_UPDATE_FIXTURES === '1') {
    writeFileSync(TABLE_FIXTURE, `${JSON.stringify(table, null, 2)}\n`);
  }
}, 120_000);

afterAll(() => h?.close());

describe('admission of every kubernetes-goat and kubernetes-examples manifest over TLS', () => {
  it('gives the reviewed allow/deny table', () => {
    const expected = JSON.parse(readFileSync(TABLE_FIXTURE, 'utf8')) as TableRow[];
    expect(table).toEqual(expected);
  });

  it('denies privileged and host-namespace workloads and cluster-admin bindings of the goat', () => {
    const denied = (file: string, object: string) =>
      table.find((r) => r.file.endsWith(file) && r.object === object)?.denied ?? [];
    expect(
      denied('system-monitor/deployment.yaml', 'Deployment/system-monitor-deployment'),
    ).toEqual(
      expect.arrayContaining([
        'kubernetes-pod-no-privileged-containers',
        'kubernetes-pod-no-host-pid',
        'kubernetes-pod-no-host-ipc',
        'kubernetes-pod-no-hostpath-volumes',
      ]),
    );
    // Its hostNetwork line is commented out in the manifest.
    expect(
      denied('system-monitor/deployment.yaml', 'Deployment/system-monitor-deployment'),
    ).not.toContain('kubernetes-pod-no-host-network');
    expect(denied('insecure-rbac/setup.yaml', 'ClusterRoleBinding/superadmin')).toEqual([
      'kubernetes-rbac-no-cluster-admin-binding',
    ]);
    // IPC_LOCK is outside the Pod Security baseline's capabilities.
    expect(denied('cassandra/cassandra-statefulset.yaml', 'StatefulSet/cassandra')).toEqual([
      'kubernetes-pod-capabilities-baseline',
    ]);
    expect(
      denied('docker-bench-security/deployment.yaml', 'DaemonSet/docker-bench-security'),
    ).toContain('kubernetes-pod-no-container-runtime-socket');
  });

  it('allows with warnings what fails only audit-mode rules', () => {
    const allowedWithWarnings = table.filter((r) => r.allowed && (r.audited?.length ?? 0) > 0);
    expect(allowedWithWarnings.length).toBeGreaterThan(5);
    for (const row of table.filter((r) => r.allowed)) expect(row.denied).toEqual([]);
  });

  it('stores one decision per review, with the denying rule ids', async () => {
    await h.service.recorder.flush();
    const rows = await decisionsQuery(h.service.db).execute();
    expect(rows).toHaveLength(reviews);
    const deniedRows = rows.filter((r) => r.allowed === 0);
    expect(deniedRows.length).toBe(table.filter((r) => r.allowed === false).length);
    for (const row of deniedRows) {
      const entry = table.find(
        (t) => t.file === row.uid.replace(/-\d+$/, '') && t.object === `${row.kind}/${row.name}`,
      );
      expect(entry, row.uid).toBeDefined();
      expect(JSON.parse(row.rule_ids)).toEqual(expect.arrayContaining(entry!.denied!));
      expect(row.mode).toBe('deny');
    }
  });
});
