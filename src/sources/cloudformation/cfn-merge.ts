/**
 * Folds decorating CloudFormation resources into their owner, as the API reports them: bucket
 * policies into buckets, security group rules into groups, flow logs into VPCs, listeners into
 * load balancers, permissions into functions, inline policies into roles and users.
 */

import { unknownValue, type Resource } from '../../model/resource.js';
import { ANY_OTHER_PROPERTY } from '../../posture/unknown-tracker.js';
import { ipPermission } from './cfn-translate-ec2.js';
import { lambdaPermissionStatement } from './cfn-translate-services.js';
import { networkAclEntry } from './cfn-translate-ec2.js';
import { asList, isRecord, policy, unknownPaths, type Props } from './cfn-values.js';

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
  /**
   * What `apply` writes, for an owner the template does not declare (see `undeclaredOwners`):
   * lists it adds entries to (the owner may hold others) and objects it fills in part.
   */
  partial?: { what: string; lists?: string[]; objects?: string[] };
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
    partial: { what: 'bucket' },
  },
  {
    childType: 'AWS::EC2::SecurityGroupIngress',
    property: 'GroupId',
    ownerType: 'AWS::EC2::SecurityGroup',
    apply: (o, c) => push(o, 'IpPermissions', ipPermission(c.evaluated, 'ingress')),
    partial: { what: 'security group', lists: ['IpPermissions'] },
  },
  {
    childType: 'AWS::EC2::SecurityGroupIngress',
    property: 'GroupName',
    ownerType: 'AWS::EC2::SecurityGroup',
    ownerNameKey: 'GroupName',
    apply: (o, c) => push(o, 'IpPermissions', ipPermission(c.evaluated, 'ingress')),
    partial: { what: 'security group', lists: ['IpPermissions'] },
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
    partial: { what: 'security group', lists: ['IpPermissionsEgress'] },
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
    partial: { what: 'network ACL', lists: ['Entries'] },
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
    partial: { what: 'function', lists: ['Policy.Statement'] },
  },
  {
    childType: 'AWS::Lambda::Url',
    property: 'TargetFunctionArn',
    ownerType: 'AWS::Lambda::Function',
    apply: (o, c) =>
      push(o, 'FunctionUrlConfigs', { AuthType: c.evaluated.AuthType, Cors: c.evaluated.Cors }),
    partial: { what: 'function', lists: ['FunctionUrlConfigs'] },
  },
  {
    childType: 'AWS::SQS::QueuePolicy',
    property: 'Queues',
    ownerType: 'AWS::SQS::Queue',
    apply: (o, c) => {
      if (isRecord(o.Attributes)) o.Attributes.Policy = policy(c.evaluated.PolicyDocument);
    },
    partial: { what: 'queue', objects: ['Attributes'] },
  },
  {
    childType: 'AWS::SNS::TopicPolicy',
    property: 'Topics',
    ownerType: 'AWS::SNS::Topic',
    apply: (o, c) => {
      if (isRecord(o.Attributes)) o.Attributes.Policy = policy(c.evaluated.PolicyDocument);
    },
    partial: { what: 'topic', objects: ['Attributes'] },
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

/** The marker closing a list of which only the entries the template writes are known. */
const OTHER_ENTRIES = unknownValue(
  'the resource is not declared in this template; entries set where it is declared may follow',
);

/** How a literal naming an owner gives its name: a queue's URL and a topic's ARN end with it. */
const LITERAL_NAMES: Record<string, (text: string) => string> = {
  'AWS::S3::Bucket': (t) => t,
  'AWS::SQS::Queue': (t) => t.slice(t.lastIndexOf('/') + 1),
  'AWS::SNS::Topic': (t) => t.slice(t.lastIndexOf(':') + 1),
  'AWS::Lambda::Function': (t) => t,
};

/** An owner the template does not declare, built from the children that name it. */
export interface UndeclaredOwner {
  resource: Resource;
  /** The children it was built from, folded into it. */
  children: CfnEntry[];
  /** What it is, in the words of the warning (`security group`). */
  what: string;
  /** The expression naming it, as written (`!ImportValue shared-sg`, `sg-0123…`). */
  written: string;
}

/**
 * For every decorating resource no declared owner took (a rule for a group another stack made,
 * named by `!ImportValue` or its `sg-…` id), the owner it names, built from it and from the
 * other children naming the same owner: it holds what they write, and every other property is
 * unknown, so a rule failing on what they write fails and one needing the rest is not judged.
 * `nameKey` gives the owner type's name property, `file` the template's path.
 */
export function undeclaredOwners(
  entries: CfnEntry[],
  folded: ReadonlySet<string>,
  file: string,
  nameKey: (ownerType: string) => string | undefined,
): UndeclaredOwner[] {
  const groups = new Map<
    string,
    { rule: MergeRule; children: CfnEntry[]; raw: unknown; value: unknown }[]
  >();
  const seen = new Set<string>();
  for (const rule of RULES) {
    if (!rule.partial) continue;
    for (const child of entries) {
      if (child.cfnType !== rule.childType || folded.has(child.logicalId)) continue;
      const raw = child.raw[rule.property];
      if (raw === undefined || seen.has(child.logicalId)) continue;
      seen.add(child.logicalId);
      // A policy for several queues or topics configures each of them.
      const many = Array.isArray(raw);
      const values = child.evaluated[rule.property];
      (many ? raw : [raw]).forEach((one: unknown, i: number) => {
        const key = `${rule.ownerType}\u0000${rule.ownerNameKey ?? ''}\u0000${JSON.stringify(one)}`;
        const value = many ? (Array.isArray(values) ? values[i] : undefined) : values;
        const list = groups.get(key) ?? [];
        list.push({ rule, children: [child], raw: one, value });
        groups.set(key, list);
      });
    }
  }

  const out: UndeclaredOwner[] = [];
  for (const parts of groups.values()) {
    const { rule, raw, value } = parts[0];
    const children = parts.flatMap((p) => p.children);
    const first = children[0];
    const written = writtenForm(raw);
    const properties: Props = rule.partial!.objects?.includes('Attributes')
      ? { Attributes: {} }
      : {};
    for (const p of parts) for (const c of p.children) p.rule.apply(properties, c);
    delete properties.__customEgress;

    const unknown = new Set<string>([ANY_OTHER_PROPERTY]);
    for (const path of rule.partial!.objects ?? []) unknown.add(`${path}.${ANY_OTHER_PROPERTY}`);
    for (const path of rule.partial!.lists ?? []) closeList(properties, path);

    // A literal is the owner's name where the child names it so (a bucket, a group's name, a
    // queue's URL); a group's `sg-…` id is only an id.
    const literal = typeof value === 'string' ? value : undefined;
    const byName =
      LITERAL_NAMES[rule.ownerType] ?? (rule.ownerNameKey ? (t: string) => t : undefined);
    const name = literal !== undefined && byName ? byName(literal) || undefined : undefined;
    const nameProperty = nameKey(rule.ownerType);
    if (name !== undefined && nameProperty) properties[nameProperty] = name;
    for (const path of unknownPaths(properties)) unknown.add(path);

    const suppressions = children.flatMap((c) => c.resource.suppressions ?? []);
    const resource: Resource = {
      cloud: 'aws',
      type: rule.ownerType,
      id:
        rule.ownerType === 'AWS::S3::Bucket' && name !== undefined
          ? `arn:aws:s3:::${name}`
          : (literal ?? `${file}#${written}`),
      name: name ?? written,
      tags: {},
      properties,
      relationships: [],
      source: { ...first.resource.source },
      unknown: [...unknown],
      ...(suppressions.length > 0 ? { suppressions } : {}),
    };
    out.push({ resource, children, what: rule.partial!.what, written });
  }
  return out;
}

/** Ends the list at `path` (dot-separated) with the marker saying more entries may follow. */
function closeList(properties: Props, path: string): void {
  const keys = path.split('.');
  let at: unknown = properties;
  for (const key of keys.slice(0, -1)) at = isRecord(at) ? at[key] : undefined;
  const last = keys[keys.length - 1];
  if (isRecord(at) && Array.isArray(at[last]))
    at[last] = [...(at[last] as unknown[]), OTHER_ENTRIES];
}

/** An intrinsic as its short form is written (`!ImportValue shared-sg`), else its text. */
function writtenForm(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (isRecord(raw)) {
    const keys = Object.keys(raw);
    if (keys.length === 1) {
      const fn = keys[0] === 'Ref' ? 'Ref' : keys[0].replace(/^Fn::/, '');
      const arg = raw[keys[0]];
      if (typeof arg === 'string') return `!${fn} ${arg}`;
      // `!GetAtt Vpc.DefaultSecurityGroup`, as the long form's list is usually written short.
      if (fn === 'GetAtt' && Array.isArray(arg) && arg.every((a) => typeof a === 'string')) {
        return `!GetAtt ${arg.join('.')}`;
      }
      return `!${fn} ${JSON.stringify(arg)}`;
    }
  }
  return JSON.stringify(raw);
}
