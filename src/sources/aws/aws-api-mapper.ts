/**
 * Maps one AWS API response (describe/list/get) onto canonical resources in the API's own shape.
 * Used by the placebo recording reader and the saved-CLI-output reader alike.
 */

import type { Relationship } from '../../model/resource.js';
import {
  asList,
  isRecord,
  parsePolicy,
  str,
  tagMap,
  textOf,
  type Props,
} from './aws-api-values.js';
import type { InventoryInput } from './inventory-resource.js';
import { ANY_OTHER_PROPERTY } from '../../posture/unknown-tracker.js';

/** What a mapper knows besides the response body. */
export interface ApiCallContext {
  /** HTTP status of the recorded call (200 when not recorded). */
  status: number;
  /** Folder name of the recording: the only hint left when the request is not recorded. */
  folder: string;
  /** Response bodies of other calls recorded in the same folder (`s3.ListBuckets`). */
  sibling(call: string): Props[];
}

type Mapper = (data: Props, ctx: ApiCallContext) => InventoryInput[];

export const S3_SUB_RESOURCES = [
  'Acl',
  'Policy',
  'PublicAccessBlockConfiguration',
  'ServerSideEncryptionConfiguration',
  'Versioning',
  'Logging',
];
const USER_SUB_RESOURCES = [
  'AttachedManagedPolicies',
  'UserPolicies',
  'AccessKeys',
  'MFADevices',
  'LoginProfile',
  'CredentialReport',
];
const ROLE_SUB_RESOURCES = ['AttachedManagedPolicies', 'RolePolicies'];

function without(list: string[], seen: string): string[] {
  return list.filter((k) => k !== seen);
}

function errorCode(data: Props): string | undefined {
  return isRecord(data.Error) ? str(data.Error.Code) : undefined;
}

function refs(kind: string, ids: unknown[]): Relationship[] {
  return ids
    .filter((id): id is string => typeof id === 'string')
    .map((target) => ({ kind, target }));
}

/** The one item a sibling call lists, when it lists exactly one. */
function onlySibling(ctx: ApiCallContext, call: string, listKey: string): Props | undefined {
  const items = ctx
    .sibling(call)
    .flatMap((d) => asList(d[listKey]))
    .filter(isRecord);
  return items.length === 1 ? items[0] : undefined;
}

/**
 * Identity of the resource a sub-resource call was about, when the response does not name it:
 * the single item of a sibling list call, else a placeholder named after the recording folder,
 * so every call recorded in one folder still lands on one resource.
 */
function implied(
  ctx: ApiCallContext,
  call: string,
  listKey: string,
  idKey: string,
  nameKey: string,
  kind: string,
): { id: string; name: string } {
  const only = onlySibling(ctx, call, listKey);
  const id = only ? str(only[idKey]) : undefined;
  if (only && id) return { id, name: str(only[nameKey]) ?? id };
  return { id: `unrecorded-${kind}:${ctx.folder}`, name: ctx.folder };
}

// ---- S3 ----------------------------------------------------------------------------------

/** An S3 ARN in any AWS partition; the group is the bucket name. */
const BUCKET_ARN = /^arn:aws(?:-[a-z-]+)?:s3:::([^/]*)/;

function bucketName(data: Props, ctx: ApiCallContext, policy?: unknown): string {
  const fromError = isRecord(data.Error) ? str(data.Error.BucketName) : undefined;
  if (fromError) return fromError;
  const resources = isRecord(policy)
    ? asList(policy.Statement)
        .filter(isRecord)
        .flatMap((s) => asList(s.Resource))
    : [];
  // In any partition: arn:aws:s3:::, arn:aws-us-gov:s3:::, arn:aws-cn:s3:::.
  const bucket = resources
    .map((r) => (typeof r === 'string' ? BUCKET_ARN.exec(r)?.[1] : undefined))
    .find((name) => name !== undefined && name !== '');
  if (bucket) return bucket;
  const only = onlySibling(ctx, 's3.ListBuckets', 'Buckets');
  return str(only?.Name) ?? `${UNRECORDED_BUCKET}${ctx.folder}`;
}

