/**
 * The role rules leave alone the roles Kubernetes creates in every cluster and restores at each
 * start, as `kubectl get clusterroles,roles -A -o json` lists them (default-roles.json, after
 * Kubernetes' bootstrap policy), and still judge roles of one's own that look like them
 * (lookalike-roles.json): the same rules under another name, the bootstrap label copied onto
 * another name, a default name without the label or outside its namespace, a default role with
 * autoupdate off.
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT } from '../support/paths.js';

const FIXTURES = resolve(REPO_ROOT, 'test/fixtures/kubernetes');
const compiled = compileRules((await loadRules()).filter((r) => r.cloud === 'kubernetes'));

async function findingsOf(file: string): Promise<Finding[]> {
  const { resources } = await readPaths([resolve(FIXTURES, file)]);
  return evaluate(compiled, resources);
}

const defaults = await findingsOf('default-roles.json');
const lookalikes = await findingsOf('lookalike-roles.json');

const ROLE_RULES = [
  'kubernetes-rbac-no-wildcard-verbs',
  'kubernetes-rbac-no-wildcard-resources',
  'kubernetes-rbac-limit-secrets-access',
  'kubernetes-rbac-no-escalate-bind-impersonate',
  'kubernetes-rbac-no-pod-exec',
  'kubernetes-rbac-limit-pod-create',
];

function statuses(findings: Finding[], name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of findings) {
    if (f.resourceName === name && ROLE_RULES.includes(f.ruleId)) out[f.ruleId] = f.status;
  }
  expect(Object.keys(out), `role rules on ${name}`).toHaveLength(ROLE_RULES.length);
  return out;
}

describe('Kubernetes default roles', () => {
  it('are not judged by the role rules: cluster-admin, admin, edit, view, system: roles', () => {
    const names = [...new Set(defaults.map((f) => f.resourceName))];
    expect(names).toHaveLength(11);
    for (const name of names) {
      const judged = Object.values(statuses(defaults, name));
      expect(judged, name).toEqual(ROLE_RULES.map(() => 'not_applicable'));
    }
  });

  it('says which rule does not apply to which role', () => {
    const f = defaults.find(
      (x) => x.ruleId === 'kubernetes-rbac-no-wildcard-verbs' && x.resourceName === 'cluster-admin',
    );
    expect(f?.message).toBe(
      'Roles grant no wildcard verbs does not apply to rbac.authorization.k8s.io/v1/ClusterRole cluster-admin.',
    );
  });

  it("still fails cluster-admin's rules under a name of one's own, with or without the label", () => {
    expect(statuses(lookalikes, 'platform-admin')['kubernetes-rbac-no-wildcard-verbs']).toBe(
      'fail',
    );
    const copy = statuses(lookalikes, 'cluster-admin-copy');
    expect(copy['kubernetes-rbac-no-wildcard-verbs']).toBe('fail');
    expect(copy['kubernetes-rbac-no-wildcard-resources']).toBe('fail');
    expect(copy['kubernetes-rbac-limit-secrets-access']).toBe('fail');
    expect(copy['kubernetes-rbac-no-escalate-bind-impersonate']).toBe('fail');
  });

  it('still fails a labelled system:controller: role that Kubernetes does not create', () => {
    const own = statuses(lookalikes, 'system:controller:backup-operator');
    expect(own['kubernetes-rbac-no-wildcard-resources']).toBe('fail');
    expect(own['kubernetes-rbac-limit-secrets-access']).toBe('fail');
  });

  it('judges a role with a default name but without the bootstrap label', () => {
    const node = statuses(lookalikes, 'system:node');
    expect(node['kubernetes-rbac-limit-secrets-access']).toBe('fail');
  });

  it('judges a default role whose autoupdate is off: its rules are the operator’s', () => {
    const edit = statuses(lookalikes, 'edit');
    expect(edit['kubernetes-rbac-limit-secrets-access']).toBe('fail');
    expect(edit['kubernetes-rbac-no-pod-exec']).toBe('fail');
    expect(edit['kubernetes-rbac-no-escalate-bind-impersonate']).toBe('fail');
  });

  it('judges a default Role name with the label outside kube-system and kube-public', () => {
    const signer = statuses(lookalikes, 'system:controller:bootstrap-signer');
    expect(signer['kubernetes-rbac-limit-secrets-access']).toBe('fail');
  });
});
