/**
 * Folds decorating CloudFormation resources into their owner, as the API reports them: bucket
 * policies into buckets, security group rules into groups, flow logs into VPCs, listeners into
 * load balancers, permissions into functions, inline policies into roles and users.
 */

import type { Resource } from '../../model/resource.js';
import { ipPermission } from './cfn-translate-ec2.js';
import { lambdaPermissionStatement } from './cfn-translate-services.js';
import { networkAclEntry } from './cfn-translate-ec2.js';
import { asList, isRecord, policy, type Props } from './cfn-values.js';

/** One template resource while the reader works on it. */
export interface CfnEntry {
  logicalId: string;
  cfnType: string;
  /** Properties as written (intrinsics unevaluated). */
  raw: Props;
  /** Evaluated Properties, before translation. */
  evaluated: Props;
  resource: Resource;
  refs: Set<string>;
}

/** Finds the owners a child property points to: by Ref/GetAtt, by equal expression, or by name. */
export type OwnerLookup = (
  child: CfnEntry,
  property: string,
  ownerType: string,
  ownerNameKey?: string,
) => CfnEntry[];

interface MergeRule {
  childType: string;
  property: string;
  ownerType: string;
  ownerNameKey?: string;
  /** When true the child is also emitted as a resource of its own. */
  keepChild?: boolean;
  apply(owner: Props, child: CfnEntry): void;
}

function push(owner: Props, key: string, item: unknown): void {
  const list = Array.isArray(owner[key]) ? (owner[key] as unknown[]) : [];
  list.push(item);
  owner[key] = list;
}

function addStatement(owner: Props, key: string, statements: unknown): void {
  const current = isRecord(owner[key])
    ? (owner[key] as Props)
    : { Version: '2012-10-17', Statement: [] };
  current.Statement = [...asList(current.Statement), ...asList(statements)];
  owner[key] = current;
}

const inlinePolicy = (c: CfnEntry): Props => ({
  PolicyName: c.evaluated.PolicyName,
  PolicyDocument: policy(c.evaluated.PolicyDocument),
});
const attachedPolicy = (c: CfnEntry): Props => ({
  PolicyName: c.resource.properties.PolicyName,
  PolicyArn: c.resource.id,
});

const RULES: MergeRule[] = [
  {
    childType: 'AWS::S3::BucketPolicy',
    property: 'Bucket',
    ownerType: 'AWS::S3::Bucket',
    ownerNameKey: 'BucketName',
    apply: (o, c) => {
      o.Policy = policy(c.evaluated.PolicyDocument);
    },
  },
  {
    childType: 'AWS::EC2::SecurityGroupIngress',
    property: 'GroupId',
    ownerType: 'AWS::EC2::SecurityGroup',
    apply: (o, c) => push(o, 'IpPermissions', ipPermission(c.evaluated, 'ingress')),
  },
  {
    childType: 'AWS::EC2::SecurityGroupIngress',
    property: 'GroupName',
    ownerType: 'AWS::EC2::SecurityGroup',
    ownerNameKey: 'GroupName',
    apply: (o, c) => push(o, 'IpPermissions', ipPermission(c.evaluated, 'ingress')),
  },
  {
    childType: 'AWS::EC2::SecurityGroupEgress',
    property: 'GroupId',
    ownerType: 'AWS::EC2::SecurityGroup',
    apply: (o, c) => {
      // A declared egress rule replaces the default allow-all rule, as in the API.
      if (!o.__customEgress) o.IpPermissionsEgress = [];
      o.__customEgress = true;
      push(o, 'IpPermissionsEgress', ipPermission(c.evaluated, 'egress'));
    },
  },
  {
    childType: 'AWS::EC2::FlowLog',
    property: 'ResourceId',
    ownerType: 'AWS::EC2::VPC',
    keepChild: true,
    apply: (o, c) => push(o, 'FlowLogs', c.resource.properties),
  },
  {
    childType: 'AWS::EC2::NetworkAclEntry',
    property: 'NetworkAclId',
    ownerType: 'AWS::EC2::NetworkAcl',
    apply: (o, c) => push(o, 'Entries', networkAclEntry(c.evaluated)),
  },
  {
    childType: 'AWS::ElasticLoadBalancingV2::Listener',
    property: 'LoadBalancerArn',
    ownerType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    apply: (o, c) => push(o, 'Listeners', c.resource.properties),
  },
  {
    childType: 'AWS::Lambda::Permission',
    property: 'FunctionName',
    ownerType: 'AWS::Lambda::Function',
    ownerNameKey: 'FunctionName',
    apply: (o, c) => addStatement(o, 'Policy', lambdaPermissionStatement(c.evaluated)),
  },
  {
    childType: 'AWS::Lambda::Url',
    property: 'TargetFunctionArn',
    ownerType: 'AWS::Lambda::Function',
    apply: (o, c) =>
      push(o, 'FunctionUrlConfigs', { AuthType: c.evaluated.AuthType, Cors: c.evaluated.Cors }),
  },
  {
    childType: 'AWS::SQS::QueuePolicy',
    property: 'Queues',
    ownerType: 'AWS::SQS::Queue',
    apply: (o, c) => {
      if (isRecord(o.Attributes)) o.Attributes.Policy = policy(c.evaluated.PolicyDocument);
    },
  },
  {
    childType: 'AWS::SNS::TopicPolicy',
    property: 'Topics',
    ownerType: 'AWS::SNS::Topic',
    apply: (o, c) => {
      if (isRecord(o.Attributes)) o.Attributes.Policy = policy(c.evaluated.PolicyDocument);
    },
  },
  ...iamRules(),
];