const UNRECORDED_BUCKET = 'unrecorded-bucket:';

function bucketPart(name: string, key: string, value: unknown): InventoryInput {
  const unrecorded = name.startsWith(UNRECORDED_BUCKET);
  const properties: Props = unrecorded ? {} : { Name: name };
  if (value !== undefined) properties[key] = value;
  const id = unrecorded ? name : `arn:aws:s3:::${name}`;
  const label = unrecorded ? name.slice(UNRECORDED_BUCKET.length) : name;
  return {
    type: 'AWS::S3::Bucket',
    id,
    name: label,
    properties,
    unknown: without(S3_SUB_RESOURCES, key),
  };
}

function s3Sub(
  key: string,
  missingCode: string,
  missingValue: unknown,
  pickValue: (d: Props) => unknown,
): Mapper {
  return (data, ctx) => {
    const missing = errorCode(data) === missingCode;
    if (ctx.status >= 300 && !missing) return [];
    const value = missing ? missingValue : pickValue(data);
    return [bucketPart(bucketName(data, ctx, key === 'Policy' ? value : undefined), key, value)];
  };
}

const S3: Record<string, Mapper> = {
  's3.ListBuckets': (data) =>
    asList(data.Buckets)
      .filter(isRecord)
      .flatMap((b) => {
        const name = str(b.Name);
        if (!name) return [];
        return [
          {
            type: 'AWS::S3::Bucket',
            id: `arn:aws:s3:::${name}`,
            name,
            properties: { Name: name, CreationDate: b.CreationDate },
            unknown: S3_SUB_RESOURCES,
          },
        ];
      }),
  's3.GetBucketPolicy': s3Sub('Policy', 'NoSuchBucketPolicy', undefined, (d) =>
    parsePolicy(d.Policy),
  ),
  's3.GetBucketAcl': s3Sub('Acl', '', undefined, (d) => ({
    Owner: d.Owner,
    Grants: asList(d.Grants),
  })),
  // No configuration means none of the four settings is on for the bucket.
  's3.GetPublicAccessBlock': s3Sub(
    'PublicAccessBlockConfiguration',
    'NoSuchPublicAccessBlockConfiguration',
    {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    },
    (d) => d.PublicAccessBlockConfiguration,
  ),
  's3.GetBucketEncryption': s3Sub(
    'ServerSideEncryptionConfiguration',
    'ServerSideEncryptionConfigurationNotFoundError',
    { Rules: [] },
    (d) => d.ServerSideEncryptionConfiguration,
  ),
  's3.GetBucketVersioning': s3Sub('Versioning', '', undefined, (d) => ({
    ...(d.Status ? { Status: d.Status } : {}),
    ...(d.MFADelete ? { MFADelete: d.MFADelete } : {}),
  })),
  's3.GetBucketLogging': s3Sub('Logging', '', undefined, (d) =>
    isRecord(d.LoggingEnabled) ? { LoggingEnabled: d.LoggingEnabled } : {},
  ),
};

// ---- EC2 ---------------------------------------------------------------------------------

/**
 * Items of an EC2 describe call. `idKey` names the short id (`GroupId`); `arnKey` the ARN the
 * item carries in newer API versions (`SecurityGroupArn`), which is then the resource's id, as it
 * is for AWS Config items, so both records of one resource merge. Relationships keep naming
 * short ids: the engine finds EC2 resources by the id at the end of their ARN too.
 */
function ec2Items(
  listKey: string,
  type: string,
  idKey: string,
  extra?: (item: Props, ctx: ApiCallContext) => Partial<InventoryInput>,
  arnKey?: string,
): Mapper {
  return (data, ctx) =>
    asList(data[listKey])
      .filter(isRecord)
      .flatMap((item) => {
        const shortId = str(item[idKey]);
        if (!shortId) return [];
        const arn = arnKey ? str(item[arnKey]) : undefined;
        const tags = tagMap(item.Tags);
        return [
          {
            type,
            id: arn ?? shortId,
            name: tags.Name ?? shortId,
            arn,
            properties: item,
            tags,
            account: str(item.OwnerId),
            ...extra?.(item, ctx),
          },
        ];
      });
}

