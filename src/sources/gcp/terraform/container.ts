/** google_container_cluster and _node_pool as GKE cluster and node pool resources. */

import type { Resource } from '../../../model/resource.js';
import type { TranslationContext } from '../../terraform/terraform-block.js';
import { CLUSTER_TYPE, NODE_POOL_TYPE, nodePoolsOf } from '../node-pools.js';
import { caiIdIfKnown, refersTo, tfResource } from './tf-resource.js';
import {
  block,
  blocks,
  mapBlocks,
  bool,
  compact,
  expandScope,
  num,
  str,
  strList,
  type Attrs,
} from './values.js';

/** `node_config` as the API's `NodeConfig`. */
function nodeConfig(c: Attrs | undefined): Attrs | undefined {
  if (!c) return undefined;
  const shielded = block(c, 'shielded_instance_config');
  const wm = block(c, 'workload_metadata_config');
  const scopes = strList(c.oauth_scopes);
  return compact({
    machineType: str(c.machine_type),
    imageType: str(c.image_type),
    serviceAccount: str(c.service_account) ?? 'default',
    oauthScopes: Array.isArray(scopes) ? scopes.map(expandScope) : scopes,
    metadata: c.metadata,
    labels: c.labels,
    tags: strList(c.tags),
    shieldedInstanceConfig: shielded
      ? compact({
          enableSecureBoot: bool(shielded.enable_secure_boot, false),
          enableIntegrityMonitoring: bool(shielded.enable_integrity_monitoring, true),
        })
      : undefined,
    workloadMetadataConfig: wm ? compact({ mode: str(wm.mode ?? wm.node_metadata) }) : undefined,
  });
}

/** `management`; absent, the provider's defaults: auto-repair and auto-upgrade on. */
function management(p: Attrs): Attrs {
  const m = block(p, 'management');
  return {
    autoRepair: bool(m?.auto_repair, true),
    autoUpgrade: bool(m?.auto_upgrade, true),
  };
}

/** Node pool properties as `nodePools.get` returns them. */
export function nodePoolProperties(p: Attrs): Record<string, unknown> {
  return compact({
    name: str(p.name),
    initialNodeCount: num(p.initial_node_count),
    version: str(p.version),
    config: nodeConfig(block(p, 'node_config')),
    management: management(p),
  });
}

function addonsConfig(a: Attrs): Attrs | undefined {
  const addons = block(a, 'addons_config');
  const np = addons ? block(addons, 'network_policy_config') : undefined;
  return { networkPolicyConfig: { disabled: bool(np?.disabled, true) } };
}

/** Cluster properties as `clusters.get` returns them. */
export function clusterProperties(a: Attrs): Record<string, unknown> {
  const priv = block(a, 'private_cluster_config');
  const man = block(a, 'master_authorized_networks_config');
  const np = block(a, 'network_policy');
  const wi = block(a, 'workload_identity_config');
  const auth = block(a, 'master_auth');
  const cert = auth ? block(auth, 'client_certificate_config') : undefined;
  const dbe = block(a, 'database_encryption');
  const release = block(a, 'release_channel');
  const binauth = block(a, 'binary_authorization');
  const pools = blocks(a, 'node_pool');
  const abac = bool(a.enable_legacy_abac, false);
  const defaultPool =
    a.remove_default_node_pool === true || pools.length > 0
      ? []
      : [
          {
            name: 'default-pool',
            config: nodeConfig(block(a, 'node_config')) ?? { serviceAccount: 'default' },
            management: { autoRepair: true, autoUpgrade: true },
          },
        ];
  return compact({
    name: str(a.name),
    location: str(a.location),
    network: str(a.network) ?? 'default',
    subnetwork: str(a.subnetwork),
    resourceLabels: a.resource_labels,
    loggingService: str(a.logging_service) ?? 'logging.googleapis.com/kubernetes',
    monitoringService: str(a.monitoring_service) ?? 'monitoring.googleapis.com/kubernetes',
    legacyAbac: abac === false ? {} : { enabled: abac },
    privateClusterConfig: priv
      ? compact({
          enablePrivateNodes: bool(priv.enable_private_nodes, false),
          enablePrivateEndpoint: bool(priv.enable_private_endpoint, false),
          masterIpv4CidrBlock: str(priv.master_ipv4_cidr_block),
        })
      : undefined,
    masterAuthorizedNetworksConfig: man
      ? {
          enabled: true,
          cidrBlocks: mapBlocks(man, 'cidr_blocks', (c) =>
            compact({ cidrBlock: str(c.cidr_block), displayName: str(c.display_name) }),
          ),
        }
      : {},
    networkPolicy: np
      ? compact({ enabled: bool(np.enabled, false), provider: str(np.provider) })
      : {},
    addonsConfig: addonsConfig(a),
    networkConfig: compact({ datapathProvider: str(a.datapath_provider) }),
    workloadIdentityConfig: wi
      ? compact({ workloadPool: str(wi.workload_pool ?? wi.identity_namespace) })
      : undefined,
    masterAuth: auth
      ? compact({
          username: str(auth.username),
          clientCertificateConfig: cert
            ? { issueClientCertificate: bool(cert.issue_client_certificate, false) }
            : undefined,
        })
      : undefined,
    shieldedNodes: { enabled: bool(a.enable_shielded_nodes, true) },
    databaseEncryption: dbe
      ? compact({ state: str(dbe.state), keyName: str(dbe.key_name) })
      : { state: 'DECRYPTED' },
    releaseChannel: release ? compact({ channel: str(release.channel) }) : undefined,
    binaryAuthorization: binauth
      ? compact({ evaluationMode: str(binauth.evaluation_mode), enabled: bool(binauth.enabled) })
      : undefined,
    nodePools: [...defaultPool, ...pools.map(nodePoolProperties)],
  });
}

function clusterId(a: Attrs): string | undefined {
  return caiIdIfKnown(
    'container',
    [a.project, a.location, a.name],
    ([p, l, n]) => `projects/${p}/locations/${l}/clusters/${n}`,
  );
}

/** Clusters (with their inline and default node pools) and stand-alone node pools. */
export function translateContainer(ctx: TranslationContext): Resource[] {
  const managed = ctx.blocks.filter((b) => b.mode === 'managed');
  const clusters = managed.filter((b) => b.type === 'google_container_cluster');
  const out: Resource[] = [];
  for (const c of clusters) {
    const a = c.attributes;
    const r = tfResource(c, {
      type: CLUSTER_TYPE,
      caiId: clusterId(a),
      name: a.name,
      account: a.project,
      region: a.location,
      properties: clusterProperties(a),
    });
    out.push(r, ...nodePoolsOf(r).map((p) => ({ ...p, source: { ...r.source } })));
  }
  for (const p of managed.filter((b) => b.type === 'google_container_node_pool')) {
    const owner = clusters.find((c) => refersTo(p, 'cluster', c));
    const ownerId = owner ? (clusterId(owner.attributes) ?? owner.address) : undefined;
    const name = str(p.attributes.name);
    const r = tfResource(p, {
      type: NODE_POOL_TYPE,
      caiId:
        ownerId?.startsWith('//') && typeof name === 'string'
          ? `${ownerId}/nodePools/${name}`
          : undefined,
      name: p.attributes.name,
      account: p.attributes.project ?? owner?.attributes.project,
      region: p.attributes.location ?? owner?.attributes.location,
      properties: nodePoolProperties(p.attributes),
    });
    if (ownerId) r.relationships.push({ kind: 'memberOf', target: ownerId });
    out.push(r);
  }
  return out;
}
