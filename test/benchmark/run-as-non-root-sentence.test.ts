/**
 * kubernetes-pod-run-as-non-root says what the manifest gets wrong, in its own terms: a pod with
 * `runAsUser: 1000` and no `runAsNonRoot` is not said to run as root.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const compiled = compileRules((await loadRules()).filter((r) => r.cloud === 'kubernetes'));

async function findings(path: string, ruleId: string): Promise<Finding[]> {
  const { resources } = await readPaths([path]);
  return evaluate(compiled, resources).filter((f) => f.ruleId === ruleId);
}

function manifest(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-k8s-sentences-')), 'pod.yaml');
  writeFileSync(file, text);
  return file;
}

describe('kubernetes-pod-run-as-non-root', () => {
  it('names the missing runAsNonRoot for a pod that runs as user 1000, without claiming root', async () => {
    const file = manifest(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: { name: uid1000, namespace: prod }',
        'spec:',
        '  securityContext: { runAsUser: 1000 }',
        '  containers: [{ name: c, image: nginx:1.25 }]',
        '',
      ].join('\n'),
    );
    const [finding] = await findings(file, 'kubernetes-pod-run-as-non-root');
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('"c: runAsNonRoot is not set"');
    expect(finding.message).not.toMatch(/as root/);
  });

  it('says a container runs as root only where runAsUser is 0', async () => {
    const goat = shared('iac/kubernetes-goat/scenarios/docker-bench-security/deployment.yaml');
    const [finding] = await findings(goat, 'kubernetes-pod-run-as-non-root');
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('"docker-bench: runAsUser is 0 (root)"');
  });
});