/**
 * The account a recording folder belongs to, from the owners of what only the account itself
 * holds (its snapshots, instances, security groups); undefined unless they name exactly one.
 */
function recordingAccount(ctx: ApiCallContext): string | undefined {
  const owners = new Set<string>();
  const add = (value: unknown) => {
    const id = str(value);
    if (id) owners.add(id);
  };
  for (const d of ctx.sibling('ec2.DescribeSnapshots')) {
    for (const s of asList(d.Snapshots).filter(isRecord)) add(s.OwnerId);
  }
  for (const d of ctx.sibling('ec2.DescribeInstances')) {
    for (const r of asList(d.Reservations).filter(isRecord)) add(r.OwnerId);
  }
  for (const d of ctx.sibling('ec2.DescribeSecurityGroups')) {
    for (const g of asList(d.SecurityGroups).filter(isRecord)) add(g.OwnerId);
  }
  return owners.size === 1 ? [...owners][0] : undefined;
}

function flowLogsByResource(data: Props[]): Map<string, Props[]> {
  const out = new Map<string, Props[]>();
  for (const log of data.flatMap((d) => asList(d.FlowLogs)).filter(isRecord)) {
    const id = str(log.ResourceId);
    if (id) out.set(id, [...(out.get(id) ?? []), log]);
  }
  return out;
}

/**
 * User data as DescribeInstanceAttribute returns it (base64), decoded as the IaC readers give it;
 * none set (`"UserData": {}`) is empty text. Text that is not base64 is kept as it is.
 */
function decodedUserData(value: unknown): string {
  if (typeof value !== 'string') return '';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const again = Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '');
  return again === value.replace(/\s/g, '').replace(/=+$/, '') ? decoded : value;
}

const EC2: Record<string, Mapper> = {
  'ec2.DescribeSecurityGroups': ec2Items(
    'SecurityGroups',
    'AWS::EC2::SecurityGroup',
    'GroupId',
    (g) => ({
      name: str(g.GroupName),
      relationships: refs('references', [g.VpcId]),
    }),
    'SecurityGroupArn',
  ),
  'ec2.DescribeInstances': (data, ctx) =>
    asList(data.Reservations)
      .filter(isRecord)
      .flatMap((r) =>
        ec2Items('Instances', 'AWS::EC2::Instance', 'InstanceId', (i) => ({
          account: str(r.OwnerId),
          relationships: [
            ...refs(
              'attachedTo',
              asList(i.SecurityGroups)
                .filter(isRecord)
                .map((g) => g.GroupId),
            ),
            ...refs('references', [i.SubnetId, i.VpcId]),
          ],
        }))(r, ctx),
      ),
  // DescribeInstanceAttribute --attribute userData: the only call that returns an instance's user
  // data. The instance's other properties are not in it (they come from DescribeInstances).
  'ec2.DescribeInstanceAttribute': (data) => {
    const id = str(data.InstanceId);
    if (!id || !isRecord(data.UserData)) return [];
    return [
      {
        type: 'AWS::EC2::Instance',
        id,
        properties: { InstanceId: id, UserData: decodedUserData(data.UserData.Value) },
        unknown: [ANY_OTHER_PROPERTY],
      },
    ];
  },
  'ec2.DescribeVolumes': ec2Items('Volumes', 'AWS::EC2::Volume', 'VolumeId', (v) => ({
    relationships: refs(
      'attachedTo',
      asList(v.Attachments)
        .filter(isRecord)
        .map((a) => a.InstanceId),
    ),
  })),
  'ec2.DescribeSnapshots': ec2Items('Snapshots', 'AWS::EC2::Snapshot', 'SnapshotId', () => ({
    unknown: ['CreateVolumePermissions'],
  })),
  'ec2.DescribeSnapshotAttribute': (data) => {
    const id = str(data.SnapshotId);
    return id
      ? [
          {
            type: 'AWS::EC2::Snapshot',
            id,
            properties: {
              SnapshotId: id,
              CreateVolumePermissions: asList(data.CreateVolumePermissions),
            },
          },
        ]
      : [];
  },
  // DescribeImages also lists images of other publishers the account can use (Amazon's,
  // Canonical's): each is seen from the recording's own account when the folder tells it.
  'ec2.DescribeImages': (data, ctx) => {
    const own = recordingAccount(ctx);
    return ec2Items('Images', 'AWS::EC2::Image', 'ImageId', (i) => ({
      name: str(i.Name),
      account: own ?? str(i.OwnerId),
    }))(data, ctx);
  },
  // Flow logs recorded in the same folder belong to these VPCs; without them FlowLogs is unknown.
  'ec2.DescribeVpcs': (data, ctx) => {
    const recorded = ctx.sibling('ec2.DescribeFlowLogs');
    const logs = flowLogsByResource(recorded);
    return ec2Items('Vpcs', 'AWS::EC2::VPC', 'VpcId', (v) =>
      recorded.length > 0
        ? { properties: { ...v, FlowLogs: logs.get(textOf(v.VpcId)) ?? [] } }
        : { unknown: ['FlowLogs'] },
    )(data, ctx);
  },
  'ec2.DescribeFlowLogs': (data, ctx) => {
    if (ctx.sibling('ec2.DescribeVpcs').length > 0) return [];
    return [...flowLogsByResource([data])]
      .filter(([id]) => id.startsWith('vpc-'))
      .map(([id, logs]) => ({
        type: 'AWS::EC2::VPC',
        id,
        properties: { VpcId: id, FlowLogs: logs },
      }));
  },
  'ec2.DescribeNetworkAcls': ec2Items(
    'NetworkAcls',
    'AWS::EC2::NetworkAcl',
    'NetworkAclId',
    (n) => ({ relationships: refs('references', [n.VpcId]) }),
  ),
  'ec2.DescribeSubnets': ec2Items(
    'Subnets',
    'AWS::EC2::Subnet',
    'SubnetId',
    (s) => ({ relationships: refs('references', [s.VpcId]) }),
    'SubnetArn',
  ),
};

