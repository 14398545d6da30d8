/** `aws_kms_key` into DescribeKey KeyMetadata + `KeyRotationEnabled` + `Policy` (parsed). */

import { isUnknown, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { policyDocument } from './policy-document.js';
import { toResource } from './tf-resource.js';
import { bool, compact, num, str } from './tf-values.js';

/** Translates one customer-managed key. */
export function kmsKey(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const enabled = bool(a.is_enabled, true);
  const properties = compact({
    Description: str(a.description, ''),
    KeyManager: 'CUSTOMER',
    KeyUsage: str(a.key_usage, 'ENCRYPT_DECRYPT'),
    KeySpec: str(a.customer_master_key_spec ?? a.key_spec, 'SYMMETRIC_DEFAULT'),
    Origin: 'AWS_KMS',
    Enabled: enabled,
    KeyState: isUnknown(enabled) ? enabled : enabled ? 'Enabled' : 'Disabled',
    MultiRegion: bool(a.multi_region, false),
    KeyRotationEnabled: bool(a.enable_key_rotation, false),
    RotationPeriodInDays: num(a.rotation_period_in_days),
    PendingDeletionWindowInDays: num(a.deletion_window_in_days),
    // Known gap: without `policy` AWS attaches its default key policy, which is not rebuilt.
    Policy: policyDocument(a.policy, b, ctx),
  });
  const aliases = ctx.owned('aws_kms_alias', b, 'target_key_id');
  const name = aliases.map((al) => al.attributes.name).find((n) => typeof n === 'string');
  return toResource(b, { type: 'AWS::KMS::Key', properties, name });
}