function iamRules(): MergeRule[] {
  const owners: [string, string, string, string, string][] = [
    ['Roles', 'AWS::IAM::Role', 'RoleName', 'RolePolicies', 'AttachedManagedPolicies'],
    ['Users', 'AWS::IAM::User', 'UserName', 'UserPolicies', 'AttachedManagedPolicies'],
    ['Groups', 'AWS::IAM::Group', 'GroupName', 'GroupPolicies', 'AttachedManagedPolicies'],
  ];
  const rules: MergeRule[] = [];
  for (const [property, ownerType, nameKey, inlineKey, attachedKey] of owners) {
    rules.push({
      childType: 'AWS::IAM::Policy',
      property,
      ownerType,
      ownerNameKey: nameKey,
      keepChild: true,
      apply: (o, c) => push(o, inlineKey, inlinePolicy(c)),
    });
    rules.push({
      childType: 'AWS::IAM::ManagedPolicy',
      property,
      ownerType,
      ownerNameKey: nameKey,
      keepChild: true,
      apply: (o, c) => push(o, attachedKey, attachedPolicy(c)),
    });
  }
  rules.push({
    childType: 'AWS::IAM::RolePolicy',
    property: 'RoleName',
    ownerType: 'AWS::IAM::Role',
    ownerNameKey: 'RoleName',
    apply: (o, c) => push(o, 'RolePolicies', inlinePolicy(c)),
  });
  rules.push({
    childType: 'AWS::IAM::UserPolicy',
    property: 'UserName',
    ownerType: 'AWS::IAM::User',
    ownerNameKey: 'UserName',
    apply: (o, c) => push(o, 'UserPolicies', inlinePolicy(c)),
  });
  rules.push({
    childType: 'AWS::IAM::AccessKey',
    property: 'UserName',
    ownerType: 'AWS::IAM::User',
    ownerNameKey: 'UserName',
    keepChild: true,
    apply: (o, c) =>
      push(o, 'AccessKeys', {
        AccessKeyId: c.resource.properties.AccessKeyId,
        Status: c.resource.properties.Status,
      }),
  });
  return rules;
}

/**
 * Applies every merge rule; returns the logical ids of children folded away (not emitted alone).
 */
export function mergeChildren(entries: CfnEntry[], lookup: OwnerLookup): Set<string> {
  const folded = new Set<string>();
  for (const rule of RULES) {
    for (const child of entries.filter((e) => e.cfnType === rule.childType)) {
      const owners = lookup(child, rule.property, rule.ownerType, rule.ownerNameKey);
      for (const owner of owners) {
        rule.apply(owner.resource.properties, child);
        for (const ref of child.refs) if (ref !== owner.logicalId) owner.refs.add(ref);
      }
      if (owners.length > 0 && !rule.keepChild) folded.add(child.logicalId);
    }
  }
  for (const entry of entries) delete entry.resource.properties.__customEgress;
  return folded;
}