// ---- IAM ---------------------------------------------------------------------------------

function userArnByName(ctx: ApiCallContext, name: string): string | undefined {
  const users = ctx
    .sibling('iam.ListUsers')
    .flatMap((d) => asList(d.Users))
    .filter(isRecord);
  return str(users.find((u) => u.UserName === name)?.Arn);
}

function userPart(
  ctx: ApiCallContext,
  name: string,
  key: string,
  value: unknown,
  arn?: string,
): InventoryInput {
  const id = arn ?? userArnByName(ctx, name) ?? name;
  return {
    type: 'AWS::IAM::User',
    id,
    name,
    properties: { UserName: name, [key]: value },
    unknown: without(USER_SUB_RESOURCES, key),
  };
}

function decodeReport(content: unknown): string {
  if (typeof content !== 'string') return '';
  if (content.includes(',')) return content;
  return Buffer.from(content, 'base64').toString('utf8');
}

/**
 * A credential report row with the report's `GeneratedTime`: the ages in the row are measured
 * from when the report was made, not from when it is read.
 */
function reportRow(row: Props, data: Props): Props {
  return typeof data.GeneratedTime === 'string'
    ? { ...row, GeneratedTime: data.GeneratedTime }
    : row;
}

/** Minimal CSV split: the credential report has no quoted fields. */
function credentialRows(csv: string): Props[] {
  const [header, ...rows] = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!header) return [];
  const keys = header.split(',');
  return rows.map((row) =>
    Object.fromEntries(row.split(',').map((v, i) => [keys[i] ?? `col${i}`, v])),
  );
}

function policyVersion(v: unknown): unknown {
  if (!isRecord(v)) return v;
  return { ...v, Document: parsePolicy(v.Document) };
}

/** Inline policies of an authorization-details entry, their documents parsed. */
function inlinePolicies(list: unknown): Props[] {
  return asList(list)
    .filter(isRecord)
    .map((p) => ({ ...p, PolicyDocument: parsePolicy(p.PolicyDocument) }));
}

