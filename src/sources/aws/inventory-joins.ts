/**
 * Joins AWS inventory records that describe one resource from different API calls under
 * different ids, after fragments with the same id are merged: an instance and the volumes
 * DescribeVolumes lists for it, an instance and the user data DescribeInstanceAttribute gave.
 */

import { INVENTORY_SOURCE_KINDS, type Resource } from '../../model/resource.js';
import { ANY_OTHER_PROPERTY } from '../../posture/unknown-tracker.js';
import { mergeInventoryFragments } from '../inventory-merge.js';
import { arnParts, asList, isRecord, str, type Props } from './aws-api-values.js';

const INSTANCE = 'AWS::EC2::Instance';
const VOLUME = 'AWS::EC2::Volume';
const KEY = 'AWS::KMS::Key';

function isAwsInventory(r: Resource): boolean {
  return r.cloud === 'aws' && INVENTORY_SOURCE_KINDS.has(r.source.kind);
}

/** A record that holds only a few properties of the resource (`unknown` lists `*`). */
function isPartial(r: Resource): boolean {
  return r.unknown?.includes(ANY_OTHER_PROPERTY) === true;
}

function addUnknown(r: Resource, path: string): void {
  if (r.unknown?.includes(path)) return;
  r.unknown = [...(r.unknown ?? []), path];
}

/**
 * Joins the AWS inventory records of one scan and marks what no record told. Inventory
 * instances never carry their user data (DescribeInstances and Config leave it out) nor
 * whether their EBS volumes are encrypted (DescribeInstances' `Ebs` has no `Encrypted`):
 * both are taken from the scan's DescribeInstanceAttribute and DescribeVolumes (or Config
 * volume) records when it has them, else left unknown, so a rule on them gives no verdict
 * instead of a pass. A user data record joined to its instance is no resource of its own.
 * A record named by short id (DescribeInstances, GetKeyRotationStatus) joins the record of the
 * same resource named by ARN (a Config item, DescribeKey).
 *
 * ```ts
 * const resources = joinAwsInventory(mergeInventoryFragments(read));
 * ```
 */
export function joinAwsInventory(resources: Resource[]): Resource[] {
  const keyed = nameByArn(resources) ? mergeInventoryFragments(resources) : resources;
  return joinInstances(keyed);
}

function joinInstances(resources: Resource[]): Resource[] {
  const instances = resources.filter((r) => r.type === INSTANCE && isAwsInventory(r));
  if (instances.length === 0) return resources;

  const joined = joinUserData(instances);
  const volumes = encryptionByVolume(resources);
  for (const instance of instances) {
    if (joined.has(instance)) continue;
    if (!isPartial(instance)) joinVolumes(instance, volumes);
    if (instance.properties.UserData === undefined) addUnknown(instance, 'UserData');
  }
  return joined.size === 0 ? resources : resources.filter((r) => !joined.has(r));
}

/**
 * Moves the user data of a partial record onto the full record of the same instance (Config
 * names it by ARN, the attribute call by instance id); gives the partial records joined.
 */
function joinUserData(instances: Resource[]): Set<Resource> {
  const joined = new Set<Resource>();
  const partial = instances.filter(
    (r) => isPartial(r) && typeof r.properties.UserData === 'string',
  );
  if (partial.length === 0) return joined;

  const full = new Map<string, Resource>();
  for (const r of instances) {
    const id = str(r.properties.InstanceId);
    if (id && !isPartial(r)) full.set(id, r);
  }
  for (const record of partial) {
    const instance = full.get(str(record.properties.InstanceId) ?? '');
    if (!instance || instance.properties.UserData !== undefined) continue;
    instance.properties.UserData = record.properties.UserData;
    instance.unknown = instance.unknown?.filter((p) => p !== 'UserData');
    if (instance.unknown?.length === 0) instance.unknown = undefined;
    joined.add(record);
  }
  return joined;
}

/** `Encrypted` of every volume in the scan that says, by volume id. */
function encryptionByVolume(resources: Resource[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const r of resources) {
    if (r.type !== VOLUME || r.cloud !== 'aws') continue;
    const id = str(r.properties.VolumeId);
    const encrypted = r.properties.Encrypted;
    if (id && typeof encrypted === 'boolean') out.set(id, encrypted);
  }
  return out;
}

/**
 * Gives each EBS device of `instance` that does not say whether it is encrypted its volume's
 * `Encrypted`, or marks it unknown when the volume is not in the scan.
 */
function joinVolumes(instance: Resource, volumes: Map<string, boolean>): void {
  asList(instance.properties.BlockDeviceMappings).forEach((mapping, i) => {
    const ebs = isRecord(mapping) && isRecord(mapping.Ebs) ? (mapping.Ebs as Props) : undefined;
    if (!ebs || typeof ebs.Encrypted === 'boolean') return;
    const encrypted = volumes.get(str(ebs.VolumeId) ?? '');
    if (encrypted === undefined) addUnknown(instance, `BlockDeviceMappings.${i}.Ebs.Encrypted`);
    else ebs.Encrypted = encrypted;
  });
}

/** An EC2 or KMS ARN; the group is the short id it ends with (`sg-0a1b`, a key id). */
const SHORT_ID_ARN = /^arn:aws[a-z-]*:(?:ec2|kms):[^:]*:[^:]*:[a-z-]+\/([^/:]+)$/;

/** Types whose records some calls name by short id and others by ARN. */
function namedBothWays(r: Resource): boolean {
  return (r.type === KEY || r.type.startsWith('AWS::EC2::')) && isAwsInventory(r);
}

/**
 * Renames records known only by short id (an instance from DescribeInstances, a key from
 * GetKeyRotationStatus) to the ARN another record of the scan gives the same resource (a
 * Config item, DescribeKey), so the two merge; true when one was renamed. EC2 ids carry their
 * kind (`i-`, `vol-`) and key ids are unique, so a short id names one resource of its type.
 */
function nameByArn(resources: Resource[]): boolean {
  const short = resources.filter((r) => namedBothWays(r) && !r.id.startsWith('arn:'));
  if (short.length === 0) return false;

  const arnOf = new Map<string, string>();
  for (const r of resources) {
    const shortId = namedBothWays(r) ? SHORT_ID_ARN.exec(r.id)?.[1] : undefined;
    if (shortId) arnOf.set(`${r.type}|${shortId}`, r.id);
  }
  let renamed = false;
  for (const r of short) {
    const arn = arnOf.get(`${r.type}|${r.id}`);
    if (!arn) continue;
    r.id = arn;
    const { account, region } = arnParts(arn);
    r.account ??= account;
    r.region ??= region;
    renamed = true;
  }
  return renamed;
}
