/**
 * A live cluster's pods and ReplicaSets are judged through the controller that makes them when
 * the scan holds it, so a flaw in a Deployment's template counts once, whatever its replicas.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules, evaluate } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { assess } from '../../../src/posture/assess.js';
import { assessStream } from '../../../src/posture/assess-stream.js';
import { renderTable } from '../../../src/report/table-report.js';
import { readPaths } from '../../../src/sources/read-paths.js';

const rules = (await loadRules()).filter((r) => r.cloud === 'kubernetes');
const compiled = compileRules(rules);

const TEMPLATE = {
  metadata: { labels: { app: 'web' } },
  spec: { hostNetwork: true, containers: [{ name: 'web', image: 'nginx:1.25' }] },
};

function deployment(name: string): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: TEMPLATE },
  };
}

function replicaSet(deploymentName: string, hash: string): object {
  const name = `${deploymentName}-${hash}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: 'web', 'pod-template-hash': hash },
      ownerReferences: [
        ownerReference('apps/v1', 'Deployment', deploymentName, `uid-${deploymentName}`),
      ],
    },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: TEMPLATE },
  };
}

let pods = 0;

function pod(owner: { kind: string; name: string; uid?: string }, hash?: string): object {
  pods += 1;
  const name = `${owner.name}-pod${pods}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: hash ? { app: 'web', 'pod-template-hash': hash } : { app: 'web' },
      ownerReferences: [ownerReference('apps/v1', owner.kind, owner.name, owner.uid)],
    },
    spec: { ...TEMPLATE.spec, nodeName: 'node-1' },
  };
}

function ownerReference(apiVersion: string, kind: string, name: string, uid?: string): object {
  return { apiVersion, kind, name, controller: true, blockOwnerDeletion: true, uid };
}

/** A `kubectl get ... -o json` List in a file of its own; returns its path. */
function list(dir: string, file: string, items: object[]): string {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2));
  return path;
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'palisade-k8s-controlled-'));
}

async function judgedIds(...paths: string[]): Promise<string[]> {
  const { resources } = await readPaths(paths);
  return resources.map((r) => r.id).sort();
}

describe('pods and ReplicaSets folded into their controller', () => {
  it('judges a Deployment once, not again through its ReplicaSet and each pod', async () => {
    const dir = scratch();
    const rsOwner = { kind: 'ReplicaSet', name: 'web-6d4cf56db6', uid: 'uid-web-6d4cf56db6' };
    const file = list(dir, 'all.json', [
      deployment('web'),
      replicaSet('web', '6d4cf56db6'),
      pod(rsOwner, '6d4cf56db6'),
      pod(rsOwner, '6d4cf56db6'),
    ]);

    expect(await judgedIds(file)).toEqual(['shop/Deployment/web']);
  });

  it('finds the Deployment by the ReplicaSet name when the ReplicaSet was not listed', async () => {
    const dir = scratch();
    const owner = { kind: 'ReplicaSet', name: 'web-6d4cf56db6', uid: 'uid-rs' };
    const file = list(dir, 'deploy-and-pods.json', [
      deployment('web'),
      pod(owner, '6d4cf56db6'),
      pod(owner, '6d4cf56db6'),
    ]);

    const { resources } = await readPaths([file]);
    const findings = evaluate(compiled, resources).filter(
      (f) => f.ruleId === 'kubernetes-pod-no-host-network' && f.status === 'fail',
    );
    expect(findings.map((f) => f.resourceId)).toEqual(['shop/Deployment/web']);
  });

  it('keeps the counts of a failing rule the same for two replicas and for five', async () => {
    const owner = { kind: 'ReplicaSet', name: 'web-6d4cf56db6' };
    const failures = async (replicas: number): Promise<number> => {
      const pods = Array.from({ length: replicas }, () => pod(owner, '6d4cf56db6'));
      const file = list(scratch(), 'all.json', [deployment('web'), ...pods]);
      const { resources } = await readPaths([file]);
      return evaluate(compiled, resources).filter((f) => f.status === 'fail').length;
    };

    expect(await failures(5)).toBe(await failures(2));
  });

  it('folds across files: deployments in one, pods in another', async () => {
    const dir = scratch();
    const owner = { kind: 'ReplicaSet', name: 'web-6d4cf56db6' };
    const deployments = list(dir, 'deployments.json', [deployment('web')]);
    const pods = list(dir, 'pods.json', [pod(owner, '6d4cf56db6')]);

    expect(await judgedIds(deployments, pods)).toEqual(['shop/Deployment/web']);
  });

  it('folds within a file when the scan streams file by file', async () => {
    const dir = scratch();
    const owner = { kind: 'ReplicaSet', name: 'web-6d4cf56db6' };
    list(dir, 'all.json', [deployment('web'), pod(owner, '6d4cf56db6'), pod(owner, '6d4cf56db6')]);

    const streamed = await assessStream({ paths: [dir], rules, compiled });
    expect(streamed.resources.map((r) => r.id)).toEqual(['shop/Deployment/web']);
  });
});