/** What GetAccountAuthorizationDetails leaves out of a user: keys, MFA, login, the report. */
const USER_OUTSIDE_AUTHORIZATION_DETAILS = USER_SUB_RESOURCES.filter(
  (k) => k !== 'AttachedManagedPolicies' && k !== 'UserPolicies',
);

/**
 * One entry of an authorization-details list, in the shape the IAM type's Config items take:
 * `listKey` (`UserPolicyList`) renamed to `policiesKey` (`UserPolicies`).
 */
function authorizationEntry(
  type: string,
  nameKey: string,
  listKey: string,
  policiesKey: string,
  unknown?: string[],
): (entry: Props) => InventoryInput[] {
  return (entry) => {
    const arn = str(entry.Arn);
    if (!arn) return [];
    const properties: Props = { ...entry, [policiesKey]: inlinePolicies(entry[listKey]) };
    delete properties[listKey];
    if ('AssumeRolePolicyDocument' in entry)
      properties.AssumeRolePolicyDocument = parsePolicy(entry.AssumeRolePolicyDocument);
    return [
      {
        type,
        id: arn,
        name: str(entry[nameKey]) ?? arn,
        properties,
        tags: tagMap(entry.Tags),
        unknown,
      },
    ];
  };
}

/**
 * A managed policy of an authorization-details output with its default version as
 * `PolicyVersion`. AWS managed policies (`arn:aws:iam::aws:policy/...`) are AWS's, not the
 * account's: their use is judged on the users, groups and roles they are attached to.
 */
function authorizationPolicy(entry: Props): InventoryInput[] {
  const arn = str(entry.Arn);
  if (!arn || /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) return [];
  const versions = asList(entry.PolicyVersionList).filter(isRecord).map(policyVersion);
  const current =
    versions.find((v) => isRecord(v) && v.IsDefaultVersion === true) ??
    versions.find((v) => isRecord(v) && v.VersionId === entry.DefaultVersionId);
  const properties: Props = { ...entry, PolicyVersionList: versions };
  if (current) properties.PolicyVersion = current;
  return [
    {
      type: 'AWS::IAM::Policy',
      id: arn,
      name: str(entry.PolicyName) ?? arn,
      properties,
      unknown: current ? undefined : ['PolicyVersion'],
    },
  ];
}

