/**
 * IAM roles, users, groups and managed policies -> the IAM API shapes (GetRole, GetUser,
 * ListPolicies + GetPolicyVersion), with inline and attached policies listed on their owner.
 */

import { unknownValue } from '../../model/resource.js';
import { asList, isRecord, lastSegment, or, policy, type Props } from './cfn-values.js';

function attached(arns: unknown): Props[] {
  return asList(arns).map((arn) => ({ PolicyName: lastSegment(arn), PolicyArn: arn }));
}

function inline(policies: unknown): Props[] {
  return asList(policies)
    .filter(isRecord)
    .map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: policy(p.PolicyDocument) }));
}

export function translateRole(p: Props): Props {
  return {
    RoleName: or(p.RoleName, unknownValue('role name generated at deploy')),
    Path: or(p.Path, '/'),
    AssumeRolePolicyDocument: policy(p.AssumeRolePolicyDocument),
    AttachedManagedPolicies: attached(p.ManagedPolicyArns),
    RolePolicies: inline(p.Policies),
    MaxSessionDuration: or(p.MaxSessionDuration, 3600),
    ...(p.PermissionsBoundary !== undefined
      ? { PermissionsBoundary: { PermissionsBoundaryArn: p.PermissionsBoundary } }
      : {}),
  };
}

export function translateUser(p: Props): Props {
  const out: Props = {
    UserName: or(p.UserName, unknownValue('user name generated at deploy')),
    Path: or(p.Path, '/'),
    AttachedManagedPolicies: attached(p.ManagedPolicyArns),
    UserPolicies: inline(p.Policies),
    Groups: asList(p.Groups),
    AccessKeys: [],
    MFADevices: [],
  };
  if (isRecord(p.LoginProfile))
    out.LoginProfile = {
      CreateDate: unknownValue('set at deploy'),
      PasswordResetRequired: or(p.LoginProfile.PasswordResetRequired, false),
    };
  return out;
}

export function translateGroup(p: Props): Props {
  return {
    GroupName: or(p.GroupName, unknownValue('group name generated at deploy')),
    Path: or(p.Path, '/'),
    AttachedManagedPolicies: attached(p.ManagedPolicyArns),
    GroupPolicies: inline(p.Policies),
  };
}

/** AWS::IAM::ManagedPolicy and inline AWS::IAM::Policy both read as a policy with one version. */
export function translateManagedPolicy(p: Props): Props {
  const attachments = asList(p.Roles).length + asList(p.Users).length + asList(p.Groups).length;
  return {
    PolicyName: or(
      p.ManagedPolicyName ?? p.PolicyName,
      unknownValue('policy name generated at deploy'),
    ),
    Path: or(p.Path, '/'),
    Description: p.Description,
    IsAttachable: true,
    AttachmentCount: attachments,
    PolicyVersion: { Document: policy(p.PolicyDocument), VersionId: 'v1', IsDefaultVersion: true },
  };
}

export function translateAccessKey(p: Props): Props {
  return {
    UserName: p.UserName,
    Status: or(p.Status, 'Active'),
    AccessKeyId: unknownValue('issued at deploy'),
  };
}
