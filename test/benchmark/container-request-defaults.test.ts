/**
 * The CPU and memory request rules pass a container that sets only a limit: Kubernetes then
 * defaults the request to the limit. A container with neither still fails.
 */

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

describe('container request rules', () => {
  it('passes a container with a CPU limit and no request (the request defaults to the limit)', async () => {
    const mysql = shared('iac/kubernetes-examples/databases/mysql-cinder-pd/mysql.yaml');
    const [finding] = await findings(mysql, 'kubernetes-container-cpu-requests');
    expect(finding.status).toBe('pass');
  });

  it('passes a memory limit alone and fails a container with neither request nor limit', async () => {
    const goat = shared('iac/kubernetes-goat/scenarios/poor-registry/deployment.yaml');
    const nginx = shared('iac/kubernetes-examples/_archived/https-nginx/nginx-app.yaml');
    const [limited] = await findings(goat, 'kubernetes-container-memory-requests');
    expect(limited.status).toBe('pass');
    const bare = await findings(nginx, 'kubernetes-container-memory-requests');
    expect(bare.map((f) => f.status)).toEqual(['fail']);
    expect(bare[0].message).toContain('neither a memory request nor a memory limit');
  });
});
