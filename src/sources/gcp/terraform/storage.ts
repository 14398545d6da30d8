/** google_storage_bucket (+ its IAM decorators) as a Cloud Storage bucket resource. */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { DATA_FIELDS } from '../asset-shapes.js';
import { iamDecorators, foldPolicy, mergedIamPolicy } from './iam-merge.js';
import { caiIdIfKnown, refersTo, tfResource } from './tf-resource.js';
import { block, bool, compact, knownStr, num, str } from './values.js';

export const BUCKET_TYPE = 'storage.googleapis.com/Bucket';
const IAM_FAMILY = 'google_storage_bucket_iam';

function upper(v: unknown): unknown {
  return typeof v === 'string' ? v.toUpperCase() : v;
}

/** Bucket properties in the JSON API's shape (`iamConfiguration`, `versioning`, `logging`...). */
export function bucketProperties(a: Record<string, unknown>): Record<string, unknown> {
  const versioning = block(a, 'versioning');
  const logging = block(a, 'logging');
  const encryption = block(a, 'encryption');
  const retention = block(a, 'retention_policy');
  const website = block(a, 'website');
  const uniform = a.uniform_bucket_level_access ?? a.bucket_policy_only;
  return compact({
    name: str(a.name),
    location: upper(a.location),
    storageClass: str(a.storage_class) ?? 'STANDARD',
    labels: a.labels,
    iamConfiguration: {
      uniformBucketLevelAccess: { enabled: bool(uniform, false) },
      publicAccessPrevention: str(a.public_access_prevention) ?? 'inherited',
    },
    versioning: versioning ? { enabled: bool(versioning.enabled, false) } : undefined,
    logging: logging
      ? compact({
          logBucket: str(logging.log_bucket),
          logObjectPrefix: str(logging.log_object_prefix),
        })
      : undefined,
    encryption: encryption
      ? compact({ defaultKmsKeyName: str(encryption.default_kms_key_name) })
      : undefined,
    retentionPolicy: retention
      ? compact({
          retentionPeriod: str(num(retention.retention_period)),
          isLocked: bool(retention.is_locked),
        })
      : undefined,
    website: website
      ? compact({
          mainPageSuffix: str(website.main_page_suffix),
          notFoundPage: str(website.not_found_page),
        })
      : undefined,
  });
}

/** Translates buckets, and IAM decorators whose bucket is not in the configuration. */
export function translateBuckets(ctx: TranslationContext): Resource[] {
  const buckets = ctx.blocks.filter(
    (b) => b.mode === 'managed' && b.type === 'google_storage_bucket',
  );
  const out = buckets.map((b) => bucket(b, ctx));
  const orphans = iamDecorators(ctx, IAM_FAMILY).filter(
    (d) => !buckets.some((b) => refersTo(d, 'bucket', b)),
  );
  for (const d of orphans) out.push(orphanBucket(d, ctx));
  return out;
}

function bucket(b: TerraformBlock, ctx: TranslationContext): Resource {
  const properties = bucketProperties(b.attributes);
  properties.iamPolicy = mergedIamPolicy(ctx, IAM_FAMILY, 'bucket', b).policy;
  return tfResource(b, {
    type: BUCKET_TYPE,
    caiId: caiIdIfKnown('storage', [b.attributes.name], ([n]) => n),
    name: b.attributes.name,
    account: b.attributes.project,
    region:
      typeof b.attributes.location === 'string' ? b.attributes.location.toLowerCase() : undefined,
    properties,
  });
}

/** A grant on a bucket managed elsewhere: a bucket known only by its IAM policy. */
function orphanBucket(d: TerraformBlock, ctx: TranslationContext): Resource {
  const name = knownStr(d.attributes.bucket)?.replace(/^b\//, '');
  return tfResource(d, {
    type: BUCKET_TYPE,
    caiId: name ? `//storage.googleapis.com/${name}` : undefined,
    name,
    properties: { iamPolicy: foldPolicy(ctx, [d]) },
    unknown: DATA_FIELDS[BUCKET_TYPE],
  });
}
