/**
 * Kustomize patches are fragments of objects until `kustomize build` merges them: they are
 * listed as not assessed with the reason, as Helm templates are, instead of failing every rule.
 */

import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';

/** Every path `statSync` is asked about, in order (the real `statSync` answers). */
const stats = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const statSync = ((path: string, ...rest: []) => {
    stats.push(String(path));
    return fs.statSync(path, ...rest);
  }) as typeof fs.statSync;
  return { ...fs, statSync, default: { ...fs, statSync } };
});

/** The kustomization file names the reader looked for during `read`. */
async function kustomizationLookups(read: () => Promise<unknown>): Promise<string[]> {
  stats.length = 0;
  await read();
  return stats.filter((path) => /\/(kustomization\.ya?ml|Kustomization)$/.test(path));
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.2
`;
const REPLICAS = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
`;

function overlay(kustomization: string, patches: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'palisade-kustomize-'));
  mkdirSync(join(root, 'base'));
  writeFileSync(join(root, 'base', 'kustomization.yaml'), 'resources:\n  - deploy.yaml\n');
  writeFileSync(join(root, 'base', 'deploy.yaml'), DEPLOYMENT);
  mkdirSync(join(root, 'overlay', 'patches'), { recursive: true });
  writeFileSync(join(root, 'overlay', 'kustomization.yaml'), kustomization);
  for (const [name, text] of Object.entries(patches))
    writeFileSync(join(root, 'overlay', name), text);
  return root;
}

describe('Kustomize patches', () => {
  it('lists each patch form as not assessed, and reads the base it patches', async () => {
    const root = overlay(
      `resources: [../base]
namespace: prod
patches:
  - path: patches/replicas.yaml
patchesStrategicMerge:
  - strategic.yaml
patchesJson6902:
  - target: { kind: Deployment, name: web }
    path: json.yaml
`,
      {
        'patches/replicas.yaml': REPLICAS,
        'strategic.yaml': REPLICAS,
        'json.yaml': REPLICAS,
        'not-listed.yaml': DEPLOYMENT,
      },
    );
    const { resources, files } = await readPaths([root]);
    const refused = files.filter((f) => f.error?.code === 'UNSUPPORTED_TEMPLATE');
    const inRoot = (file: string) => file.split(`${basename(root)}/`)[1];
    expect(refused.map((f) => inRoot(f.file)).sort()).toEqual([
      'overlay/json.yaml',
      'overlay/patches/replicas.yaml',
      'overlay/strategic.yaml',
    ]);
    expect(refused[0].error?.message).toMatch(
      /Kustomize patch \(listed in .*overlay\/kustomization\.yaml\): a fragment of an object until `kustomize build .*overlay` merges it/,
    );
    // The base, and a file no kustomization lists as a patch, are objects as written.
    const read = resources.map((r) => inRoot(r.source.file!)).sort();
    expect(read).toEqual(['base/deploy.yaml', 'overlay/not-listed.yaml']);
  });

  it('reads no kustomization the source may not read, and judges the file as written', async () => {
    const root = overlay('patches:\n  - path: replicas.yaml\n', { 'replicas.yaml': REPLICAS });
    const patch = join(root, 'overlay', 'replicas.yaml');
    expect((await readPaths([patch])).resources).toHaveLength(0);
    const kustomization = realpathSync(join(root, 'overlay', 'kustomization.yaml'));
    const contained = await readPaths([patch], { allow: (real) => real !== kustomization });
    expect(contained.resources).toHaveLength(1);
  });

  it('looks each folder up once a scan, however many manifests it holds', async () => {
    const root = mkdtempSync(join(tmpdir(), 'palisade-kustomize-many-'));
    const app = join(root, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'kustomization.yaml'), 'patches:\n  - path: replicas.yaml\n');
    writeFileSync(join(app, 'replicas.yaml'), REPLICAS);
    for (let i = 0; i < 40; i += 1) {
      writeFileSync(join(app, `web-${i}.yaml`), DEPLOYMENT.replace('name: web', `name: web-${i}`));
    }

    let scan = await readPaths([app]);
    const looked = await kustomizationLookups(async () => {
      scan = await readPaths([app]);
    });
    // Four folders up from the manifests, three names each at most: not once per manifest.
    expect(looked.filter((path) => path === join(app, 'kustomization.yaml'))).toHaveLength(1);
    expect(looked.length).toBeLessThanOrEqual(4 * 3);
    expect(new Set(looked).size).toBe(looked.length);
    expect(scan.resources).toHaveLength(40);
    expect(scan.files.filter((f) => f.error?.code === 'UNSUPPORTED_TEMPLATE')).toHaveLength(1);
  });

  it('sees a kustomization edited between two scans', async () => {
    const root = overlay('patches:\n  - path: replicas.yaml\n', { 'replicas.yaml': REPLICAS });
    const patch = join(root, 'overlay', 'replicas.yaml');
    expect((await readPaths([patch])).resources).toHaveLength(0);

    writeFileSync(join(root, 'overlay', 'kustomization.yaml'), 'resources: [replicas.yaml]\n');
    expect((await readPaths([patch])).resources).toHaveLength(1);
  });
});
