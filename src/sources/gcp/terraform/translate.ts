/**
 * The google provider's translator: each google_* block into the Cloud Asset Inventory type and
 * REST shape the GCP inventory readers produce, so one rule judges both.
 *
 * Known gap: IAM decorators of KMS keys and datasets managed outside the configuration are
 * dropped (bucket decorators become policy-only buckets); google_*_iam_* on other types too.
 */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { translateDatasets, translateManagedZone } from './bigquery-dns.js';
import { translateInstance } from './compute-instance.js';
import { translateDisk, translateProjectMetadata, translateSslPolicy } from './compute-misc.js';
import { translateFirewall, translateNetwork, translateSubnetwork } from './compute-network.js';
import { translateContainer } from './container.js';
import { translateProjectIam, translateServiceAccount, translateServiceAccountKey } from './iam.js';
import { translateCryptoKeys, translateKeyRing } from './kms.js';
import { translateSqlInstance } from './sql.js';
import { translateBuckets } from './storage.js';

/** Translators of one block each, by Terraform type. */
const PER_BLOCK: Record<string, (b: TerraformBlock) => Resource> = {
  google_compute_instance: translateInstance,
  google_compute_firewall: translateFirewall,
  google_compute_network: translateNetwork,
  google_compute_subnetwork: translateSubnetwork,
  google_compute_disk: translateDisk,
  google_compute_ssl_policy: translateSslPolicy,
  google_sql_database_instance: translateSqlInstance,
  google_service_account: translateServiceAccount,
  google_service_account_key: translateServiceAccountKey,
  google_kms_key_ring: translateKeyRing,
  google_dns_managed_zone: translateManagedZone,
};

/** Translators that need the whole configuration (decorators merged into their owners). */
const WHOLE_CONFIG: ((ctx: TranslationContext) => Resource[])[] = [
  translateBuckets,
  translateContainer,
  translateProjectIam,
  translateCryptoKeys,
  translateDatasets,
  translateProjectMetadata,
];

/** Translates every google_* managed block of a configuration. */
export function translateGoogleBlocks(ctx: TranslationContext): Resource[] {
  const out: Resource[] = [];
  for (const b of ctx.blocks) {
    if (b.mode !== 'managed') continue;
    const translate = Object.hasOwn(PER_BLOCK, b.type) ? PER_BLOCK[b.type] : undefined;
    if (translate) out.push(translate(b));
  }
  for (const translate of WHOLE_CONFIG) for (const item of translate(ctx)) out.push(item);
  return out;
}