describe('pods judged on their own', () => {
  it('judges pods whose controller is not in the scan (kubectl get pods alone)', async () => {
    const dir = scratch();
    const owner = { kind: 'ReplicaSet', name: 'web-6d4cf56db6' };
    const file = list(dir, 'pods.json', [pod(owner, '6d4cf56db6'), pod(owner, '6d4cf56db6')]);

    const ids = await judgedIds(file);
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => id.startsWith('shop/Pod/'))).toBe(true);
  });

  it('judges a pod whose owner reference names another object of the same name', async () => {
    const dir = scratch();
    const stale = { kind: 'ReplicaSet', name: 'web-6d4cf56db6', uid: 'uid-of-a-deleted-one' };
    const file = list(dir, 'all.json', [replicaSet('web', '6d4cf56db6'), pod(stale)]);

    const ids = await judgedIds(file);
    expect(ids.filter((id) => id.startsWith('shop/Pod/'))).toHaveLength(1);
    // The ReplicaSet's Deployment is not in the scan: the ReplicaSet is judged itself.
    expect(ids).toContain('shop/ReplicaSet/web-6d4cf56db6');
  });

  it('judges a pod a custom controller makes, which no pod rule judges', async () => {
    const dir = scratch();
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { template: TEMPLATE },
    };
    const file = list(dir, 'all.json', [rollout, pod({ kind: 'Rollout', name: 'web' })]);

    expect((await judgedIds(file)).some((id) => id.startsWith('shop/Pod/'))).toBe(true);
  });
});

describe('file counts of a scan that folds objects into their controllers', () => {
  const owner = { kind: 'ReplicaSet', name: 'web-6d4cf56db6' };
  const counts = (files: { resources: number; folded?: number }[]) =>
    files.map((f) => [f.resources, f.folded]);

  it('counts in each file the resources judged, and says how many were folded', async () => {
    const dir = scratch();
    const deployments = list(dir, 'deployments.json', [deployment('web'), deployment('api')]);
    const pods = list(dir, 'pods.json', [
      pod(owner, '6d4cf56db6'),
      pod(owner, '6d4cf56db6'),
      pod({ kind: 'ReplicaSet', name: 'batch-5c9f7d' }, '5c9f7d'),
    ]);

    const { resources, files } = await readPaths([deployments, pods]);
    expect(counts(files)).toEqual([
      [2, undefined],
      [1, 2],
    ]);
    expect(files.reduce((n, f) => n + f.resources, 0)).toBe(resources.length);
  });

  it('agrees with the resources assessed when the scan streams file by file', async () => {
    const dir = scratch();
    list(dir, 'all.json', [deployment('web'), pod(owner, '6d4cf56db6'), pod(owner, '6d4cf56db6')]);

    const streamed = await assessStream({ paths: [dir], rules, compiled });
    expect(counts(streamed.files)).toEqual([[1, 2]]);
    expect(streamed.counts.resources).toBe(1);
  });

  it('names the folded objects in the console report', async () => {
    const dir = scratch();
    list(dir, 'all.json', [deployment('web'), pod(owner, '6d4cf56db6'), pod(owner, '6d4cf56db6')]);

    const table = renderTable(await assess({ paths: [dir], rules }));
    expect(table).toContain('1 file, 1 resource,');
    expect(table).toContain('  2 pods, ReplicaSets or Jobs judged through their controllers');
  });
});