const IAM: Record<string, Mapper> = {
  // The whole IAM configuration in one output (`aws iam get-account-authorization-details`).
  'iam.GetAccountAuthorizationDetails': (data) => [
    ...asList(data.UserDetailList)
      .filter(isRecord)
      .flatMap(
        authorizationEntry(
          'AWS::IAM::User',
          'UserName',
          'UserPolicyList',
          'UserPolicies',
          USER_OUTSIDE_AUTHORIZATION_DETAILS,
        ),
      ),
    ...asList(data.GroupDetailList)
      .filter(isRecord)
      .flatMap(
        authorizationEntry('AWS::IAM::Group', 'GroupName', 'GroupPolicyList', 'GroupPolicies'),
      ),
    ...asList(data.RoleDetailList)
      .filter(isRecord)
      .flatMap(authorizationEntry('AWS::IAM::Role', 'RoleName', 'RolePolicyList', 'RolePolicies')),
    ...asList(data.Policies).filter(isRecord).flatMap(authorizationPolicy),
  ],
  'iam.ListUsers': (data) =>
    asList(data.Users)
      .filter(isRecord)
      .flatMap((u) => {
        const arn = str(u.Arn);
        const name = str(u.UserName);
        return arn && name
          ? [
              {
                type: 'AWS::IAM::User',
                id: arn,
                name,
                properties: u,
                tags: tagMap(u.Tags),
                unknown: USER_SUB_RESOURCES,
              },
            ]
          : [];
      }),
  'iam.ListAccessKeys': (data, ctx) => {
    const byUser = new Map<string, Props[]>();
    for (const key of asList(data.AccessKeyMetadata).filter(isRecord)) {
      const user = str(key.UserName);
      if (user) byUser.set(user, [...(byUser.get(user) ?? []), key]);
    }
    return [...byUser].map(([user, keys]) => userPart(ctx, user, 'AccessKeys', keys));
  },
  'iam.ListAttachedUserPolicies': (data, ctx) => {
    const user = implied(ctx, 'iam.ListUsers', 'Users', 'Arn', 'UserName', 'user');
    return [
      {
        ...userPart(
          ctx,
          user.name,
          'AttachedManagedPolicies',
          asList(data.AttachedPolicies),
          user.id,
        ),
      },
    ];
  },
  'iam.ListUserPolicies': (data, ctx) => {
    const user = implied(ctx, 'iam.ListUsers', 'Users', 'Arn', 'UserName', 'user');
    return [
      userPart(
        ctx,
        user.name,
        'UserPolicies',
        asList(data.PolicyNames).map((n) => ({ PolicyName: n })),
        user.id,
      ),
    ];
  },
  'iam.ListMFADevices': (data) => {
    const devices = asList(data.MFADevices).filter(isRecord);
    const user = str(devices[0]?.UserName);
    return user
      ? [
          {
            type: 'AWS::IAM::User',
            id: user,
            name: user,
            properties: { UserName: user, MFADevices: devices },
            unknown: without(USER_SUB_RESOURCES, 'MFADevices'),
          },
        ]
      : [];
  },
  // Rows of the report, the root account's included (`<root_account>`, ARN `...:root`).
  'iam.GetCredentialReport': (data) =>
    credentialRows(decodeReport(data.Content)).flatMap((row) => {
      const arn = str(row.arn);
      const name = str(row.user);
      if (!arn || !name) return [];
      return [
        {
          type: 'AWS::IAM::User',
          id: arn,
          name,
          properties: { UserName: name, Arn: arn, CredentialReport: reportRow(row, data) },
          unknown: without(USER_SUB_RESOURCES, 'CredentialReport'),
        },
      ];
    }),
  'iam.ListRoles': (data) =>
    asList(data.Roles)
      .filter(isRecord)
      .flatMap((r) => {
        const arn = str(r.Arn);
        if (!arn) return [];
        return [
          {
            type: 'AWS::IAM::Role',
            id: arn,
            name: str(r.RoleName),
            properties: { ...r, AssumeRolePolicyDocument: parsePolicy(r.AssumeRolePolicyDocument) },
            tags: tagMap(r.Tags),
            unknown: ROLE_SUB_RESOURCES,
          },
        ];
      }),
  'iam.GetAccountPasswordPolicy': (data, ctx) => {
    if (ctx.status >= 300 && errorCode(data) !== 'NoSuchEntity') return [];
    // No policy set: the account falls back to IAM's defaults, which require nothing.
    const policy = isRecord(data.PasswordPolicy) ? data.PasswordPolicy : {};
    return [
      {
        type: 'AWS::IAM::AccountPasswordPolicy',
        id: 'account-password-policy',
        name: 'account password policy',
        properties: policy,
      },
    ];
  },
  'iam.ListPolicies': (data) =>
    asList(data.Policies)
      .filter(isRecord)
      .flatMap((p) => {
        const arn = str(p.Arn);
        return arn
          ? [
              {
                type: 'AWS::IAM::Policy',
                id: arn,
                name: str(p.PolicyName),
                properties: p,
                unknown: ['PolicyVersion'],
              },
            ]
          : [];
      }),
  'iam.GetPolicyVersion': (data, ctx) => {
    const policy = implied(ctx, 'iam.ListPolicies', 'Policies', 'Arn', 'PolicyName', 'policy');
    return [
      {
        type: 'AWS::IAM::Policy',
        id: policy.id,
        name: policy.name,
        properties: { PolicyVersion: policyVersion(data.PolicyVersion) },
      },
    ];
  },
};

// ---- other services ----------------------------------------------------------------------

function items(
  listKey: string,
  type: string,
  arnKey: string,
  nameKey: string,
  unknown?: string[],
): Mapper {
  return (data) =>
    asList(data[listKey])
      .filter(isRecord)
      .flatMap((item) => {
        const id = str(item[arnKey]) ?? str(item[nameKey]);
        if (!id) return [];
        return [
          {
            type,
            id,
            name: str(item[nameKey]) ?? id,
            properties: item,
            tags: tagMap(item.TagList ?? item.Tags),
            unknown,
          },
        ];
      });
}

