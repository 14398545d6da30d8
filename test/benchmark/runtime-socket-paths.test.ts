/**
 * kubernetes-pod-no-container-runtime-socket reads a hostPath as the node resolves it: a socket or
 * the node's root written with `//`, `/./`, `..`, a trailing `/`, or reached through
 * `/proc/<pid>/root` is still the socket or the root (a new-user trial mounted `/./` and
 * `/proc/1/root` past it).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { normalHostPath } from '../../src/posture/cel-functions.js';
import { loadRules } from '../../src/posture/rule-loader.js';

const RULE = 'kubernetes-pod-no-container-runtime-socket';
const rules = (await loadRules()).filter((r) => r.id === RULE);
const dir = mkdtempSync(join(tmpdir(), 'palisade-runtime-socket-'));

async function verdict(path: string): Promise<string | undefined> {
  const file = join(dir, `pod-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Pod
metadata:
  name: probe
  namespace: ci
spec:
  containers:
    - name: c
      image: alpine:3.20
  volumes:
    - name: host
      hostPath:
        path: ${JSON.stringify(path)}
`,
  );
  const a = await assess({ paths: [file], rules });
  return a.findings.find((f) => f.ruleId === RULE)?.status;
}

describe('normalHostPath', () => {
  it.each([
    ['/var/./run//docker.sock/', '/var/run/docker.sock'],
    ['/./', '/'],
    ['//', '/'],
    ['/proc/1/root', '/'],
    ['/proc/self/root/run/containerd/containerd.sock', '/run/containerd/containerd.sock'],
    ['/proc/1/rootfs', '/proc/1/rootfs'],
    ['/var/lib/../run', '/var/run'],
    ['/data/logs/', '/data/logs'],
  ])('%s is %s', (path, normal) => expect(normalHostPath(path)).toBe(normal));
});

describe(RULE, () => {
  it.each([
    '/./',
    '//',
    '/proc/1/root',
    '/proc',
    '/var/./run//docker.sock/',
    '/var/lib/../run/',
    '/proc/self/root/var/run/crio/crio.sock',
  ])('fails a pod mounting %s', async (path) => {
    expect(await verdict(path)).toBe('fail');
  });

  it.each(['/data/logs', '/var/log/', '/proc/1/rootfs', '/etc/ssl/certs'])(
    'passes a pod mounting %s',
    async (path) => {
      expect(await verdict(path)).toBe('pass');
    },
  );
});
