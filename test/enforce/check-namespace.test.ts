/**
 * Manifests that name no namespace (most `helm template` and kustomize output) meet
 * namespace-scoped assignments: `check --namespace NS` places them as `kubectl -n NS` would, and
 * without it the gate says they are judged as in `default`.
 */

import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { objectsWithoutNamespace, placeInNamespace } from '../../src/enforce/manifest-namespace.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { isClusterScoped } from '../../src/sources/kubernetes/resource-scope.js';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere, manifestsOutsideCharts } from './check-runner.js';

const GOAT = join(REPO_ROOT, '../shared/data/iac/kubernetes-goat');
const EXAMPLES = join(REPO_ROOT, '../shared/data/iac/kubernetes-examples');
const SCENARIOS = join(GOAT, 'scenarios');
/** A privileged Deployment and its Service, neither naming a namespace. */
const HEALTH_CHECK = join(SCENARIOS, 'health-check/deployment.yaml');
/** A privileged Deployment that writes `namespace: default`. */
const SYSTEM_MONITOR = join(SCENARIOS, 'system-monitor/deployment.yaml');

/** Denies privileged containers in the `prod` namespace only. */
async function prodPolicy(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'palisade-ns-policy-')), 'policy.yaml');
  await writeFile(
    file,
    [
      'assignments:',
      '  - id: prod',
      '    benchmark: palisade',
      '    mode: disabled',
      '    rules: { kubernetes-pod-no-privileged-containers: deny }',
      '    scope: { namespaces: [prod] }',
      '',
    ].join('\n'),
  );
  return file;
}

/** Denies objects in the default namespace, wherever they are. */
async function defaultNamespacePolicy(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'palisade-ns-policy-')), 'policy.yaml');
  await writeFile(
    file,
    [
      'assignments:',
      '  - id: namespaces',
      '    benchmark: palisade',
      '    mode: disabled',
      '    rules: { kubernetes-resource-not-in-default-namespace: deny }',
      '',
    ].join('\n'),
  );
  return file;
}

interface Report {
  deny: { ruleId: string; resourceId: string }[];
  notJudged: { ruleId: string; resourceId: string; unknown: string }[];
}

/** `file Kind name` of a manifest object (name empty when it has none). */
function objectKey(file: string, object: { kind?: unknown; metadata?: any }): string {
  return `${file} ${String(object.kind)} ${object.metadata?.name ?? ''}`;
}

/**
 * Every namespaced object in `files` whose manifest names no namespace, found by parsing the
 * files here, apart from the reader.
 */
async function writtenWithoutNamespace(files: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'), { version: '1.1' })) {
      const value = doc.toJS() as { kind?: string; items?: unknown[] } | null;
      const objects = value?.kind?.endsWith('List') ? (value.items ?? []) : [value];
      for (const object of objects as ({ kind?: unknown; metadata?: any } | null)[]) {
        if (typeof object?.kind !== 'string' || isClusterScoped(object.kind)) continue;
        const namespace = object.metadata?.namespace;
        if (typeof namespace !== 'string' || namespace === '') found.push(objectKey(file, object));
      }
    }
  }
  return found.sort();
}

