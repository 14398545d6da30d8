import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import type { Resource } from '../../../src/model/resource.js';
import { kubernetesManifestReader as reader } from '../../../src/sources/kubernetes/index.js';
import { kubernetesReaders } from '../../../src/sources/kubernetes/index.js';
import { namespaceLeftToApply } from '../../../src/sources/kubernetes/to-resource.js';
import { aliasBombLines, EXAMPLES, GOAT, sharedFile, sharedFiles } from './shared-data.js';

async function read(path: string): Promise<Resource[]> {
  return (await reader.read(sharedFile(path))).resources;
}

function byId(resources: Resource[], id: string): Resource {
  const found = resources.find((r) => r.id === id);
  if (!found) throw new Error(`no ${id} in ${resources.map((r) => r.id).join(', ')}`);
  return found;
}

async function readError(path: string): Promise<SourceReadError> {
  try {
    await reader.read(sharedFile(path));
  } catch (err) {
    if (err instanceof SourceReadError) return err;
    throw err;
  }
  throw new Error(`${path} was read without error`);
}

/** Files in the shared sets that are not Kubernetes objects at all (Helm chart metadata, configs). */
const NOT_MANIFESTS = new Set([
  'iac/kubernetes-goat/infrastructure/helm-tiller/pwnchart/Chart.yaml',
  'iac/kubernetes-goat/infrastructure/helm-tiller/pwnchart/values.yaml',
  'iac/kubernetes-goat/infrastructure/poor-registry/config.yml',
  'iac/kubernetes-goat/scenarios/metadata-db/Chart.yaml',
  'iac/kubernetes-goat/scenarios/metadata-db/values.yaml',
]);

const HELM_TEMPLATES = new Set([
  'iac/kubernetes-goat/scenarios/metadata-db/templates/deployment.yaml',
  'iac/kubernetes-goat/scenarios/metadata-db/templates/ingress.yaml',
  'iac/kubernetes-goat/scenarios/metadata-db/templates/tests/test-connection.yaml',
]);

