/**
 * Terraform types that only configure another block (a bucket's ACL, a security group's rules)
 * and have no resource of their own. One whose owner is not declared in the configuration (a
 * shared group found by a data source, a bucket of another stack named by its id) is still
 * judged: the owner is built from the blocks that configure it, holding what they set, with the
 * rest of it unknown, so a rule that fails on what they set fails and a rule that needs the rest
 * cannot be judged.
 */

import { unknownValue, type Resource } from '../../../model/resource.js';
import { ANY_OTHER_PROPERTY } from '../../../posture/unknown-tracker.js';
import { attributeReferences } from '../../terraform/attribute-references.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { unknownPaths } from './tf-resource.js';
import { knownString } from './tf-values.js';

/** A property of the owner a companion writes: whole, or entries of a list the owner may extend. */
interface Sets {
  path: string;
  /** True for a list that holds these entries and maybe others set where the owner is declared. */
  list?: true;
}

interface Companion {
  /** What it configures, in the words of the warning. */
  what: string;
  /** The Terraform type of the block it configures, whose translator builds the owner. */
  owner?: string;
  /** Its attribute that names the owner. */
  attr?: string;
  /** The owner's properties it writes. */
  sets?: Sets[];
}

const bucket = (path: string): Companion => ({
  what: 'bucket',
  owner: 'aws_s3_bucket',
  attr: 'bucket',
  sets: [{ path }],
});
const groupRules = (...paths: string[]): Companion => ({
  what: 'security group',
  owner: 'aws_security_group',
  attr: 'security_group_id',
  sets: paths.map((path) => ({ path, list: true })),
});

/** Decorating type → what it configures and how it is judged when its owner is elsewhere. */
const COMPANIONS: Record<string, Companion> = {
  aws_s3_bucket_acl: bucket('Acl'),
  aws_s3_bucket_policy: bucket('Policy'),
  aws_s3_bucket_public_access_block: bucket('PublicAccessBlockConfiguration'),
  aws_s3_bucket_server_side_encryption_configuration: bucket('ServerSideEncryptionConfiguration'),
  aws_s3_bucket_versioning: bucket('Versioning'),
  aws_s3_bucket_logging: bucket('Logging'),
  aws_s3_bucket_lifecycle_configuration: bucket('LifecycleConfiguration'),
  aws_s3_bucket_object_lock_configuration: bucket('ObjectLockConfiguration'),
  aws_s3_bucket_replication_configuration: bucket('ReplicationConfiguration'),
  aws_s3_bucket_website_configuration: bucket('WebsiteConfiguration'),
  aws_security_group_rule: groupRules('IpPermissions', 'IpPermissionsEgress'),
  aws_vpc_security_group_ingress_rule: groupRules('IpPermissions'),
  aws_vpc_security_group_egress_rule: groupRules('IpPermissionsEgress'),
  aws_network_acl_rule: {
    what: 'network ACL',
    owner: 'aws_network_acl',
    attr: 'network_acl_id',
    sets: [{ path: 'Entries', list: true }],
  },
  aws_sqs_queue_policy: {
    what: 'queue',
    owner: 'aws_sqs_queue',
    attr: 'queue_url',
    sets: [{ path: 'Attributes.Policy' }],
  },
  aws_sns_topic_policy: {
    what: 'topic',
    owner: 'aws_sns_topic',
    attr: 'arn',
    sets: [{ path: 'Attributes.Policy' }],
  },
  aws_ecr_repository_policy: {
    what: 'repository',
    owner: 'aws_ecr_repository',
    attr: 'repository',
    sets: [{ path: 'policy' }],
  },
  aws_efs_backup_policy: {
    what: 'file system',
    owner: 'aws_efs_file_system',
    attr: 'file_system_id',
    sets: [{ path: 'BackupPolicy' }],
  },
  aws_opensearch_domain_policy: {
    what: 'domain',
    owner: 'aws_opensearch_domain',
    attr: 'domain_name',
    sets: [{ path: 'AccessPolicies' }],
  },
  aws_elasticsearch_domain_policy: {
    what: 'domain',
    owner: 'aws_elasticsearch_domain',
    attr: 'domain_name',
    sets: [{ path: 'AccessPolicies' }],
  },
  aws_redshift_logging: {
    what: 'cluster',
    owner: 'aws_redshift_cluster',
    attr: 'cluster_identifier',
    sets: [{ path: 'LoggingStatus' }],
  },
  // An alias only names its key: there is nothing of the key to judge from it.
  aws_kms_alias: { what: 'key' },
  aws_lambda_permission: {
    what: 'function',
    owner: 'aws_lambda_function',
    attr: 'function_name',
    sets: [{ path: 'Policy' }, { path: 'Policy.Statement', list: true }],
  },
  aws_lambda_function_url: {
    what: 'function',
    owner: 'aws_lambda_function',
    attr: 'function_name',
    sets: [{ path: 'FunctionUrlConfigs', list: true }],
  },
};

