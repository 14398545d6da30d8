/**
 * Turns an AWS Config configuration item's `configuration` and `supplementaryConfiguration`
 * (Java SDK camelCase, JSON-in-strings) into the describe API's shape for that type.
 */

import { asList, isRecord, parsePolicy, str, textOf, type Props } from './aws-api-values.js';
import { isJsonObjectText } from './json-object-text.js';
import { lazyField } from '../lazy-field.js';

/** Types whose describe API is camelCase already: their configuration is kept as is. */
const CAMEL_CASE_TYPES = new Set([
  'AWS::EKS::Cluster',
  'AWS::ECR::Repository',
  'AWS::Logs::LogGroup',
]);

/** Values that are user data or policy text: keys inside them are never renamed. */
const OPAQUE_KEYS = new Set([
  'tags',
  'policyDocument',
  'assumeRolePolicyDocument',
  'policyText',
  'variables',
  'document',
  'keyPolicy',
]);

/** Lower-cased prefixes the Java SDK mangles, with the API's spelling. */
const PREFIXES: [RegExp, string][] = [
  [/^dbcluster/, 'DBCluster'],
  [/^dbsubnet/, 'DBSubnet'],
  [/^dbinstance/, 'DBInstance'],
  [/^dbparameter/, 'DBParameter'],
  [/^dbsecurity/, 'DBSecurity'],
  [/^iamdatabase/, 'IAMDatabase'],
  [/^dB/, 'DB'],
  [/^dNS/, 'DNS'],
  [/^sseAlgorithm$/, 'SSEAlgorithm'],
  [/^kmsMasterKeyID$/, 'KMSMasterKeyID'],
  [/^aRN$/, 'ARN'],
];

function convertKey(key: string): string {
  for (const [pattern, replacement] of PREFIXES) {
    if (pattern.test(key)) return key.replace(pattern, replacement);
  }
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** Keys repeat across items: converted names are remembered (a bounded number of them). */
const pascalCache = new Map<string, string>();
const PASCAL_CACHE_MAX = 10_000;

export function pascalKey(key: string): string {
  const cached = pascalCache.get(key);
  if (cached !== undefined) return cached;
  const converted = convertKey(key);
  if (pascalCache.size < PASCAL_CACHE_MAX) pascalCache.set(key, converted);
  return converted;
}

/** Renames keys to PascalCase, leaving user data and policy documents alone. */
export function toPascal(value: unknown, depth = 0): unknown {
  if (depth > 100) return value;
  if (Array.isArray(value)) return value.map((v) => toPascal(v, depth + 1));
  if (!isRecord(value)) return value;
  const out: Props = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = value[key];
    out[pascalKey(key)] = OPAQUE_KEYS.has(key) ? parsePolicy(v) : toPascal(v, depth + 1);
  }
  return out;
}

/** `v` without surrounding white space; trim() copies, so only when there is some to remove. */
function trimmed(v: string): string {
  return SPACE.test(v.charAt(0)) || SPACE.test(v.charAt(v.length - 1)) ? v.trim() : v;
}

/** Config stores some values as JSON text, sometimes encoded twice. */
export function jsonValue(v: unknown, depth = 0): unknown {
  if (typeof v !== 'string' || depth > 3) return v;
  const text = trimmed(v);
  if (!text.startsWith('{') && !text.startsWith('[') && !text.startsWith('"')) return v;
  try {
    return jsonValue(JSON.parse(text), depth + 1);
  } catch {
    return v;
  }
}

/** Longest text a `TextMemo` keeps, and how many it keeps. */
const MEMO_TEXT_MAX = 1024;
const MEMO_TEXTS_MAX = 1000;

/** Texts of one length a `TextMemo` keeps at most: a text is compared with each of them. */
const MEMO_TEXTS_PER_LENGTH = 8;

/**
 * Results by JSON text, for the short texts S3 items repeat from bucket to bucket (an account's
 * default ACL, `{"status":"Off","isMfaDeleteEnabled":null}`, `{"configurations":{}}`): each is
 * parsed or checked once. A bounded number of texts is kept, each short.
 *
 * Found by length and compared, not looked up in a map by text: every bucket's texts are new
 * strings, which a map hashes in full (character by character, four texts a bucket) before it
 * compares them anyway; a comparison alone is a fast scan that stops at the first difference.
 * This took a third off building S3 bucket shapes.
 */
