/** GKE node pools as resources of their own, split out of a cluster's embedded `nodePools`. */

import type { Resource } from '../../model/resource.js';
import { gcpResource } from './gcp-resource.js';
import { isObject } from './json-text.js';

export const NODE_POOL_TYPE = 'container.googleapis.com/NodePool';
export const CLUSTER_TYPE = 'container.googleapis.com/Cluster';

/**
 * The node pools a cluster resource embeds (REST `clusters.list` and CAI cluster data both carry
 * them), each named `<cluster id>/nodePools/<name>` as Cloud Asset Inventory names them.
 */
export function nodePoolsOf(cluster: Resource): Resource[] {
  const pools = cluster.properties.nodePools;
  if (!Array.isArray(pools)) return [];
  const out: Resource[] = [];
  for (const pool of pools) {
    if (!isObject(pool) || typeof pool.name !== 'string') continue;
    const r = gcpResource({
      type: NODE_POOL_TYPE,
      id: `${cluster.id}/nodePools/${pool.name}`,
      name: pool.name,
      account: cluster.account,
      region: cluster.region,
      properties: { ...pool },
      kind: cluster.source.kind,
      file: cluster.source.file,
      line: cluster.source.line,
    });
    r.relationships.push({ kind: 'memberOf', target: cluster.id });
    out.push(r);
  }
  return out;
}
