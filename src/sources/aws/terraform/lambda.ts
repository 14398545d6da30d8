/**
 * `aws_lambda_function` into a FunctionConfiguration, with its `aws_lambda_permission`s rebuilt
 * into the resource policy (`Policy`) and its `aws_lambda_function_url`s as `FunctionUrlConfigs`.
 */

import { isServicePrincipal } from '../../../model/aws-partition.js';
import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import { block, compact, num, present, str, type Attrs } from './tf-values.js';

/** Translates one function. */
export function lambdaFunction(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const env = block(a.environment);
  const vpcConfig = block(a.vpc_config);
  const dlq = block(a.dead_letter_config);
  const statements = ctx
    .owned('aws_lambda_permission', b, 'function_name', [a.function_name])
    .map((p) => permissionStatement(p.attributes));
  const urls = ctx
    .owned('aws_lambda_function_url', b, 'function_name', [a.function_name])
    .map((u) => ({ AuthType: str(u.attributes.authorization_type, 'AWS_IAM') }));

  const properties = compact({
    FunctionName: a.function_name,
    Runtime: a.runtime,
    Role: a.role,
    Handler: a.handler,
    PackageType: str(a.package_type, 'Zip'),
    Timeout: num(a.timeout, 3),
    MemorySize: num(a.memory_size, 128),
    Environment: env && present(env.variables) ? { Variables: env.variables } : undefined,
    VpcConfig: vpcConfig
      ? {
          SubnetIds: vpcConfig.subnet_ids ?? [],
          SecurityGroupIds: vpcConfig.security_group_ids ?? [],
        }
      : undefined,
    TracingConfig: { Mode: str(block(a.tracing_config)?.mode, 'PassThrough') },
    KMSKeyArn: a.kms_key_arn,
    DeadLetterConfig: dlq ? { TargetArn: dlq.target_arn } : undefined,
    ReservedConcurrentExecutions: num(a.reserved_concurrent_executions),
    Policy: statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined,
    FunctionUrlConfigs: urls,
  });
  const relationships = ctx
    .referenced(b, 'aws_iam_role')
    .map((r) => ({ kind: 'references', target: ctx.idOf(r) }));
  return toResource(b, {
    type: 'AWS::Lambda::Function',
    properties,
    name: a.function_name,
    relationships,
  });
}

/** The statement AddPermission writes for one `aws_lambda_permission`. */
function permissionStatement(p: Attrs): Attrs {
  const principal = p.principal;
  const principalJson =
    principal === '*'
      ? '*'
      : isServicePrincipal(principal)
        ? { Service: principal }
        : { AWS: principal };
  const condition: Record<string, Record<string, unknown>> = {};
  if (present(p.source_arn)) condition.ArnLike = { 'AWS:SourceArn': p.source_arn };
  if (present(p.source_account)) condition.StringEquals = { 'AWS:SourceAccount': p.source_account };
  if (present(p.principal_org_id)) {
    condition.StringEquals = {
      ...(condition.StringEquals ?? {}),
      'aws:PrincipalOrgID': p.principal_org_id,
    };
  }
  if (present(p.function_url_auth_type)) {
    condition.StringEquals = {
      ...(condition.StringEquals ?? {}),
      'lambda:FunctionUrlAuthType': p.function_url_auth_type,
    };
  }
  return compact({
    Sid: p.statement_id,
    Effect: 'Allow',
    Principal: principalJson,
    Action: p.action,
    Condition: Object.keys(condition).length > 0 ? condition : undefined,
  });
}
