/** google_kms_key_ring and google_kms_crypto_key (+ IAM decorators) as Cloud KMS resources. */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { mergedIamPolicy } from './iam-merge.js';
import { tfResource } from './tf-resource.js';
import { block, compact, knownStr, str } from './values.js';

/** `projects/p/locations/l/keyRings/r` -> its location. */
function locationOf(ring: string | undefined): string | undefined {
  return ring ? /\/locations\/([^/]+)\//.exec(`${ring}/`)?.[1] : undefined;
}

export function translateKeyRing(b: TerraformBlock): Resource {
  const a = b.attributes;
  const project = knownStr(a.project);
  const name = knownStr(a.name);
  const location = knownStr(a.location);
  const id =
    project && name && location
      ? `projects/${project}/locations/${location}/keyRings/${name}`
      : undefined;
  return tfResource(b, {
    type: 'cloudkms.googleapis.com/KeyRing',
    caiId: id ? `//cloudkms.googleapis.com/${id}` : undefined,
    name: a.name,
    account: a.project,
    region: a.location,
    properties: compact({ name: id ?? str(a.name) }),
  });
}

export function translateCryptoKeys(ctx: TranslationContext): Resource[] {
  const keys = ctx.blocks.filter((b) => b.mode === 'managed' && b.type === 'google_kms_crypto_key');
  return keys.map((b) => {
    const a = b.attributes;
    const ring = knownStr(a.key_ring);
    const name = knownStr(a.name);
    const full = ring && name ? `${ring}/cryptoKeys/${name}` : undefined;
    const template = block(a, 'version_template');
    return tfResource(b, {
      type: 'cloudkms.googleapis.com/CryptoKey',
      caiId: full ? `//cloudkms.googleapis.com/${full}` : undefined,
      name: a.name,
      account: ring ? /^projects\/([^/]+)/.exec(ring)?.[1] : undefined,
      region: locationOf(ring),
      properties: compact({
        name: full ?? str(a.name),
        purpose: str(a.purpose) ?? 'ENCRYPT_DECRYPT',
        rotationPeriod: str(a.rotation_period),
        labels: a.labels,
        versionTemplate: template
          ? compact({
              algorithm: str(template.algorithm),
              protectionLevel: str(template.protection_level) ?? 'SOFTWARE',
            })
          : undefined,
        iamPolicy: mergedIamPolicy(ctx, 'google_kms_crypto_key_iam', 'crypto_key_id', b).policy,
      }),
    });
  });
}