/**
 * The owner's attribute that holds its name, and the name in a literal the companion names it by
 * (a bucket's `bucket` is its name, a queue's URL and a topic's ARN end with it; a group's
 * `sg-…` id holds none). A data source that finds the owner by that attribute gives it too.
 */
const OWNER_NAMES: Record<string, { attr: string; literal?: (text: string) => string }> = {
  aws_security_group: { attr: 'name' },
  aws_s3_bucket: { attr: 'bucket', literal: (t) => t },
  aws_sqs_queue: { attr: 'name', literal: (t) => t.slice(t.lastIndexOf('/') + 1) },
  aws_sns_topic: { attr: 'name', literal: (t) => t.slice(t.lastIndexOf(':') + 1) },
  aws_ecr_repository: { attr: 'name', literal: (t) => t },
  aws_opensearch_domain: { attr: 'domain_name', literal: (t) => t },
  aws_elasticsearch_domain: { attr: 'domain_name', literal: (t) => t },
  aws_redshift_cluster: { attr: 'cluster_identifier', literal: (t) => t },
  aws_lambda_function: { attr: 'function_name', literal: (t) => t },
};

/** The marker closing a list of which only the entries written here are known. */
const OTHER_ENTRIES = unknownValue(
  'the resource is not declared in this configuration; entries set where it is declared may follow',
);

/** Builds the owner's resource from a stand-in block, with `ctx.owned` handing it `companions`. */
export type OwnerTranslator = (
  ownerType: string,
  block: TerraformBlock,
  ctx: AwsContext,
) => Resource | undefined;

/** Companions whose owner is undeclared, as resources built from them, and what to tell. */
export interface UndeclaredOwners {
  resources: Resource[];
  warnings: string[];
}

/**
 * For every decorating block no declared owner took, the owner it names built from it (and from
 * the other blocks naming the same owner), and one sentence naming its address and place.
 *
 * ```ts
 * undeclaredOwners(ctx, translate); // resources: [the shared group with the rule's ingress]
 * ```
 */
export function undeclaredOwners(ctx: AwsContext, translate: OwnerTranslator): UndeclaredOwners {
  const tf = ctx.tf;
  const warnings: string[] = [];
  /** Owner key (its type and the address or literal naming it) → the blocks that configure it. */
  const groups = new Map<string, { owner: string; key: string; blocks: TerraformBlock[] }>();
  for (const b of tf.blocks) {
    if (b.mode !== 'managed' || ctx.joined.has(b) || !Object.hasOwn(COMPANIONS, b.type)) continue;
    const companion = COMPANIONS[b.type];
    const key = companion.owner && companion.attr ? ownerKey(ctx, b, companion.attr) : undefined;
    if (!companion.owner || key === undefined) {
      warnings.push(
        `${placeOf(b)} configures a ${companion.what} that is not declared in this ` +
          `configuration or could not be matched to one; its settings are not assessed`,
      );
      continue;
    }
    // Bucket names are global: a data source and a literal naming the same bucket configure one.
    const bucketName =
      companion.owner === 'aws_s3_bucket' ? ownerName(ctx, companion.owner, key, b) : undefined;
    const id = `${companion.owner}\u0000${bucketName === undefined ? key : `\u0000${bucketName}`}`;
    const group = groups.get(id) ?? { owner: companion.owner, key, blocks: [] };
    group.blocks.push(b);
    groups.set(id, group);
  }

  const resources: Resource[] = [];
  for (const { owner, key, blocks } of groups.values()) {
    const resource = ownerFrom(ctx, translate, owner, key, blocks);
    for (const b of blocks) {
      const what = COMPANIONS[b.type].what;
      warnings.push(
        resource
          ? `${placeOf(b)} configures a ${what} that is not declared in this configuration ` +
              `(${key}); the ${what} is judged as ${resource.name} on what the blocks here set, ` +
              `and a rule that needs its other settings is not judged`
          : `${placeOf(b)} configures a ${what} that is not declared in this configuration ` +
              `(${key}); its settings are not assessed`,
      );
    }
    if (resource) resources.push(resource);
  }
  return { resources, warnings };
}

function placeOf(b: TerraformBlock): string {
  return b.file ? `${b.address} (${b.file}${b.line ? `:${b.line}` : ''})` : b.address;
}

/**
 * What names the owner: the one block the attribute refers to (`data.aws_security_group.shared`),
 * else the literal written or planned (`sg-0123…`), else the attribute itself, as only this block
 * is known to point at that owner. Undefined when it refers to a declared block that did not take it:
 * a resource built here would stand beside that block's under the same id.
 */
