/**
 * kubernetes-allowed-registries judges every image a pod can run: regular, init and ephemeral
 * containers (`kubectl debug`), in every workload kind that carries a pod template.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHere } from './check-runner.js';

const POLICY = [
  'initiatives:',
  '  - { id: registries, rules: [kubernetes-allowed-registries] }',
  'assignments:',
  '  - id: registries',
  '    initiative: registries',
  '    mode: deny',
  '    parameters: { allowed_registries: [registry.example.com/] }',
  '',
].join('\n');

const DEBUGGED_POD = `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: shop }
spec:
  containers:
    - { name: app, image: registry.example.com/web:1.0 }
  ephemeralContainers:
    - { name: debugger, image: docker.io/library/busybox:1.36, targetContainerName: app }
`;

const REPLICATION_CONTROLLER = `apiVersion: v1
kind: ReplicationController
metadata: { name: legacy, namespace: shop }
spec:
  replicas: 1
  selector: { app: legacy }
  template:
    metadata: { labels: { app: legacy } }
    spec:
      containers:
        - { name: app, image: docker.io/library/nginx:1.27 }
`;

async function gate(manifest: string) {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-registries-'));
  await writeFile(join(dir, 'policy.yaml'), POLICY);
  await writeFile(join(dir, 'manifest.yaml'), manifest);
  return checkHere([join(dir, 'manifest.yaml')], {
    format: 'json',
    policy: [join(dir, 'policy.yaml')],
  });
}

describe('kubernetes-allowed-registries', () => {
  it('denies an ephemeral container whose image comes from a registry not allowed', async () => {
    const run = await gate(DEBUGGED_POD);
    expect(run.code).toBe(1);
    const deny = JSON.parse(run.report).deny as { ruleId: string; message: string }[];
    expect(deny).toHaveLength(1);
    expect(deny[0].ruleId).toBe('kubernetes-allowed-registries');
    expect(deny[0].message).toContain('docker.io/library/busybox:1.36');
    expect(deny[0].message).not.toContain('registry.example.com/web');
  });

  it('judges the pod template of a ReplicationController', async () => {
    const run = await gate(REPLICATION_CONTROLLER);
    expect(run.code).toBe(1);
    const deny = JSON.parse(run.report).deny as { ruleId: string; message: string }[];
    expect(deny.map((d) => d.message)).toEqual([
      expect.stringContaining('docker.io/library/nginx:1.27'),
    ]);
  });

  it('allows a debugged pod whose images all come from allowed registries', async () => {
    const run = await gate(DEBUGGED_POD.replace('docker.io/library/', 'registry.example.com/'));
    expect(run.code).toBe(0);
  });
});