class TextMemo<T> {
  #byLength = new Map<number, { text: string; result: T }[]>();
  #size = 0;

  constructor(readonly compute: (text: string) => T) {}

  get(text: string): T {
    if (text.length > MEMO_TEXT_MAX) return this.compute(text);
    let known = this.#byLength.get(text.length);
    const found = known?.find((entry) => entry.text === text);
    if (found) return found.result;
    const result = this.compute(text);
    if (this.#size >= MEMO_TEXTS_MAX) return result;
    if (!known) this.#byLength.set(text.length, (known = []));
    if (known.length < MEMO_TEXTS_PER_LENGTH) {
      known.push({ text, result });
      this.#size += 1;
    }
    return result;
  }
}

/**
 * `jsonValue` of texts the shape only reads from: it builds its own objects from the value, so
 * buckets with the same text share no object a change to one would change in the others.
 */
const readOnlyValues = new TextMemo<unknown>((text) => jsonValue(text));

/** `jsonValue`, with a short text's value read from `readOnlyValues`. */
function readOnlyJsonValue(v: unknown): unknown {
  return typeof v === 'string' ? readOnlyValues.get(v) : v;
}

/** Whether a supplementary configuration's text holds one JSON object. */
const objectTexts = new TextMemo<boolean>(isJsonObjectText);

/** What `trim()` removes (white space and line terminators). */
const SPACE = /\s/;

const GROUP_URIS: Record<string, string> = {
  AllUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  AuthenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  LogDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
};

const PERMISSIONS: Record<string, string> = {
  FullControl: 'FULL_CONTROL',
  Read: 'READ',
  Write: 'WRITE',
  ReadAcp: 'READ_ACP',
  WriteAcp: 'WRITE_ACP',
};

function grantee(g: unknown): Props {
  if (typeof g === 'string') return { Type: 'Group', URI: GROUP_URIS[g] ?? g };
  if (!isRecord(g)) return {};
  if (g.emailAddress !== undefined)
    return { Type: 'AmazonCustomerByEmail', EmailAddress: g.emailAddress };
  // Keys set one by one, not spread from literals made for it: every bucket's grants pass here.
  const out: Props = { Type: 'CanonicalUser', ID: g.id };
  if (g.displayName) out.DisplayName = g.displayName;
  return out;
}

function s3Acl(raw: unknown): Props | undefined {
  const acl = readOnlyJsonValue(raw);
  if (!isRecord(acl)) return undefined;
  const owner: Props = {};
  if (isRecord(acl.owner)) {
    owner.ID = acl.owner.id;
    if (acl.owner.displayName) owner.DisplayName = acl.owner.displayName;
  }
  const grants: Props[] = [];
  for (const g of asList(acl.grantList)) {
    if (!isRecord(g)) continue;
    grants.push({
      Grantee: grantee(g.grantee),
      Permission: PERMISSIONS[textOf(g.permission)] ?? g.permission,
    });
  }
  return { Owner: owner, Grants: grants };
}

/** S3 supplementary configuration -> the Get* results of the bucket (see resource-shapes-aws). */
function s3Bucket(config: Props, supplementary: Props, name: string): Props {
  const out: Props = { Name: str(config.name) ?? name, CreationDate: config.creationDate };
  if (isRecord(config.owner))
    out.Owner = { ID: config.owner.id, DisplayName: config.owner.displayName };

  const acl = s3Acl(supplementary.AccessControlList);
  if (acl) out.Acl = acl;
  const policy = jsonValue(supplementary.BucketPolicy);
  if (isRecord(policy) && typeof policy.policyText === 'string')
    out.Policy = parsePolicy(policy.policyText);
  const versioning = readOnlyJsonValue(supplementary.BucketVersioningConfiguration);
  if (isRecord(versioning)) {
    const status = versioning.status === 'Off' ? undefined : versioning.status;
    const mfa = versioning.isMfaDeleteEnabled;
    const shape: Props = {};
    if (status) shape.Status = status;
    if (typeof mfa === 'boolean') shape.MFADelete = mfa ? 'Enabled' : 'Disabled';
    out.Versioning = shape;
  }
  const logging = readOnlyJsonValue(supplementary.BucketLoggingConfiguration);
  if (isRecord(logging)) {
    out.Logging = logging.destinationBucketName
      ? {
          LoggingEnabled: {
            TargetBucket: logging.destinationBucketName,
            TargetPrefix: logging.logFilePrefix ?? '',
          },
        }
      : {};
  }
  for (const [from, to] of S3_SUPPLEMENTARY_RENAMES) {
    const raw = supplementary[from];
    const text = typeof raw === 'string' ? trimmed(raw) : undefined;
    if (text?.startsWith('{')) {
      // JSON text of an object: the key exists exactly when the text is valid, and the value is
      // parsed and renamed when first read (lifecycle and notification configurations are large
      // and few rules read them).
      if (objectTexts.get(text)) lazyField(out, to, () => toPascal(JSON.parse(text)));
      continue;
    }
    const value = jsonValue(raw);
    if (isRecord(value)) out[to] = toPascal(value);
  }
  return out;
}

function ipRanges(permission: Props): Props {
  const v4 = asList(permission.Ipv4Ranges);
  const ranges =
    v4.length > 0
      ? v4
      : asList(permission.IpRanges).map((r) => (typeof r === 'string' ? { CidrIp: r } : r));
  const rest = { ...permission };
  delete rest.Ipv4Ranges;
  return { ...rest, IpRanges: ranges };
}

/**
 * A load balancer's attribute list (`[{ key, value }]`) as a map, as `Object.fromEntries` makes
 * it, in a loop: `fromEntries` took ten times as long on these short lists.
 */
function attributeMap(list: unknown): Props {
  const out: Props = {};
  for (const a of asList(list)) {
    if (!isRecord(a)) continue;
    const key = textOf(a.key ?? a.Key);
    const value = a.value ?? a.Value;
    // An own property named `__proto__`, as `fromEntries` defines it, not the prototype setter.
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else out[key] = value;
  }
  return out;
}

/** Per-type touches after the generic renaming. */
function finish(type: string, shape: Props, supplementary: Props): Props {
  if (type === 'AWS::EC2::SecurityGroup') {
    for (const key of ['IpPermissions', 'IpPermissionsEgress']) {
      shape[key] = asList(shape[key]).filter(isRecord).map(ipRanges);
    }
  }
  if (type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
    shape.Attributes = attributeMap(readOnlyJsonValue(supplementary.LoadBalancerAttributes));
  }
  if (type === 'AWS::IAM::User' || type === 'AWS::IAM::Role' || type === 'AWS::IAM::Group') {
    const [listKey, target] =
      type === 'AWS::IAM::User'
        ? ['UserPolicyList', 'UserPolicies']
        : type === 'AWS::IAM::Role'
          ? ['RolePolicyList', 'RolePolicies']
          : ['GroupPolicyList', 'GroupPolicies'];
    shape[target] = asList(shape[listKey]);
    delete shape[listKey];
  }
  if (type === 'AWS::IAM::Policy') {
    const versions = asList(shape.PolicyVersionList).filter(isRecord);
    const current = versions.find((v) => v.IsDefaultVersion === true) ?? versions[0];
    if (current) shape.PolicyVersion = current;
  }
  return shape;
}

/**
 * S3 supplementary configurations (JSON text in a Config item) and the key each takes in the
 * bucket's describe-API shape.
 */
export const S3_SUPPLEMENTARY_RENAMES: readonly [string, string][] = [
  ['PublicAccessBlockConfiguration', 'PublicAccessBlockConfiguration'],
  ['ServerSideEncryptionConfiguration', 'ServerSideEncryptionConfiguration'],
  ['BucketLifecycleConfiguration', 'LifecycleConfiguration'],
  ['BucketReplicationConfiguration', 'ReplicationConfiguration'],
  ['BucketWebsiteConfiguration', 'WebsiteConfiguration'],
  ['BucketObjectLockConfiguration', 'ObjectLockConfiguration'],
  ['BucketNotificationConfiguration', 'NotificationConfiguration'],
];

/** The describe-API shape of one configuration item. */
export function configShape(
  type: string,
  configuration: unknown,
  supplementaryRaw: unknown,
  name: string,
): Props {
  const config = jsonValue(configuration);
  const supplementary = isRecord(supplementaryRaw) ? supplementaryRaw : {};
  const base = isRecord(config) ? config : {};
  if (type === 'AWS::S3::Bucket') return s3Bucket(base, supplementary, name);
  if (CAMEL_CASE_TYPES.has(type)) return base;
  return finish(type, toPascal(base) as Props, supplementary);
}
