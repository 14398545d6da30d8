/**
 * Queues and topics as GetQueueAttributes / GetTopicAttributes return them: an `Attributes` map of
 * strings, with the access policy parsed into an object.
 */

import { isUnknown, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { policyDocument } from './policy-document.js';
import { toResource } from './tf-resource.js';
import { bool, boolText, compact, present, str } from './tf-values.js';

function text(value: unknown): unknown {
  if (value === undefined || value === null || isUnknown(value)) return value ?? undefined;
  // An object (whose toString may not be a function) stays as it is.
  return typeof value === 'object' ? value : String(value);
}

/** Translates one SQS queue; new queues get SSE-SQS unless a KMS key is named. */
export function sqsQueue(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const policyBlock = ctx.owned('aws_sqs_queue_policy', b, 'queue_url')[0];
  const kms = a.kms_master_key_id;
  const managedSse = present(kms) ? false : bool(a.sqs_managed_sse_enabled, true);
  const attributes = compact({
    KmsMasterKeyId: kms ?? undefined,
    KmsDataKeyReusePeriodSeconds: present(kms)
      ? text(a.kms_data_key_reuse_period_seconds ?? 300)
      : undefined,
    SqsManagedSseEnabled: boolText(managedSse),
    MessageRetentionPeriod: text(a.message_retention_seconds ?? 345600),
    VisibilityTimeout: text(a.visibility_timeout_seconds ?? 30),
    DelaySeconds: text(a.delay_seconds ?? 0),
    FifoQueue: bool(a.fifo_queue, false) === true ? 'true' : undefined,
    Policy: policyBlock
      ? policyDocument(policyBlock.attributes.policy, policyBlock, ctx)
      : policyDocument(a.policy, b, ctx),
    RedrivePolicy: a.redrive_policy ?? undefined,
  });
  return toResource(b, {
    type: 'AWS::SQS::Queue',
    properties: { QueueName: a.name, Attributes: attributes },
    name: a.name,
  });
}

/** Translates one SNS topic. */
export function snsTopic(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const policyBlock = ctx.owned('aws_sns_topic_policy', b, 'arn')[0];
  const attributes = compact({
    DisplayName: str(a.display_name, ''),
    KmsMasterKeyId: a.kms_master_key_id ?? undefined,
    FifoTopic: bool(a.fifo_topic, false) === true ? 'true' : undefined,
    Policy: policyBlock
      ? policyDocument(policyBlock.attributes.policy, policyBlock, ctx)
      : policyDocument(a.policy, b, ctx),
  });
  return toResource(b, {
    type: 'AWS::SNS::Topic',
    properties: { TopicName: a.name, Attributes: attributes },
    name: a.name,
  });
}
