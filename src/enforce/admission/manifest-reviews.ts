/**
 * AdmissionReview requests built from manifest files, as the API server would send them when the
 * manifests are applied: one CREATE review per object, in the namespace the object lands in.
 * Tests and the admission benchmark replay real manifests through the webhook with them.
 */

import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Resource } from '../../model/resource.js';
import { readKubernetesManifest } from '../../sources/kubernetes/manifest-reader.js';
import { ADMISSION_API_VERSION } from './admission-review.js';
import { pluralOf } from './webhook-manifest.js';

/** One review and the manifest object it came from. */
export interface ManifestReview {
  file: string;
  line: number;
  /** `Kind/name` of the object. */
  object: string;
  review: {
    apiVersion: typeof ADMISSION_API_VERSION;
    kind: 'AdmissionReview';
    request: Record<string, unknown>;
  };
}

/**
 * Every YAML or JSON file below `dir`, in name order, folder by folder: the manifests a replay
 * sends through the webhook.
 *
 * ```ts
 * for (const file of manifestFilesUnder('../shared/data/iac/kubernetes-goat')) ...
 * ```
 */
export function manifestFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return manifestFilesUnder(path);
      return /\.(ya?ml|json)$/i.test(name) ? [path] : [];
    });
}

/** The review the API server sends for creating `resource`. */
export function createReview(
  resource: Resource,
  uid: string,
  user = 'kubernetes-admin',
): ManifestReview['review'] {
  const object = resource.properties as { apiVersion: string; kind: string };
  const parts = object.apiVersion.split('/');
  const group = parts.length === 2 ? parts[0] : '';
  const version = parts[parts.length - 1];
  const namespace = resource.id.startsWith('_cluster/') ? undefined : resource.id.split('/')[0];
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: pluralOf(object.kind) },
      requestKind: { group, version, kind: object.kind },
      name: resource.name,
      ...(namespace ? { namespace } : {}),
      operation: 'CREATE',
      userInfo: { username: user, groups: ['system:masters', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

/**
 * Reviews for every object of `file`; a file the reader refuses (a Helm template) throws its
 * `SourceReadError`.
 */
export async function manifestReviews(
  file: string,
  uidPrefix = 'review',
): Promise<ManifestReview[]> {
  const text = await readFile(file, 'utf8');
  const { resources } = readKubernetesManifest({ path: file, text });
  return resources.map((resource, i) => ({
    file,
    line: resource.source.line ?? 1,
    object: `${(resource.properties as { kind: string }).kind}/${resource.name}`,
    review: createReview(resource, `${uidPrefix}-${i}`),
  }));
}
