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

/** Each starts with a literal, so V8 scans for it fast; one alternation would not. */
const SNIFF = [
  /"configurationItems?"\s*:/,
  /\\"configurationItem\\"\s*:/,
  /"resourceType"\s*:\s*"AWS::/,
];
const CONFIGURATION = [/"configuration"\s*:/, /\\"configuration\\"\s*:/];

/** Configuration items found in a parsed Config file, wherever the format puts them. */
export function configItems(data: unknown, depth = 0): Props[] {
  if (depth > 3) return [];
  if (Array.isArray(data)) return data.flatMap((d) => configItems(d, depth + 1));
  if (!isRecord(data)) return [];
  if (Array.isArray(data.configurationItems))
    return configItems(data.configurationItems, depth + 1);
  if (isRecord(data.configurationItem)) return [data.configurationItem];
  if (typeof data.invokingEvent === 'string') {
    return configItems(jsonValue(data.invokingEvent), depth + 1);
  }
  // EventBridge 'Configuration Item Change Notification' events carry the item under detail.
  if (isRecord(data.detail)) return configItems(data.detail, depth + 1);
  if (Array.isArray(data.Results))
    return configItems(
      data.Results.map((r) => jsonValue(r)),
      depth + 1,
    );
  if (typeof data.resourceType === 'string' && 'configuration' in data) return [data];
  return [];
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
  if (
    item.configurationItemStatus === 'ResourceDeleted' ||
    item.configurationItemStatus === 'ResourceNotRecorded'
  )
    return undefined;

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
    },
    'aws-config',
    file,
  );
}

function detect(file: SourceFile): boolean {
  if (!file.path.toLowerCase().endsWith('.json')) return false;
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
    const resources = configItems(data).flatMap((item) => toResource(item, file.path) ?? []);
    return { resources };
  },
};
