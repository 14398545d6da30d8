/**
 * Writes a multi-file inventory from real resource shapes in ../shared/data: AWS Config items
 * and GCP Cloud Asset Inventory records, replicated under numbered ids, `perFile` a file.
 */

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shared } from './paths.js';

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
}

function awsItems(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of jsonFiles(shared('cloud-inventory/aws/cloud-custodian-config-items'))) {
    const data = readJson(file) as Record<string, unknown>;
    if (typeof data.invokingEvent === 'string') {
      const item = (
        JSON.parse(data.invokingEvent) as { configurationItem?: Record<string, unknown> }
      ).configurationItem;
      if (item?.resourceType) out.push(item);
    } else if (data.resourceType && data.configuration) out.push(data);
  }
  return out;
}

function gcpAssets(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of jsonFiles(shared('cloud-inventory/gcp/policy-library-cai-assets'))) {
    const data = readJson(file);
    if (Array.isArray(data))
      out.push(...(data as Record<string, unknown>[]).filter((a) => a.asset_type && a.resource));
  }
  return out;
}

/** Writes `count` resources per cloud, `perFile` records a file; returns the folder. */
export function writeGeneratedInventory(count: number, perFile: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-inventory-'));
  const aws = awsItems();
  const gcp = gcpAssets();
  for (let from = 0, part = 0; from < count; from += perFile, part += 1) {
    const to = Math.min(count, from + perFile);
    const items = [];
    const assets = [];
    for (let i = from; i < to; i += 1) {
      const item = structuredClone(aws[i % aws.length]) as Record<string, any>;
      items.push({
        ...item,
        resourceId: `${item.resourceId}-${i}`,
        resourceName: `${item.resourceName ?? item.resourceId}-${i}`,
        arn: `${item.arn}-${i}`,
      });
      const asset = structuredClone(gcp[i % gcp.length]) as Record<string, any>;
      assets.push({ ...asset, name: `${asset.name}-${i}` });
    }
    writeFileSync(
      join(dir, `aws-config-${part}.json`),
      JSON.stringify({ fileVersion: '1.0', configSnapshotId: 'test', configurationItems: items }),
    );
    writeFileSync(join(dir, `gcp-assets-${part}.json`), JSON.stringify(assets));
  }
  return dir;
}
