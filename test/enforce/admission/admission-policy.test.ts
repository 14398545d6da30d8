import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AdmissionPolicySource,
  PolicyRefreshError,
} from '../../../src/enforce/admission/admission-policy.js';
import { admissionWebhook } from '../../../src/enforce/admission/admission-webhook.js';
import { validateAssignment } from '../../../src/enforce/assignment-loader.js';
import { insertAssignment } from '../../../src/store/assignment-repository.js';
import { openStore } from '../../../src/store/database.js';
import {
  deleteExemption,
  exemptionSource,
  insertExemption,
} from '../../../src/store/exemption-repository.js';
import type { Database } from '../../../src/store/schema.js';

const HOST_NETWORK_DENY = validateAssignment({
  id: 'shop-host-network',
  title: 'No host network in shop',
  benchmark: 'palisade',
  scope: { namespaces: ['shop'] },
  mode: 'disabled',
  rules: { 'kubernetes-pod-no-host-network': 'deny' },
});

let uids = 0;
function hostNetworkPod() {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `policy-${++uids}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      name: 'web',
      namespace: 'shop',
      operation: 'CREATE',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        spec: { hostNetwork: true, containers: [{ name: 'a', image: 'nginx:1' }] },
      },
    },
  };
}

/** A policy source over `db` and `files` alone (no exempt namespaces, no extra rule folders). */
function openPolicy(
  options: Partial<Parameters<typeof AdmissionPolicySource.open>[0]>,
): Promise<AdmissionPolicySource> {
  return AdmissionPolicySource.open({
    files: [],
    ruleDirs: [],
    exemptNamespaces: [],
    refreshMs: 10_000,
    ...options,
  });
}

/** The webhook answering with `source`'s policy. */
function webhookOn(source: AdmissionPolicySource, failurePolicy: 'Fail' | 'Ignore' = 'Ignore') {
  return admissionWebhook({ policy: () => source.current(), failurePolicy, budgetMs: 5_000 });
}

describe('the admission policy read from the store', () => {
  let dir: string;
  let db: Kysely<Database>;
  let source: AdmissionPolicySource | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-policy-'));
    db = await openStore(join(dir, 'palisade.db'));
  });
  afterEach(async () => {
    source?.close();
    await db.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('judges the first request after an idle spell with the assignments made meanwhile', async () => {
    let clock = 1_000_000;
    source = await openPolicy({ db, now: () => clock });
    const answer = webhookOn(source, 'Ignore');
    expect((await answer(hostNetworkPod())).response.allowed).toBe(true);

    await insertAssignment(db, HOST_NETWORK_DENY, 'user:ada', new Date());
    clock += 10_000;
    const first = await answer(hostNetworkPod());
    expect(first.response.allowed).toBe(false);
    expect(first.response.status?.details?.causes.map((c) => c.reason)).toEqual([
      'kubernetes-pod-no-host-network',
    ]);
  });

  it('reads the store on a timer, so a review finds the policy fresh', async () => {
    source = await openPolicy({ db, refreshMs: 1_000 });
    await insertAssignment(db, HOST_NETWORK_DENY, 'user:ada', new Date());
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    // The timer's read (at one second) holds the assignment; no review needed the store since.
    await db.destroy();
    const policy = await source.current();
    expect(policy.assignments.map((a) => a.assignment.id)).toContain('shop-host-network');
  });

  it('enforces an API assignment that names a rule of the enforcement pack by id', async () => {
    const registries = validateAssignment({
      id: 'shop-registries',
      title: 'Images from our registry in shop',
      benchmark: 'palisade',
      scope: { namespaces: ['shop'] },
      mode: 'disabled',
      rules: { 'kubernetes-allowed-registries': 'deny' },
      parameters: { allowed_registries: ['registry.example.com/'] },
    });
    await insertAssignment(db, registries, 'user:ada', new Date());
    source = await openPolicy({ db });
    const answer = webhookOn(source, 'Ignore');
    const { response } = await answer(hostNetworkPod());
    expect(response.allowed).toBe(false);
    expect(response.status?.details?.causes).toEqual([
      { reason: 'kubernetes-allowed-registries', message: expect.stringContaining('nginx:1') },
    ]);
  });

  it('leaves a review to the failure policy when the store cannot be read once stale', async () => {
    let clock = 1_000_000;
    const failures: Error[] = [];
    source = await openPolicy({
      db,
      now: () => clock,
      onRefreshError: (error) => failures.push(error),
    });
    await db.destroy();
    clock += 10_000;
    await expect(source.current()).rejects.toThrow(PolicyRefreshError);
    expect(failures).toHaveLength(1);

    const answer = webhookOn(source, 'Fail');
    const { response } = await answer(hostNetworkPod());
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(
      /assignments and exemptions in the store could not be read/,
    );
  });

  it('judges with the exemptions file and the stored exemptions, the file first', async () => {
    let clock = 1_000_000;
    await insertAssignment(db, HOST_NETWORK_DENY, 'user:ada', new Date());
    const file = {
      rule: 'kubernetes-pod-no-host-pid',
      resource: '*',
      justification: 'from the file',
      category: 'waiver' as const,
      source: 'exemptions.yaml:2',
    };
    source = await openPolicy({ db, exemptions: [file], now: () => clock });
    const answer = webhookOn(source, 'Fail');
    expect((await answer(hostNetworkPod())).response.allowed).toBe(false);

    const made = await insertExemption(
      db,
      {
        rule: 'kubernetes-pod-no-host-network',
        resource: 'shop/Pod/web',
        justification: 'host network until the CNI moves',
        category: 'waiver',
        expires: null,
        created_by: 'user:ada',
      },
      new Date(),
    );
    clock += 10_000;
    const policy = await source.current();
    expect(policy.exemptions.map((e) => e.source)).toEqual([
      'exemptions.yaml:2',
      exemptionSource(made.id),
    ]);
    expect((await answer(hostNetworkPod())).response.allowed).toBe(true);

    await deleteExemption(db, made.id);
    clock += 10_000;
    expect((await answer(hostNetworkPod())).response.allowed).toBe(false);
    expect((await source.current()).exemptions.map((e) => e.source)).toEqual(['exemptions.yaml:2']);
  });
});

describe('the admission policy files', () => {
  it('enforce the rules of the enforcement pack without listing its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-policy-'));
    try {
      const file = join(dir, 'registries.yaml');
      writeFileSync(
        file,
        [
          'initiatives:',
          '  - { id: registries, rules: [kubernetes-allowed-registries] }',
          'assignments:',
          '  - id: registries',
          '    initiative: registries',
          '    mode: deny',
          '    parameters: { allowed_registries: [registry.example.com/] }',
          '',
        ].join('\n'),
      );
      const source = await openPolicy({ files: [file] });
      const answer = webhookOn(source, 'Ignore');
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        spec: {
          containers: [{ name: 'app', image: 'registry.example.com/web:1' }],
          ephemeralContainers: [{ name: 'debugger', image: 'docker.io/library/busybox:1.36' }],
        },
      };
      const review = hostNetworkPod();
      Object.assign(review.request, {
        operation: 'UPDATE',
        subResource: 'ephemeralcontainers',
        object: pod,
        oldObject: { ...pod, spec: { containers: pod.spec.containers } },
      });
      const { response } = await answer(review);
      expect(response.allowed).toBe(false);
      expect(response.status?.details?.causes).toEqual([
        { reason: 'kubernetes-allowed-registries', message: expect.stringContaining('busybox') },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
