/**
 * Reads AWS Config data: configuration items (single, `configurationItems` lists from history
 * and snapshot files, `Results` of select queries) and Config rule events carrying one item.
 */

import { SourceReadError } from '../../model/source-error.js';
import type { Relationship, Resource } from '../../model/resource.js';
import type { Reader, SourceFile } from '../reader.js';
import { asList, isRecord, str, tagMap, type Props } from './aws-api-values.js';
import { configShape, jsonValue } from './aws-config-shape.js';
import { inventoryResource } from './inventory-resource.js';
import { mergeInventoryFragments } from '../inventory-merge.js';

/** Each starts with a literal, so V8 scans for it fast; one alternation would not. */
const SNIFF = [
  /"configurationItems?"\s*:/,
  /\\"configurationItem\\"\s*:/,
  /"resourceType"\s*:\s*"AWS::/,
];
const CONFIGURATION = [/"configuration"\s*:/, /\\"configuration\\"\s*:/];

/** Configuration items found in a parsed Config file, wherever the format puts them. */
export function configItems(data: unknown, depth = 0): Props[] {
  const items: Props[] = [];
  collectItems(data, depth, items);
  return items;
}

/**
 * Adds the items `data` holds to `items`: one list for a whole file, not a list per item joined
 * into the next (a snapshot holds tens of thousands).
 */
function collectItems(data: unknown, depth: number, items: Props[]): void {
  if (depth > 3) return;
  if (Array.isArray(data)) {
    for (const d of data) collectItems(d, depth + 1, items);
    return;
  }
  if (!isRecord(data)) return;
  if (Array.isArray(data.configurationItems)) {
    collectItems(data.configurationItems, depth + 1, items);
    return;
  }
  if (isRecord(data.configurationItem)) {
    items.push(data.configurationItem);
    return;
  }
  if (typeof data.invokingEvent === 'string') {
    collectItems(jsonValue(data.invokingEvent), depth + 1, items);
    return;
  }
  // EventBridge 'Configuration Item Change Notification' events carry the item under detail.
  if (isRecord(data.detail)) {
    collectItems(data.detail, depth + 1, items);
    return;
  }
  if (Array.isArray(data.Results)) {
    collectItems(
      data.Results.map((r) => jsonValue(r)),
      depth + 1,
      items,
    );
    return;
  }
  if (typeof data.resourceType === 'string' && 'configuration' in data) items.push(data);
}

function relationships(item: Props): Relationship[] {
  // A loop, not filter and flatMap: most items have none or one, and every item is read.
  const edges: Relationship[] = [];
  for (const rel of asList(item.relationships)) {
    if (!isRecord(rel)) continue;
    const target = str(rel.resourceId) ?? str(rel.resourceName);
    const kind = str(rel.relationshipName) ?? str(rel.name) ?? 'references';
    if (target) edges.push({ kind: kind.trim(), target });
  }
  return edges;
}

/**
 * Builds the describe-API shape when first called. A function returned from here, not written
 * in the object literal: tsx (the bench and `npm run scan`) names every function written as a
 * property value with a property definition of its own, one per resource.
 */
function shapeWhenRead(
  type: string,
  configuration: unknown,
  supplementary: unknown,
  name: string,
): () => Props {
  return () => configShape(type, configuration, supplementary, name);
}

function toResource(item: Props, file: string): Resource | undefined {
  const type = str(item.resourceType);
  const resourceId = str(item.resourceId);
  if (!type || !resourceId) return undefined;
  // Config no longer records the type: the item says nothing of the resource.
  if (item.configurationItemStatus === 'ResourceNotRecorded') return undefined;
  const capturedAt = captureTime(item.configurationItemCaptureTime);
  const status = item.configurationItemStatus;
  if (status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded') {
    // Undated, it cannot be placed against the resource's other items: it is passed over.
    return capturedAt === undefined
      ? undefined
      : deletion(item, type, resourceId, capturedAt, file);
  }

  const name = str(item.resourceName) ?? resourceId;
  const arn = str(item.arn) ?? str(item.ARN);
  // The describe-API shape (JSON text parsed, keys renamed) is built when first read: Config
  // records every type, and a type no rule judges is then never converted.
  const { configuration, supplementaryConfiguration } = item;
  return inventoryResource(
    {
      type,
      id: arn ?? resourceId,
      name,
      arn,
      account: str(item.accountId) ?? str(item.awsAccountId),
      region: str(item.awsRegion),
      tags: tagMap(item.tags),
      properties: shapeWhenRead(type, configuration, supplementaryConfiguration, name),
      relationships: relationships(item),
      capturedAt,
    },
    'aws-config',
    file,
  );
}

/**
 * An item's capture time in epoch ms. Config writes it as ISO 8601 (sometimes with
 * microseconds and an offset: `2017-02-04T06:10:33.880000-05:00`) or, in API responses read by
 * SDKs, as epoch seconds.
 */
function captureTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value !== 'string') return undefined;
  // Date.parse reads at most milliseconds: longer fractions are cut to three digits.
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** The record of a deletion: it removes the resource's earlier items and is never assessed. */
function deletion(
  item: Props,
  type: string,
  resourceId: string,
  capturedAt: number,
  file: string,
): Resource {
  const arn = str(item.arn) ?? str(item.ARN);
  return inventoryResource(
    {
      type,
      id: arn ?? resourceId,
      name: str(item.resourceName) ?? resourceId,
      arn,
      account: str(item.accountId) ?? str(item.awsAccountId),
      region: str(item.awsRegion),
      properties: {},
      capturedAt,
      deleted: true,
    },
    'aws-config',
    file,
  );
}

function detect(file: SourceFile): boolean {
  if (!/\.json(\.gz)?$/i.test(file.path)) return false;
  if (!SNIFF.some((re) => re.test(file.text))) return false;
  return CONFIGURATION.some((re) => re.test(file.text));
}

/** The AWS Config reader (source kind `aws-config`). Items are complete: nothing is partial. */
export const awsConfigReader: Reader = {
  kind: 'aws-config',
  detect,
  read(file) {
    let data: unknown;
    try {
      data = JSON.parse(file.text);
    } catch (err) {
      throw new SourceReadError({
        file: file.path,
        code: 'PARSE_ERROR',
        message: `invalid JSON: ${(err as Error).message}`,
        line: 1,
      });
    }
    const resources: Resource[] = [];
    const ids = new Set<string>();
    let repeated = false;
    for (const item of configItems(data)) {
      const resource = toResource(item, file.path);
      if (!resource) continue;
      resources.push(resource);
      if (ids.has(resource.id)) repeated = true;
      else ids.add(resource.id);
    }
    // A history file lists a resource once per change: the file stands for its latest item.
    // Deletions are kept, for records of the same resources in other files.
    if (repeated) return { resources: mergeInventoryFragments(resources, { keepDeletions: true }) };
    return { resources };
  },
};
