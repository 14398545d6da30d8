/**
 * kubernetes-allowed-registries reads each image as a container runtime does (registry host,
 * then repository path), so an allowed entry can be written the natural way and an attacker's
 * look-alike host or path is not let through.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere } from './check-runner.js';

const SHARED = join(REPO_ROOT, '../shared/data/iac');
/** `image: mysql`: Docker Hub's official image, written without a registry. */
const MYSQL = join(SHARED, 'kubernetes-examples/databases/mysql-cinder-pd/mysql.yaml');
/** `image: gcr.io/google-samples/cassandra:v14`. */
const CASSANDRA = join(
  SHARED,
  'kubernetes-examples/databases/cassandra/cassandra-statefulset.yaml',
);
/** `image: madhuakula/k8s-goat-health-check`: a Docker Hub user's image. */
const HEALTH_CHECK = join(SHARED, 'kubernetes-goat/scenarios/health-check/deployment.yaml');

async function gate(allowed: string[], paths: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-registry-refs-'));
  const policy = [
    'assignments:',
    '  - id: registries',
    '    benchmark: palisade',
    '    mode: disabled',
    '    rules: { kubernetes-allowed-registries: deny }',
    `    parameters: { allowed_registries: ${JSON.stringify(allowed)} }`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'policy.yaml'), policy);
  const run = await checkHere(paths, { format: 'json', policy: [join(dir, 'policy.yaml')] });
  const deny = (JSON.parse(run.report).deny as { ruleId: string; message: string }[]).filter(
    (d) => d.ruleId === 'kubernetes-allowed-registries',
  );
  return { code: run.code, denied: deny.map((d) => d.message) };
}

async function manifest(image: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-registry-image-'));
  const file = join(dir, 'pod.yaml');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: app, namespace: shop }',
      'spec:',
      `  containers: [{ name: app, image: ${JSON.stringify(image)} }]`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('kubernetes-allowed-registries image references', () => {
  it('allows an official Docker Hub image written without a registry when docker.io is allowed', async () => {
    expect(await gate(['docker.io'], [MYSQL])).toEqual({ code: 0, denied: [] });
    expect(await gate(['docker.io/library/'], [MYSQL])).toEqual({ code: 0, denied: [] });
    expect(await gate(['index.docker.io'], [MYSQL])).toEqual({ code: 0, denied: [] });
  });

  it('denies a Docker Hub image when only another registry is allowed', async () => {
    const run = await gate(['registry.example.com'], [MYSQL]);
    expect(run.code).toBe(1);
    expect(run.denied).toEqual([expect.stringContaining('["mysql"]')]);
  });

  it('matches a registry path prefix on whole components', async () => {
    expect((await gate(['docker.io/madhuakula'], [HEALTH_CHECK])).code).toBe(0);
    expect((await gate(['docker.io/madhu'], [HEALTH_CHECK])).code).toBe(1);
    expect((await gate(['gcr.io/google-samples/'], [CASSANDRA])).code).toBe(0);
    expect((await gate(['gcr.io/google'], [CASSANDRA])).code).toBe(1);
  });

  it('compares registry hosts without case but repository paths with it', async () => {
    expect((await gate(['GCR.IO/google-samples'], [CASSANDRA])).code).toBe(0);
    expect((await gate(['gcr.io/Google-samples'], [CASSANDRA])).code).toBe(1);
    const upper = await manifest('REGISTRY.EXAMPLE.COM/team/app:1');
    expect((await gate(['registry.example.com'], [upper])).code).toBe(0);
  });

  it('denies a host that only begins with an allowed registry name', async () => {
    const lookalike = await manifest('registry.example.com.attacker.io/x:1');
    const run = await gate(['registry.example.com'], [lookalike]);
    expect(run.code).toBe(1);
    expect(run.denied).toEqual([expect.stringContaining('registry.example.com.attacker.io/x:1')]);
  });

  it('denies a malformed reference that names an allowed registry', async () => {
    const userinfo = await manifest('registry.example.com@attacker.io/x:1');
    expect((await gate(['registry.example.com', 'docker.io'], [userinfo])).code).toBe(1);
  });

  it('reads a registry port, a tag and a digest without confusing them', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = await manifest(`host:5000/app:1.2@${digest}`);
    expect((await gate(['host:5000'], [pinned])).code).toBe(0);
    expect((await gate(['host:5000/app'], [pinned])).code).toBe(0);
    expect((await gate(['host'], [pinned])).code).toBe(1);
    expect((await gate(['host:500'], [pinned])).code).toBe(1);
  });
});