describe('kubernetes manifest reader on shared manifests', () => {
  const files = [...sharedFiles(GOAT), ...sharedFiles(EXAMPLES)];

  it('is registered as the kubernetes reader', () => {
    expect(kubernetesReaders.map((r) => r.kind)).toEqual(['kubernetes']);
  });

  it.each(files)('reads %s, or refuses it as a Helm template', async (path) => {
    const file = sharedFile(path);
    if (NOT_MANIFESTS.has(path)) {
      expect(reader.detect(file)).toBe(false);
      return;
    }
    expect(reader.detect(file)).toBe(true);
    if (HELM_TEMPLATES.has(path)) {
      const err = await readError(path);
      expect(err.code).toBe('UNSUPPORTED_TEMPLATE');
      expect(err.message).toMatch(/Helm template.*helm template/);
      return;
    }
    const resources = await read(path);
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) {
      expect(r.cloud).toBe('kubernetes');
      expect(r.type).toBe(`${r.properties.apiVersion}/${r.properties.kind}`);
      expect(r.source.file).toBe(file.path);
      expect(file.text.split('\n')[r.source.line! - 1]).toMatch(/apiVersion|kind/);
    }
  });

  it('reads every document of the docker-bench DaemonSet with its pod spec as written', async () => {
    const [ds] = await read('iac/kubernetes-goat/scenarios/docker-bench-security/deployment.yaml');
    expect(ds.type).toBe('apps/v1/DaemonSet');
    expect(ds.id).toBe('default/DaemonSet/docker-bench-security');
    expect(ds.source.line).toBe(12);
    expect(ds.tags).toEqual({ name: 'docker-bench' });
    const spec = (ds.properties.spec as { template: { spec: Record<string, unknown> } }).template
      .spec;
    expect(spec.hostPID).toBe(true);
    expect(spec.volumes).toContainEqual({
      name: 'docker-sock-volume',
      hostPath: { path: '/var/run/docker.sock', type: 'DirectoryOrCreate' },
    });
  });

  it('keeps each document of a multi-document file on its own line and namespace', async () => {
    const resources = await read('iac/kubernetes-goat/scenarios/cache-store/deployment.yaml');
    expect(resources.map((r) => [r.id, r.source.line])).toEqual([
      ['_cluster/Namespace/secure-middleware', 1],
      ['secure-middleware/Service/cache-store-service', 6],
      ['secure-middleware/Deployment/cache-store-deployment', 19],
    ]);
  });

  it('puts namespaced objects without a namespace into default, cluster-scoped ones nowhere', async () => {
    const rbac = await read('iac/kubernetes-goat/scenarios/insecure-rbac/setup.yaml');
    const binding = byId(rbac, '_cluster/ClusterRoleBinding/superadmin');
    expect((binding.properties.metadata as Record<string, unknown>).namespace).toBeUndefined();
    expect(binding.unknown).toBeUndefined();
    expect(binding.relationships).toEqual([
      { kind: 'bindsRole', target: '_cluster/ClusterRole/cluster-admin' },
    ]);
    const [pod] = await read('iac/kubernetes-examples/databases/mysql-cinder-pd/mysql.yaml');
    expect(pod.id).toBe('default/Pod/mysql');
    expect(pod.source.address).toBe('default/Pod/mysql');
  });

  it('lists the namespace of an object whose manifest names none as unknown until apply', async () => {
    const [pod] = await read('iac/kubernetes-examples/databases/mysql-cinder-pd/mysql.yaml');
    expect((pod.properties.metadata as Record<string, unknown>).namespace).toBeUndefined();
    expect(pod.unknown).toEqual(['metadata.namespace']);
    expect(namespaceLeftToApply(pod)).toBe(true);

    // `namespace: default` written out is known.
    const monitor = await read('iac/kubernetes-goat/scenarios/system-monitor/deployment.yaml');
    const written = byId(monitor, 'default/Deployment/system-monitor-deployment');
    expect((written.properties.metadata as Record<string, unknown>).namespace).toBe('default');
    expect(written.unknown).toBeUndefined();
    expect(namespaceLeftToApply(written)).toBe(false);
  });

  it('reads an empty or null namespace as none, as the API server does', async () => {
    const text = ['""', 'null', '~'].map(
      (ns, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: ${ns}\n`,
    );
    const { resources } = await reader.read({ path: 'empty.yaml', text: text.join('---\n') });
    for (const r of resources) {
      expect(r.id).toMatch(/^default\/ConfigMap\/c\d$/);
      expect(r.properties.metadata).toEqual({ name: r.name });
      expect(r.unknown).toEqual(['metadata.namespace']);
    }
  });

  it('drops the namespace a cluster-scoped manifest writes, as the API server does, and names its line', async () => {
    const binding = [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRoleBinding',
      'metadata:',
      '  name: mallory-admin',
      '  namespace: monitoring',
      'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }',
    ].join('\n');
    const list = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: Namespace',
      '    metadata: { name: team, namespace: kube-system }',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: { name: settings, namespace: team }',
    ].join('\n');
    const { resources, warnings } = await reader.read({
      path: 'cluster.yaml',
      text: `${binding}\n---\n${list}\n`,
    });

    expect(resources.map((r) => r.id)).toEqual([
      '_cluster/ClusterRoleBinding/mallory-admin',
      '_cluster/Namespace/team',
      'team/ConfigMap/settings',
    ]);
    expect(resources[0].source.address).toBe('_cluster/ClusterRoleBinding/mallory-admin');
    expect(resources[0].properties.metadata).toEqual({ name: 'mallory-admin' });
    expect(resources[1].properties.metadata).toEqual({ name: 'team' });
    expect(resources[0].unknown).toBeUndefined();
    expect(warnings).toEqual([
      'cluster.yaml:5: metadata.namespace is ignored on cluster-scoped kind ClusterRoleBinding: ' +
        'mallory-admin is judged as cluster-wide, not in namespace monitoring; remove the namespace',
      'cluster.yaml:13: metadata.namespace is ignored on cluster-scoped kind Namespace: team is ' +
        'judged as cluster-wide, not in namespace kube-system; remove the namespace',
    ]);
  });

  it('reads a ClusterRole under a chart templates folder when it holds no templating', async () => {
    const [role] = await read(
      'iac/kubernetes-goat/infrastructure/helm-tiller/pwnchart/templates/clusterrole.yaml',
    );
    expect(role.type).toBe('rbac.authorization.k8s.io/v1/ClusterRole');
    expect(role.properties.rules).toEqual([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
  });

  it('reads a Kyverno policy whose quoted strings hold {{ }} outside any chart', async () => {
    const [policy] = await read(
      'iac/kubernetes-goat/scenarios/kyverno-namespace-exec-block/kyverno-block-pod-exec-by-namespace.yaml',
    );
    expect(policy.id).toBe('_cluster/ClusterPolicy/deny-exec-in-vault-namespace');
  });

  it('points the Helm error at the first template action', async () => {
    const err = await readError(
      'iac/kubernetes-goat/scenarios/metadata-db/templates/deployment.yaml',
    );
    expect(err.line).toBe(4);
    expect(err.file).toMatch(/metadata-db\/templates\/deployment\.yaml$/);
  });
});

describe('kubernetes manifest reader on written manifests', () => {
  const readText = async (text: string, path = '/tmp/manifest.yaml') =>
    (await reader.read({ path, text })).resources;

  it('expands a List into its items, each with its own line', async () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata: { name: a, namespace: team }',
      '# palisade:ignore kubernetes-pod-no-host-network needs the node network',
      '- apiVersion: v1',
      '  kind: ServiceAccount',
      '  metadata: { name: b }',
    ].join('\n');
    const resources = await readText(text);
    expect(resources.map((r) => [r.id, r.source.line])).toEqual([
      ['team/Pod/a', 4],
      ['default/ServiceAccount/b', 8],
    ]);
    expect(resources[0].suppressions).toBeUndefined();
    expect(resources[1].suppressions).toEqual([
      { ruleId: 'kubernetes-pod-no-host-network', reason: 'needs the node network' },
    ]);
  });

  it('reads kubectl JSON output (a PodList) with lines', async () => {
    const text = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'PodList',
        items: [
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' } },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop' } },
        ],
      },
      null,
      2,
    );
    const file = { path: '/tmp/pods.json', text };
    expect(reader.detect(file)).toBe(true);
    const resources = (await reader.read(file)).resources;
    expect(resources.map((r) => [r.id, r.source.line])).toEqual([
      ['shop/Pod/web', 5],
      ['shop/Pod/db', 13],
    ]);
  });

  it('takes suppressions from the annotation and from comments in the document', async () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  annotations:',
      '    palisade.io/ignore: "kubernetes-a, kubernetes-b: accepted by the platform team"',
      'spec:',
      '  template:',
      '    spec:',
      '      hostNetwork: true  # palisade:ignore kubernetes-c CNI pod',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: other }',
    ].join('\n');
    const [web, other] = await readText(text);
    expect(web.suppressions).toEqual([
      { ruleId: 'kubernetes-a', reason: 'accepted by the platform team' },
      { ruleId: 'kubernetes-b', reason: 'accepted by the platform team' },
      { ruleId: 'kubernetes-c', reason: 'CNI pod' },
    ]);
    expect(other.suppressions).toBeUndefined();
  });

  it('takes no suppression from a quoted value or a block scalar', async () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: scripts',
      '  labels: { note: "# palisade:ignore kubernetes-a in a string" }',
      'data:',
      '  run.sh: |',
      '    # palisade:ignore kubernetes-b a line of a script',
      '    echo hi',
      '  other: x # palisade:ignore kubernetes-c a real comment',
    ].join('\n');
    const [scripts] = await readText(text);
    expect(scripts.suppressions).toEqual([{ ruleId: 'kubernetes-c', reason: 'a real comment' }]);
  });

  it('reads an annotation of several lines, one reason a line', async () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: agent',
      '  annotations:',
      '    palisade.io/ignore: |',
      '      kubernetes-a: needs the host network',
      '      kubernetes-b, kubernetes-c: reviewed by the platform team',
    ].join('\n');
    const [pod] = await readText(text);
    expect(pod.suppressions).toEqual([
      { ruleId: 'kubernetes-a', reason: 'needs the host network' },
      { ruleId: 'kubernetes-b', reason: 'reviewed by the platform team' },
      { ruleId: 'kubernetes-c', reason: 'reviewed by the platform team' },
    ]);
  });

  it('reads YAML 1.1 booleans as the Kubernetes decoder does', async () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: yes\n';
    const [pod] = await readText(text);
    expect((pod.properties.spec as Record<string, unknown>).hostNetwork).toBe(true);
  });

  it('reports a YAML syntax error with its line', async () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n';
    await expect(readText(text)).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      line: 5,
      message: expect.stringMatching(/manifest\.yaml:5: invalid YAML: Map keys must be unique$/),
    });
  });

  it('reads a map of 100,000 keys in one pass: the unique-key check compares no pairs', async () => {
    // The yaml library's own check compared each key with every earlier one: minutes here.
    const keys = Array.from({ length: 100_000 }, (_, i) => `  k${i}: v${i}`).join('\n');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n${keys}\n`;
    const started = performance.now();
    const [map] = await readText(text);
    expect(Object.keys(map.properties.data as object)).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(30_000);
    await expect(readText(`${text}  k99999: again\n`)).rejects.toMatchObject({
      line: 100_005,
      message: expect.stringContaining('invalid YAML: Map keys must be unique'),
    });
  }, 60_000);

  it('refuses Go templating that breaks YAML outside a chart as a Helm template', async () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n';
    await expect(readText(text)).rejects.toMatchObject({ code: 'UNSUPPORTED_TEMPLATE' });
  });

  it('refuses an alias bomb instead of expanding it', async () => {
    const lines = aliasBombLines();
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  ${lines.join('\n  ')}\n`;
    const started = Date.now();
    await expect(readText(text)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects an object whose kind is not a string', async () => {
    const text = 'apiVersion: v1\nkind: [Pod]\nmetadata: {name: p}\n';
    await expect(readText(text)).rejects.toMatchObject({ code: 'INVALID_STRUCTURE', line: 1 });
  });

  it('leaves CloudFormation and ARM templates to their own readers', () => {
    const cfn = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  X:\n    Type: A\n';
    expect(reader.detect({ path: 'a.yaml', text: `${cfn}apiVersion: v1\nkind: X\n` })).toBe(false);
    const arm = JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [{ apiVersion: '2022-01-01', kind: 'StorageV2' }],
    });
    expect(reader.detect({ path: 'azuredeploy.json', text: arm })).toBe(false);
  });

  it('skips documents that are not Kubernetes objects with a warning', async () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\nfoo: bar\n';
    const result = await reader.read({ path: '/tmp/m.yaml', text });
    expect(result.resources.map((r) => r.id)).toEqual(['default/Pod/p']);
    expect(result.warnings).toEqual([
      '/tmp/m.yaml:5: document is not a Kubernetes object; skipped',
    ]);
  });
});
