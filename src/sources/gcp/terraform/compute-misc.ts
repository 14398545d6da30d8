/** google_compute_disk, _ssl_policy and _project_metadata(_item) in the Compute API's shape. */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { caiIdIfKnown, tfResource } from './tf-resource.js';
import { block, compact, knownStr, metadataItems, num, str, strList } from './values.js';

export function translateDisk(b: TerraformBlock): Resource {
  const a = b.attributes;
  const key = block(a, 'disk_encryption_key');
  const encryption = key
    ? compact({
        rawKey: key.raw_key !== undefined ? '[customer-supplied]' : undefined,
        rsaEncryptedKey: key.rsa_encrypted_key !== undefined ? '[customer-supplied]' : undefined,
        kmsKeyName: str(key.kms_key_self_link),
      })
    : undefined;
  return tfResource(b, {
    type: 'compute.googleapis.com/Disk',
    caiId: caiIdIfKnown(
      'compute',
      [a.project, a.zone, a.name],
      ([p, z, n]) => `projects/${p}/zones/${z}/disks/${n}`,
    ),
    name: a.name,
    account: a.project,
    region: a.zone,
    properties: compact({
      name: str(a.name),
      zone: str(a.zone),
      sizeGb: str(num(a.size)),
      type: str(a.type) ?? 'pd-standard',
      sourceImage: str(a.image),
      sourceSnapshot: str(a.snapshot),
      labels: a.labels,
      diskEncryptionKey: encryption && Object.keys(encryption).length > 0 ? encryption : undefined,
    }),
  });
}

export function translateSslPolicy(b: TerraformBlock): Resource {
  const a = b.attributes;
  return tfResource(b, {
    type: 'compute.googleapis.com/SslPolicy',
    caiId: caiIdIfKnown(
      'compute',
      [a.project, a.name],
      ([p, n]) => `projects/${p}/global/sslPolicies/${n}`,
    ),
    name: a.name,
    account: a.project,
    properties: compact({
      name: str(a.name),
      profile: str(a.profile) ?? 'COMPATIBLE',
      minTlsVersion: str(a.min_tls_version) ?? 'TLS_1_0',
      customFeatures: strList(a.custom_features),
    }),
  });
}

/**
 * google_compute_project_metadata and _metadata_item: the project's common instance metadata,
 * one `compute.googleapis.com/Project` resource per project value.
 */
export function translateProjectMetadata(ctx: TranslationContext): Resource[] {
  const types = ['google_compute_project_metadata', 'google_compute_project_metadata_item'];
  const blocks = ctx.blocks.filter((b) => b.mode === 'managed' && types.includes(b.type));
  const byProject = new Map<string, TerraformBlock[]>();
  for (const b of blocks) {
    const key = knownStr(b.attributes.project) ?? '';
    byProject.set(key, [...(byProject.get(key) ?? []), b]);
  }
  return [...byProject.entries()].map(([project, group]) => {
    const whole = group.find((b) => b.type === 'google_compute_project_metadata');
    const items: Record<string, unknown> = {};
    for (const item of group.filter((b) => b.type === 'google_compute_project_metadata_item')) {
      const key = knownStr(item.attributes.key);
      if (key) items[key] = item.attributes.value;
    }
    const first = whole ?? group[0];
    return tfResource(first, {
      type: 'compute.googleapis.com/Project',
      caiId: project ? `//compute.googleapis.com/projects/${project}` : undefined,
      name: project || 'provider project',
      account: project || undefined,
      properties: {
        commonInstanceMetadata: metadataItems(whole?.attributes.metadata ?? {}, items),
      },
    });
  });
}