describe('palisade check --namespace', () => {
  it('warns that objects naming no namespace are judged as in default', async () => {
    const run = await checkHere([HEALTH_CHECK], { policy: [await prodPolicy()] });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: 2 Kubernetes objects name no namespace and are judged as in "default", while assignments prod scope namespaces; give --namespace NS/,
    );
  });

  it('places them in the namespace given, where the assignment denies', async () => {
    const run = await checkHere([HEALTH_CHECK, SYSTEM_MONITOR], {
      policy: [await prodPolicy()],
      namespace: 'prod',
      format: 'json',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/name no namespace/);
    const report = JSON.parse(run.report) as Report;
    // The object that writes `namespace: default` stays there, outside the assignment.
    expect(report.deny.map((d) => d.resourceId)).toEqual([
      'prod/Deployment/health-check-deployment',
    ]);
  });

  it('places manifests piped in from stdin', async () => {
    const run = runPalisade(
      ['check', '-', '--namespace', 'prod', '--policy', await prodPolicy(), '--format', 'json'],
      await readFile(HEALTH_CHECK, 'utf8'),
    );
    expect(run.code, run.stderr).toBe(1);
    expect((JSON.parse(run.stdout) as Report).deny[0].resourceId).toBe(
      'prod/Deployment/health-check-deployment',
    );
  });

  it('places exactly the objects whose manifests name no namespace, across the shared manifests', async () => {
    const files = [...manifestsOutsideCharts(GOAT), ...manifestsOutsideCharts(EXAMPLES)];
    const { resources } = await readPaths(files);
    const unplaced = objectsWithoutNamespace(resources);
    const expected = await writtenWithoutNamespace(files);
    expect(expected.length).toBeGreaterThan(20);
    const keys = unplaced.map((r) => objectKey(resolve(r.source.file!), r.properties)).sort();
    expect(keys).toEqual(expected);
    expect(unplaced.every((r) => r.id.startsWith('default/'))).toBe(true);

    placeInNamespace(unplaced, 'prod');
    for (const r of unplaced) {
      expect(r.id).toMatch(/^prod\//);
      expect((r.properties.metadata as { namespace?: string }).namespace).toBe('prod');
      expect(r.unknown).toBeUndefined();
    }
    expect(objectsWithoutNamespace(resources)).toEqual([]);
  });

  it('places objects without reading their manifests again', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'palisade-ns-gone-')), 'deployment.yaml');
    await copyFile(HEALTH_CHECK, file);
    const { resources } = await readPaths([file]);
    await rm(file);

    const unplaced = objectsWithoutNamespace(resources);
    placeInNamespace(unplaced, 'prod');
    expect(resources.map((r) => r.id)).toEqual([
      'prod/Deployment/health-check-deployment',
      'prod/Service/health-check-service',
    ]);
  });

  it('leaves the default-namespace rule unjudged where no namespace is given', async () => {
    const policy = await defaultNamespacePolicy();
    const paths = [HEALTH_CHECK, SYSTEM_MONITOR];
    const denied = (report: Report) => report.deny.map((d) => d.resourceId).sort();

    // Without --namespace only the object that writes `namespace: default` is known to be there.
    const unplaced = await checkHere(paths, { policy: [policy], format: 'json' });
    const report = JSON.parse(unplaced.report) as Report;
    expect(denied(report)).toEqual([
      'default/Deployment/system-monitor-deployment',
      'default/Secret/goatvault',
      'default/Service/system-monitor-service',
    ]);
    expect(report.notJudged.map((d) => [d.resourceId, d.unknown])).toEqual([
      ['default/Deployment/health-check-deployment', 'metadata.namespace'],
      ['default/Service/health-check-service', 'metadata.namespace'],
    ]);

    // Applied with -n default, they are there too; with -n prod, they are not.
    const inDefault = await checkHere(paths, {
      policy: [policy],
      format: 'json',
      namespace: 'default',
    });
    expect(denied(JSON.parse(inDefault.report) as Report)).toEqual([
      'default/Deployment/health-check-deployment',
      'default/Deployment/system-monitor-deployment',
      'default/Secret/goatvault',
      'default/Service/health-check-service',
      'default/Service/system-monitor-service',
    ]);
    const inProd = await checkHere(paths, { policy: [policy], format: 'json', namespace: 'prod' });
    const prodReport = JSON.parse(inProd.report) as Report;
    expect(denied(prodReport)).toEqual(denied(report));
    expect(prodReport.notJudged).toEqual([]);
  });

  it('refuses a name that is not a namespace (exit 2)', async () => {
    const run = await checkHere([HEALTH_CHECK], { namespace: 'Prod_1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--namespace Prod_1: not a namespace name/);
  });
});
