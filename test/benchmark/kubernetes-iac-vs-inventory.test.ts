/**
 * One object, two forms: the manifest as written, and the object as `kubectl get -o json` returns
 * it from a cluster (server metadata, managed fields, status, and the API server's defaults).
 * Every Kubernetes rule for the object's type must reach the same verdict on both, except where a
 * stated API-server default changes the answer.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const GOAT = 'iac/kubernetes-goat/scenarios/';
const OBJECTS = [
  {
    file: `${GOAT}health-check/deployment.yaml`,
    type: 'apps/v1/Deployment',
    name: 'health-check-deployment',
  },
  {
    file: `${GOAT}system-monitor/deployment.yaml`,
    type: 'apps/v1/Deployment',
    name: 'system-monitor-deployment',
  },
  {
    file: `${GOAT}docker-bench-security/deployment.yaml`,
    type: 'apps/v1/DaemonSet',
    name: 'docker-bench-security',
  },
  {
    file: `${GOAT}insecure-rbac/setup.yaml`,
    type: 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    name: 'superadmin',
  },
  { file: `${GOAT}system-monitor/deployment.yaml`, type: 'v1/Secret', name: 'goatvault' },
  {
    file: `${GOAT}internal-proxy/deployment.yaml`,
    type: 'v1/Service',
    name: 'internal-proxy-info-app-service',
  },
];

/** Rules whose verdict may change because the API server fills in a default the manifest left out. */
const SERVER_DEFAULTS: Record<string, string> = {
  'kubernetes-container-image-pull-policy':
    'the API server sets imagePullPolicy (Always for :latest)',
  // A live Secret is read from the cluster, not from a repository: the manifest rule does not apply.
  'kubernetes-secret-not-committed-in-manifest': 'judges manifests only (applies_if on the source)',
};

function podDefaults(spec: Record<string, any>): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    const tag = /:([^/@]+)$/.exec(String(c.image))?.[1];
    c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
    c.resources ??= {};
  }
}

/** The object as a cluster returns it. */
function live(object: Record<string, any>): Record<string, any> {
  const o = structuredClone(object);
  o.metadata = {
    ...o.metadata,
    uid: '6f1c3c1e-2f0a-4b8e-9d0e-5b6a7c8d9e0f',
    resourceVersion: '48213',
    creationTimestamp: '2026-11-30T10:00:00Z',
    generation: 1,
    managedFields: [
      { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: o.apiVersion },
    ],
    annotations: {
      ...(o.metadata?.annotations ?? {}),
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(object),
    },
  };
  if (o.spec?.template?.spec) podDefaults(o.spec.template.spec);
  if (o.kind === 'Deployment') {
    o.spec.replicas ??= 1;
    o.spec.strategy ??= {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    };
    o.status = { replicas: o.spec.replicas, readyReplicas: o.spec.replicas, observedGeneration: 1 };
  }
  if (o.kind === 'DaemonSet') o.status = { desiredNumberScheduled: 3, numberReady: 3 };
  if (o.kind === 'Service') {
    o.spec.clusterIP ??= '10.96.12.34';
    o.spec.sessionAffinity ??= 'None';
    o.spec.type ??= 'ClusterIP';
  }
  if (o.kind === 'Secret') o.type ??= 'Opaque';
  return o;
}

const compiled = compileRules((await loadRules()).filter((r) => r.cloud === 'kubernetes'));

function verdicts(resource: Resource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of evaluate(compiled, [resource])) out[f.ruleId] = f.status;
  return out;
}

describe('Kubernetes rules judge a manifest and the live object alike', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-kubectl-'));

  for (const o of OBJECTS) {
    it(`${o.type} ${o.name}: manifest and kubectl get -o json agree`, async () => {
      const manifest = (await readPaths([shared(o.file)])).resources.find(
        (r) => r.type === o.type && r.name === o.name,
      );
      expect(manifest, `${o.name} in ${o.file}`).toBeDefined();
      const exported = join(dir, `${o.name}.json`);
      writeFileSync(
        exported,
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [live(manifest!.properties)] }),
      );
      const cluster = (await readPaths([exported])).resources.find(
        (r) => r.type === o.type && r.name === o.name,
      );
      expect(cluster).toBeDefined();

      const a = verdicts(manifest!);
      const b = verdicts(cluster!);
      expect(Object.keys(a).length).toBeGreaterThan(0);
      const differing = Object.keys(a).filter((id) => a[id] !== b[id]);
      expect(
        differing.filter((id) => !(id in SERVER_DEFAULTS)),
        JSON.stringify({ a, b }),
      ).toEqual([]);
    });
  }
});
