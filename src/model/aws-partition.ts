/**
 * The AWS partition (`aws`, `aws-cn`, `aws-us-gov`) and its DNS suffix as IaC refers to them:
 * known only at deploy, yet an ARN built from them names the same managed policy or service in
 * every partition.
 *
 * A reference to either is an unknown marker that remembers the text it was written as. Where an
 * IaC evaluator builds a string around it (CloudFormation `Fn::Sub` and `Fn::Join`, a Terraform
 * template), the string keeps that text as a placeholder:
 * `arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess`. Partition-agnostic comparisons
 * (`arnMatchesAnyPartition`) see through it; everywhere the partition's own value would decide
 * (an equality, a split, a string function) the evaluators give unknown instead of a guess.
 *
 * ```ts
 * const partition = partitionReference('AWS::Partition');
 * placeholderOf(partition); // '${AWS::Partition}'
 * holdsPartitionPlaceholder('arn:${AWS::Partition}:s3:::logs'); // true
 * ```
 */

import { unknownValue, type UnknownValue } from './resource.js';

/** Placeholder text of each partition reference marker. */
const placeholders = new WeakMap<object, string>();

/** A `${...}` placeholder of a partition reference, as the two IaC evaluators write it. */
const PLACEHOLDER = /\$\{(?:AWS::Partition|AWS::URLSuffix|[^}]*data\.aws_partition\.[^}]*)\}/;

/**
 * The unknown marker for a reference to the partition or its DNS suffix (`AWS::Partition`,
 * `data.aws_partition.current.partition`), remembering the reference's text.
 */
export function partitionReference(reference: string): UnknownValue {
  const marker = unknownValue(`${reference} is known only at deploy`);
  placeholders.set(marker, `\${${reference}}`);
  return marker;
}

/** The placeholder text (`${AWS::Partition}`) a partition reference marker stands for. */
export function placeholderOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? placeholders.get(value) : undefined;
}

/** The DNS suffix of each partition a service principal may be written with. */
const DNS_SUFFIXES = ['.amazonaws.com', '.amazonaws.com.cn'];

/** The service part of a service principal, `events.` or `logs.eu-west-1.`. */
const SERVICE_NAME = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.$/;

/**
 * True when `principal` names an AWS service rather than an account, role or user, in any
 * partition: `events.amazonaws.com`, `events.amazonaws.com.cn`, `events.${AWS::URLSuffix}`,
 * `events.${data.aws_partition.current.dns_suffix}`.
 */
export function isServicePrincipal(principal: unknown): principal is string {
  if (typeof principal !== 'string') return false;
  const suffix = dnsSuffixStart(principal);
  return suffix > 0 && SERVICE_NAME.test(principal.slice(0, suffix));
}

/** Where the partition's DNS suffix starts in `principal`, written out or as placeholder; or -1. */
function dnsSuffixStart(principal: string): number {
  const placeholder = principal.lastIndexOf('${');
  if (placeholder >= 0) {
    return isDnsSuffixPlaceholder(principal.slice(placeholder)) ? placeholder : -1;
  }
  const suffix = DNS_SUFFIXES.find((s) => principal.endsWith(s));
  return suffix === undefined ? -1 : principal.length - suffix.length + 1;
}

/** `${AWS::URLSuffix}` or `${data.aws_partition.<name>.dns_suffix}`, as the evaluators write them. */
function isDnsSuffixPlaceholder(text: string): boolean {
  if (text === '${AWS::URLSuffix}') return true;
  return (
    text.indexOf('}') === text.length - 1 &&
    text.endsWith('.dns_suffix}') &&
    /^\$\{(?:[^}]*\.)?data\.aws_partition\./.test(text)
  );
}

/** True when a string anywhere in `value` holds a partition placeholder. */
export function holdsPartitionPlaceholder(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return PLACEHOLDER.test(value);
  if (depth > 64 || typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((v) => holdsPartitionPlaceholder(v, depth + 1));
}
