/** google_sql_database_instance as a Cloud SQL instance (sqladmin `DatabaseInstance`). */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import { caiIdIfKnown, tfResource } from './tf-resource.js';
import { block, blocks, mapBlocks, bool, compact, str, type Attrs } from './values.js';

/** `ip_configuration`; absent, the API's default: a public IPv4 address, SSL not required. */
function ipConfiguration(s: Attrs): Attrs {
  const ip = block(s, 'ip_configuration');
  if (!ip) return { ipv4Enabled: true };
  return compact({
    ipv4Enabled: bool(ip.ipv4_enabled, true),
    requireSsl: bool(ip.require_ssl),
    sslMode: str(ip.ssl_mode),
    privateNetwork: str(ip.private_network),
    authorizedNetworks: mapBlocks(ip, 'authorized_networks', (n) =>
      compact({ name: str(n.name), value: str(n.value), expirationTime: str(n.expiration_time) }),
    ),
  });
}

function settings(a: Attrs): Attrs | undefined {
  const s = block(a, 'settings');
  if (!s) return undefined;
  const backup = block(s, 'backup_configuration');
  return compact({
    tier: str(s.tier),
    availabilityType: str(s.availability_type) ?? 'ZONAL',
    userLabels: s.user_labels,
    ipConfiguration: ipConfiguration(s),
    backupConfiguration: backup
      ? compact({
          enabled: bool(backup.enabled, false),
          binaryLogEnabled: bool(backup.binary_log_enabled),
          startTime: str(backup.start_time),
          pointInTimeRecoveryEnabled: bool(backup.point_in_time_recovery_enabled),
        })
      : { enabled: false },
    databaseFlags: blocks(s, 'database_flags').map((f) => ({
      name: str(f.name),
      value: str(f.value),
    })),
  });
}

export function translateSqlInstance(b: TerraformBlock): Resource {
  const a = b.attributes;
  return tfResource(b, {
    type: 'sqladmin.googleapis.com/Instance',
    caiId: caiIdIfKnown(
      'cloudsql',
      [a.project, a.name],
      ([p, n]) => `projects/${p}/instances/${n}`,
    ),
    name: a.name,
    account: a.project,
    region: a.region,
    properties: compact({
      name: str(a.name),
      databaseVersion: str(a.database_version),
      region: str(a.region),
      project: str(a.project),
      settings: settings(a),
    }),
  });
}