function ownerKey(ctx: AwsContext, b: TerraformBlock, attr: string): string | undefined {
  const refs = attributeReferences(b, attr) ?? [];
  // A plan lists both `data.x.y.id` and `data.x.y`: what counts is the blocks they reach.
  const targets = new Set(refs.map((r) => ctx.tf.byAddress(r)).filter((t) => t !== undefined));
  if (targets.size === 1) {
    const [target] = targets;
    return target.mode === 'managed' ? undefined : target.address;
  }
  const literal = knownString(b.attributes[attr]);
  if (literal !== undefined && targets.size === 0) return literal;
  return `${b.address}.${attr}`;
}

/** The owner's name, where the data source that finds it or the literal naming it gives it. */
function ownerName(
  ctx: AwsContext,
  owner: string,
  key: string,
  b: TerraformBlock,
): string | undefined {
  const names = Object.hasOwn(OWNER_NAMES, owner) ? OWNER_NAMES[owner] : undefined;
  if (!names) return undefined;
  const found = ctx.tf.byAddress(key);
  if (found?.mode === 'data') return knownString(found.attributes[names.attr]);
  const literal = knownString(b.attributes[COMPANIONS[b.type].attr!]);
  return literal === key && names.literal ? names.literal(literal) || undefined : undefined;
}

function ownerFrom(
  ctx: AwsContext,
  translate: OwnerTranslator,
  owner: string,
  key: string,
  blocks: TerraformBlock[],
): Resource | undefined {
  const first = blocks[0];
  const names = Object.hasOwn(OWNER_NAMES, owner) ? OWNER_NAMES[owner] : undefined;
  const attributes: Record<string, unknown> = {};
  const name = ownerName(ctx, owner, key, first);
  if (names && name !== undefined) attributes[names.attr] = name;

  const standIn: TerraformBlock = {
    mode: 'managed',
    type: owner,
    name: key,
    address: key,
    module: first.module,
    attributes,
    references: [],
    file: first.file,
    line: first.line,
    providerConfig: first.providerConfig,
  };
  const joined = new Set<TerraformBlock>();
  const built = translate(owner, standIn, {
    ...ctx,
    owned: (type) => blocks.filter((b) => b.type === type),
    joined,
  });
  if (!built) return undefined;

  // Only what the blocks here write is kept: the translator's defaults for the rest (a new
  // bucket's encryption, a new group's description) say nothing of a resource made elsewhere.
  const properties: Record<string, unknown> = {};
  const unknown = new Set<string>([ANY_OTHER_PROPERTY]);
  if (names && name !== undefined) {
    const nameProperty = namePropertyOf(built, name);
    if (nameProperty) properties[nameProperty] = name;
  }
  const done = new Set<string>();
  for (const b of blocks) {
    for (const { path, list } of COMPANIONS[b.type].sets ?? []) {
      if (done.has(path)) continue;
      done.add(path);
      const value = valueAt(built.properties, path);
      if (value === undefined) continue;
      if (list) {
        if (!Array.isArray(value) || value.length === 0) continue;
        setAt(properties, path, [...(value as unknown[]), OTHER_ENTRIES], unknown);
      } else {
        setAt(properties, path, value, unknown);
      }
    }
  }
  for (const path of unknownPaths(properties)) unknown.add(path);

  const suppressions = blocks.flatMap((b) => b.suppressions ?? []);
  const resource: Resource = {
    ...built,
    id: built.id === key || name === undefined ? key : built.id,
    name: name ?? key,
    tags: {},
    properties,
    relationships: [],
    unknown: [...unknown],
  };
  delete resource.suppressions;
  if (suppressions.length > 0) resource.suppressions = suppressions.map((s) => ({ ...s }));
  return resource;
}

/** The top-level property the translator put the owner's known name in, if any. */
function namePropertyOf(built: Resource, name: string): string | undefined {
  for (const [k, v] of Object.entries(built.properties)) if (v === name) return k;
  return undefined;
}

function valueAt(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * Writes `value` at `path`, copying the objects on the way; every object made on the way holds
 * only this, so the rest of it is noted unknown (`Attributes.*`).
 */
function setAt(
  target: Record<string, unknown>,
  path: string,
  value: unknown,
  unknown: Set<string>,
): void {
  const keys = path.split('.');
  let at = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = at[keys[i]];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      at = at[keys[i]] = { ...(next as Record<string, unknown>) };
    } else {
      at = at[keys[i]] = {};
      unknown.add(`${keys.slice(0, i + 1).join('.')}.${ANY_OTHER_PROPERTY}`);
    }
  }
  at[keys[keys.length - 1]] = value;
}
