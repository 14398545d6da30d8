/**
 * Kubernetes binding rules read the system: names for who they stand for: the groups of anyone,
 * every signed-in user or every service account are never control-plane identities, and the
 * bindings the API server creates itself are not failed for what they must hold.
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT } from '../support/paths.js';

const BINDINGS = resolve(REPO_ROOT, 'test/fixtures/kubernetes/rbac-bindings.yaml');
const compiled = compileRules((await loadRules()).filter((r) => r.cloud === 'kubernetes'));
const { resources } = await readPaths([BINDINGS]);
const all = evaluate(compiled, resources);

function finding(ruleId: string, name: string): Finding {
  const found = all.filter((f) => f.ruleId === ruleId && f.resourceName === name);
  expect(found, `${ruleId} on ${name}`).toHaveLength(1);
  return found[0];
}

describe('kubernetes-rbac-no-cluster-admin-binding', () => {
  const rule = 'kubernetes-rbac-no-cluster-admin-binding';

  it('fails cluster-admin bound to anyone without signing in, naming both subjects', () => {
    const f = finding(rule, 'anonymous-admin');
    expect(f.status).toBe('fail');
    expect(f.message).toContain('Group system:unauthenticated (anyone, without signing in)');
    expect(f.message).toContain('User system:anonymous (anyone, without signing in)');
  });

  it('names the system:authenticated group beside the service account it also binds', () => {
    const f = finding(rule, 'authenticated-admin');
    expect(f.status).toBe('fail');
    expect(f.message).toContain('ServiceAccount ci/deployer');
    expect(f.message).toContain('Group system:authenticated (every signed-in user)');
  });

  it('fails cluster-admin bound to every service account, or every one of a namespace', () => {
    expect(finding(rule, 'serviceaccounts-admin').message).toContain(
      'Group system:serviceaccounts (every service account)',
    );
    const ci = finding(rule, 'ci-serviceaccounts-admin');
    expect(ci.status).toBe('fail');
    expect(ci.message).toContain(
      'Group system:serviceaccounts:ci (every service account in namespace ci)',
    );
  });

  it('fails a service account written as a system: user', () => {
    const f = finding(rule, 'serviceaccount-user-admin');
    expect(f.status).toBe('fail');
    expect(f.message).toContain('User system:serviceaccount:ci:deployer');
  });

  it('fails cluster-admin bound to the nodes: a node compromise would be a cluster compromise', () => {
    const nodes = finding(rule, 'nodes-admin');
    expect(nodes.status).toBe('fail');
    expect(nodes.message).toContain("Group system:nodes (every node's kubelet)");
    const one = finding(rule, 'node-user-admin');
    expect(one.status).toBe('fail');
    expect(one.message).toContain('User system:node:worker-1 (the kubelet of node worker-1)');
  });

  it('fails cluster-admin bound to the holders of node bootstrap tokens', () => {
    const f = finding(rule, 'bootstrappers-admin');
    expect(f.status).toBe('fail');
    expect(f.message).toContain(
      'Group system:bootstrappers:kubeadm:default-node-token (anyone holding a node bootstrap token)',
    );
  });

  it('passes control-plane identities: the default binding and component users', () => {
    expect(finding(rule, 'cluster-admin').status).toBe('pass');
    expect(finding(rule, 'controller-manager-admin').status).toBe('pass');
    expect(finding(rule, 'scheduler-admin').status).toBe('pass');
  });
});

describe('kubernetes-rbac-no-system-masters-binding', () => {
  const rule = 'kubernetes-rbac-no-system-masters-binding';

  it('does not judge the cluster-admin binding the API server creates and recreates', () => {
    expect(finding(rule, 'cluster-admin').status).toBe('not_applicable');
  });

  it('still fails a binding of its own that carries the bootstrap label', () => {
    expect(finding(rule, 'masters-admin').status).toBe('fail');
  });
});

describe('kubernetes-rbac-no-anonymous-binding', () => {
  const rule = 'kubernetes-rbac-no-anonymous-binding';

  it('fails any role granted to system:anonymous or system:unauthenticated, naming them', () => {
    const view = finding(rule, 'anonymous-view');
    expect(view.status).toBe('fail');
    expect(view.message).toContain('"User system:anonymous"');
    const admin = finding(rule, 'anonymous-admin');
    expect(admin.status).toBe('fail');
    expect(admin.message).toContain('"Group system:unauthenticated","User system:anonymous"');
  });

  it('leaves the default public-info-viewer binding alone, not a default kept from old releases', () => {
    expect(finding(rule, 'system:public-info-viewer').status).toBe('not_applicable');
    expect(finding(rule, 'system:discovery').status).toBe('fail');
  });

  it('passes bindings to signed-in callers only', () => {
    expect(finding(rule, 'authenticated-admin').status).toBe('pass');
    expect(finding(rule, 'cluster-admin').status).toBe('pass');
  });
});
