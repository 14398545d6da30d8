/** google_bigquery_dataset (+ IAM decorators) and google_dns_managed_zone in API shape. */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { mergedIamPolicy } from './iam-merge.js';
import { caiIdIfKnown, tfResource } from './tf-resource.js';
import { block, blocks, mapBlocks, compact, num, str } from './values.js';

export function translateDatasets(ctx: TranslationContext): Resource[] {
  const sets = ctx.blocks.filter(
    (b) => b.mode === 'managed' && b.type === 'google_bigquery_dataset',
  );
  return sets.map((b) => {
    const a = b.attributes;
    const enc = block(a, 'default_encryption_configuration');
    return tfResource(b, {
      type: 'bigquery.googleapis.com/Dataset',
      caiId: caiIdIfKnown(
        'bigquery',
        [a.project, a.dataset_id],
        ([p, d]) => `projects/${p}/datasets/${d}`,
      ),
      name: a.dataset_id,
      account: a.project,
      region: typeof a.location === 'string' ? a.location.toLowerCase() : undefined,
      properties: compact({
        datasetReference: compact({ datasetId: str(a.dataset_id), projectId: str(a.project) }),
        friendlyName: str(a.friendly_name),
        location: str(a.location) ?? 'US',
        labels: a.labels,
        defaultTableExpirationMs: str(num(a.default_table_expiration_ms)),
        access: mapBlocks(a, 'access', (x) =>
          compact({
            role: str(x.role),
            userByEmail: str(x.user_by_email),
            groupByEmail: str(x.group_by_email),
            domain: str(x.domain),
            specialGroup: str(x.special_group),
            iamMember: str(x.iam_member),
          }),
        ),
        defaultEncryptionConfiguration: enc
          ? compact({ kmsKeyName: str(enc.kms_key_name) })
          : undefined,
        iamPolicy: mergedIamPolicy(ctx, 'google_bigquery_dataset_iam', 'dataset_id', b).policy,
      }),
    });
  });
}

export function translateManagedZone(b: TerraformBlock): Resource {
  const a = b.attributes;
  const dnssec = block(a, 'dnssec_config');
  return tfResource(b, {
    type: 'dns.googleapis.com/ManagedZone',
    caiId: caiIdIfKnown('dns', [a.project, a.name], ([p, n]) => `projects/${p}/managedZones/${n}`),
    name: a.name,
    account: a.project,
    properties: compact({
      name: str(a.name),
      dnsName: str(a.dns_name),
      description: str(a.description),
      visibility: str(a.visibility) ?? 'public',
      labels: a.labels,
      dnssecConfig: dnssec
        ? compact({
            state: str(dnssec.state) ?? 'off',
            nonExistence: str(dnssec.non_existence),
            defaultKeySpecs: blocks(dnssec, 'default_key_specs').map((k) =>
              compact({
                algorithm: str(k.algorithm),
                keyType: str(k.key_type),
                keyLength: num(k.key_length),
              }),
            ),
          })
        : undefined,
    }),
  });
}
