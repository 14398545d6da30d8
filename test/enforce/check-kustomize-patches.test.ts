/**
 * Kustomize patches fail the gate closed, whether they sit in files of their own or are written
 * inline in the kustomization: the base as written is not what `kustomize build` applies, so a
 * patch that adds `hostNetwork: true` must not pass as a clean base. The summary names them as
 * Kustomize patches, not Helm templates.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHere } from './check-runner.js';

/** A Deployment that passes the policy below. */
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.2
`;

const POLICY = `initiatives:
  - id: host
    rules: [kubernetes-pod-no-host-network]
assignments:
  - { id: host-deny, initiative: host, mode: deny }
`;

const HOST_NETWORK_JSON = `- op: add
  path: /spec/template/spec/hostNetwork
  value: true`;

const HOST_NETWORK_MERGE = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      hostNetwork: true`;

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');

/** base/ with the clean Deployment, overlay/ with `kustomization` and `files`; the root. */
function project(kustomization: string, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'palisade-kustomize-check-'));
  mkdirSync(join(root, 'base'));
  writeFileSync(join(root, 'base', 'kustomization.yaml'), 'resources:\n  - deploy.yaml\n');
  writeFileSync(join(root, 'base', 'deploy.yaml'), DEPLOYMENT);
  mkdirSync(join(root, 'overlay'));
  writeFileSync(join(root, 'overlay', 'kustomization.yaml'), kustomization);
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(root, 'overlay', name), text);
  writeFileSync(join(root, 'policy.yaml'), POLICY);
  return root;
}

async function check(root: string) {
  return checkHere([join(root, 'base'), join(root, 'overlay')], {
    policy: [join(root, 'policy.yaml')],
  });
}

describe('palisade check over a Kustomize overlay', () => {
  it('passes the clean base on its own', async () => {
    const root = project('resources: [../base]\n');
    expect((await check(root)).code).toBe(0);
  });

  it('fails closed (exit 2) on each form of inline patch, naming the kustomization', async () => {
    const forms = {
      'patches[].patch': `patches:\n  - target: { kind: Deployment, name: web }\n    patch: |-\n${indent(HOST_NETWORK_JSON, '      ')}\n`,
      'patchesStrategicMerge inline': `patchesStrategicMerge:\n  - |-\n${indent(HOST_NETWORK_MERGE, '    ')}\n`,
      'patchesJson6902[].patch': `patchesJson6902:\n  - target: { group: apps, version: v1, kind: Deployment, name: web }\n    patch: |-\n${indent(HOST_NETWORK_JSON, '      ')}\n`,
    };
    const fields = ['patches.0.patch', 'patchesStrategicMerge.0', 'patchesJson6902.0.patch'];
    for (const [i, kustomization] of Object.values(forms).entries()) {
      const root = project(`resources: [../base]\n${kustomization}`);
      const run = await check(root);
      // Paths are shown as the scan shows them (relative to the working folder when near).
      const overlay = `\\S*${basename(root)}/overlay`;
      expect(run.code, Object.keys(forms)[i]).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(
          `palisade: UNSUPPORTED_TEMPLATE ${overlay}/kustomization\\.yaml:\\d+: Kustomize patch ` +
            `written inline \\(${fields[i].replace(/\./g, '\\.')} in ${overlay}/kustomization\\.yaml\\): ` +
            `changes objects only when \`kustomize build ${overlay}\` applies it`,
        ),
      );
      expect(run.stderr).toContain('palisade: 1 Kustomize patch could not be checked and fail');
      expect(run.stderr).not.toContain('Helm template');
    }
  });

  it('names patch files as Kustomize patches in the summary, not Helm templates', async () => {
    const root = project(
      'resources: [../base]\npatches:\n  - path: host.yaml\npatchesStrategicMerge:\n  - merge.yaml\n',
      { 'host.yaml': HOST_NETWORK_MERGE, 'merge.yaml': HOST_NETWORK_MERGE },
    );
    const run = await check(root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('palisade: 2 Kustomize patches could not be checked and fail');
    expect(run.stderr).not.toContain('Helm template');
  });

  it('reads a kustomization that names its patches by file as before', async () => {
    const root = project('resources: [../base]\npatchesStrategicMerge:\n  - merge.yaml\n', {
      'merge.yaml': HOST_NETWORK_MERGE,
    });
    const run = await check(root);
    expect(run.stderr).not.toContain('written inline');
    expect(run.stderr).toContain('palisade: 1 Kustomize patch could not be checked');
  });
});