const SERVICES: Record<string, Mapper> = {
  'rds.DescribeDBInstances': items(
    'DBInstances',
    'AWS::RDS::DBInstance',
    'DBInstanceArn',
    'DBInstanceIdentifier',
  ),
  'rds.DescribeDBClusters': items(
    'DBClusters',
    'AWS::RDS::DBCluster',
    'DBClusterArn',
    'DBClusterIdentifier',
  ),
  'kms.ListKeys': (data) =>
    asList(data.Keys)
      .filter(isRecord)
      .flatMap((k) => {
        const arn = str(k.KeyArn);
        return arn
          ? [
              {
                type: 'AWS::KMS::Key',
                id: arn,
                name: str(k.KeyId),
                properties: { KeyId: k.KeyId, Arn: arn },
                unknown: ['KeyRotationEnabled', 'Policy'],
              },
            ]
          : [];
      }),
  'kms.DescribeKey': (data) => {
    const meta = isRecord(data.KeyMetadata) ? data.KeyMetadata : undefined;
    const arn = str(meta?.Arn);
    if (!meta || !arn) return [];
    return [
      {
        type: 'AWS::KMS::Key',
        id: arn,
        name: str(meta.KeyId),
        properties: meta,
        account: str(meta.AWSAccountId),
        unknown: ['KeyRotationEnabled', 'Policy'],
      },
    ];
  },
  'kms.GetKeyRotationStatus': (data, ctx) => {
    const key = str(data.KeyId)
      ? { id: str(data.KeyId)!, name: str(data.KeyId)! }
      : implied(ctx, 'kms.ListKeys', 'Keys', 'KeyArn', 'KeyId', 'key');
    return [
      {
        type: 'AWS::KMS::Key',
        id: key.id,
        name: key.name,
        properties: { KeyRotationEnabled: data.KeyRotationEnabled },
        unknown: ['Policy'],
      },
    ];
  },
  'kms.GetKeyPolicy': (data, ctx) => {
    const key = implied(ctx, 'kms.ListKeys', 'Keys', 'KeyArn', 'KeyId', 'key');
    return [
      {
        type: 'AWS::KMS::Key',
        id: key.id,
        name: key.name,
        properties: { Policy: parsePolicy(data.Policy) },
        unknown: ['KeyRotationEnabled'],
      },
    ];
  },
  'cloudtrail.DescribeTrails': items('trailList', 'AWS::CloudTrail::Trail', 'TrailARN', 'Name', [
    'Status',
    'EventSelectors',
  ]),
  'cloudtrail.GetTrailStatus': (data, ctx) => {
    const trail = implied(
      ctx,
      'cloudtrail.DescribeTrails',
      'trailList',
      'TrailARN',
      'Name',
      'trail',
    );
    return [
      {
        type: 'AWS::CloudTrail::Trail',
        id: trail.id,
        name: trail.name,
        properties: { Status: data },
        unknown: ['EventSelectors'],
      },
    ];
  },
  'cloudtrail.GetEventSelectors': (data) => {
    const arn = str(data.TrailARN);
    return arn
      ? [
          {
            type: 'AWS::CloudTrail::Trail',
            id: arn,
            properties: {
              EventSelectors: asList(data.EventSelectors),
              ...(data.AdvancedEventSelectors
                ? { AdvancedEventSelectors: data.AdvancedEventSelectors }
                : {}),
            },
            unknown: ['Status'],
          },
        ]
      : [];
  },
  'lambda.ListFunctions': items(
    'Functions',
    'AWS::Lambda::Function',
    'FunctionArn',
    'FunctionName',
    ['Policy'],
  ),
  'lambda.GetPolicy': (data, ctx) => {
    const policy = parsePolicy(data.Policy);
    const statements = isRecord(policy) ? asList(policy.Statement).filter(isRecord) : [];
    const arn = statements
      .map((s) => s.Resource)
      .find((r): r is string => typeof r === 'string' && r.includes(':function:'));
    const fn = arn
      ? { id: arn.replace(/:\$LATEST$/, ''), name: arn.split(':function:')[1]!.split(':')[0]! }
      : implied(
          ctx,
          'lambda.ListFunctions',
          'Functions',
          'FunctionArn',
          'FunctionName',
          'function',
        );
    return [
      { type: 'AWS::Lambda::Function', id: fn.id, name: fn.name, properties: { Policy: policy } },
    ];
  },
  'eks.DescribeCluster': (data) => {
    const c = isRecord(data.cluster) ? data.cluster : undefined;
    const arn = str(c?.arn);
    return c && arn
      ? [
          {
            type: 'AWS::EKS::Cluster',
            id: arn,
            name: str(c.name),
            properties: c,
            tags: tagMap(c.tags),
          },
        ]
      : [];
  },
  'elbv2.DescribeLoadBalancers': items(
    'LoadBalancers',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'LoadBalancerArn',
    'LoadBalancerName',
    ['Attributes', 'Listeners'],
  ),
  'elbv2.DescribeLoadBalancerAttributes': (data, ctx) => {
    const lb = implied(
      ctx,
      'elbv2.DescribeLoadBalancers',
      'LoadBalancers',
      'LoadBalancerArn',
      'LoadBalancerName',
      'load-balancer',
    );
    const attributes = Object.fromEntries(
      asList(data.Attributes)
        .filter(isRecord)
        .map((a) => [textOf(a.Key), a.Value]),
    );
    return [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        id: lb.id,
        name: lb.name,
        properties: { Attributes: attributes },
        unknown: ['Listeners'],
      },
    ];
  },
  'elbv2.DescribeListeners': (data) => {
    const byLb = new Map<string, Props[]>();
    for (const l of asList(data.Listeners).filter(isRecord)) {
      const arn = str(l.LoadBalancerArn);
      if (arn) byLb.set(arn, [...(byLb.get(arn) ?? []), l]);
    }
    return [...byLb].map(([id, listeners]) => ({
      type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      id,
      properties: { Listeners: listeners },
      unknown: ['Attributes'],
    }));
  },
  'elb.DescribeLoadBalancers': items(
    'LoadBalancerDescriptions',
    'AWS::ElasticLoadBalancing::LoadBalancer',
    'LoadBalancerName',
    'LoadBalancerName',
    ['Attributes'],
  ),
  'dynamodb.DescribeTable': (data) => {
    const t = isRecord(data.Table) ? data.Table : undefined;
    const arn = str(t?.TableArn);
    return t && arn
      ? [
          {
            type: 'AWS::DynamoDB::Table',
            id: arn,
            name: str(t.TableName),
            properties: t,
            unknown: ['ContinuousBackups'],
          },
        ]
      : [];
  },
  'ecr.DescribeRepositories': items(
    'repositories',
    'AWS::ECR::Repository',
    'repositoryArn',
    'repositoryName',
  ),
  'efs.DescribeFileSystems': items(
    'FileSystems',
    'AWS::EFS::FileSystem',
    'FileSystemArn',
    'FileSystemId',
  ),
  'logs.DescribeLogGroups': items('logGroups', 'AWS::Logs::LogGroup', 'arn', 'logGroupName'),
  'elasticache.DescribeReplicationGroups': items(
    'ReplicationGroups',
    'AWS::ElastiCache::ReplicationGroup',
    'ARN',
    'ReplicationGroupId',
  ),
};

const MAPPERS: Record<string, Mapper> = { ...S3, ...EC2, ...IAM, ...SERVICES };

/** True when `call` (`service.Operation`) has a mapping. */
export function isMappedCall(call: string): boolean {
  return call in MAPPERS;
}

/**
 * Maps one response. `call` is `service.Operation` as boto3 names it (`ec2.DescribeVpcs`).
 *
 * ```ts
 * mapApiCall('ec2.DescribeVpcs', { Vpcs: [...] }, { status: 200, folder: 'x', sibling: () => [] });
 * ```
 */
export function mapApiCall(call: string, data: Props, ctx: ApiCallContext): InventoryInput[] {
  const mapper = MAPPERS[call];
  return mapper ? mapper(data, ctx) : [];
}
