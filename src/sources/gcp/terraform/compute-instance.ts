/** google_compute_instance as a Compute Engine instance in the API's shape. */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import { caiIdIfKnown, tfResource } from './tf-resource.js';
import {
  block,
  blocks,
  mapBlocks,
  bool,
  compact,
  expandScope,
  metadataItems,
  num,
  str,
  strList,
  type Attrs,
} from './values.js';

export const INSTANCE_TYPE = 'compute.googleapis.com/Instance';

/** `disk_encryption_key_raw` / `kms_key_self_link` as the API's `diskEncryptionKey`. */
export function diskEncryptionKey(a: Attrs, rawKey: string, kmsKey: string): unknown {
  const key = compact({
    rawKey: a[rawKey] !== undefined ? '[customer-supplied]' : undefined,
    rsaEncryptedKey: a.disk_encryption_key_rsa !== undefined ? '[customer-supplied]' : undefined,
    kmsKeyName: str(a[kmsKey]),
  });
  return Object.keys(key).length > 0 ? key : undefined;
}

function bootDisk(a: Attrs): Attrs | undefined {
  const boot = block(a, 'boot_disk');
  if (!boot) return undefined;
  const init = block(boot, 'initialize_params');
  return compact({
    boot: true,
    autoDelete: bool(boot.auto_delete, true),
    mode: str(boot.mode) ?? 'READ_WRITE',
    source: str(boot.source),
    deviceName: str(boot.device_name),
    initializeParams: init
      ? compact({
          sourceImage: str(init.image),
          diskSizeGb: str(num(init.size)),
          diskType: str(init.type),
          labels: init.labels,
        })
      : undefined,
    diskEncryptionKey: diskEncryptionKey(boot, 'disk_encryption_key_raw', 'kms_key_self_link'),
  });
}

function attachedDisks(a: Attrs): Attrs[] {
  return blocks(a, 'attached_disk').map((d) =>
    compact({
      boot: false,
      source: str(d.source),
      deviceName: str(d.device_name),
      mode: str(d.mode) ?? 'READ_WRITE',
      diskEncryptionKey: diskEncryptionKey(d, 'disk_encryption_key_raw', 'kms_key_self_link'),
    }),
  );
}

function networkInterfaces(a: Attrs): unknown {
  return mapBlocks(a, 'network_interface', (n) =>
    compact({
      network: str(n.network),
      subnetwork: str(n.subnetwork),
      networkIP: str(n.network_ip),
      accessConfigs: mapBlocks(n, 'access_config', (c) =>
        compact({
          type: 'ONE_TO_ONE_NAT',
          name: 'External NAT',
          natIP: str(c.nat_ip),
          networkTier: str(c.network_tier) ?? 'PREMIUM',
        }),
      ),
    }),
  );
}

/** `service_account { email scopes }`; no email means the project's default compute account. */
function serviceAccounts(a: Attrs): Attrs[] | undefined {
  const sa = block(a, 'service_account');
  if (!sa) return undefined;
  const scopes = strList(sa.scopes);
  return [
    {
      email: str(sa.email) ?? 'default',
      scopes: Array.isArray(scopes) ? scopes.map(expandScope) : (scopes ?? []),
    },
  ];
}

function shielded(a: Attrs): Attrs | undefined {
  const s = block(a, 'shielded_instance_config');
  if (!s) return undefined;
  return {
    enableSecureBoot: bool(s.enable_secure_boot, false),
    enableVtpm: bool(s.enable_vtpm, true),
    enableIntegrityMonitoring: bool(s.enable_integrity_monitoring, true),
  };
}

/** Instance properties as `instances.get` returns them. */
export function instanceProperties(a: Attrs): Record<string, unknown> {
  const scheduling = block(a, 'scheduling');
  const confidential = block(a, 'confidential_instance_config');
  const boot = bootDisk(a);
  const startup = a.metadata_startup_script;
  return compact({
    name: str(a.name),
    machineType: str(a.machine_type),
    zone: str(a.zone),
    canIpForward: bool(a.can_ip_forward, false),
    deletionProtection: bool(a.deletion_protection, false),
    labels: a.labels,
    tags: a.tags !== undefined ? { items: strList(a.tags) } : undefined,
    metadata: metadataItems(a.metadata, startup !== undefined ? { 'startup-script': startup } : {}),
    networkInterfaces: networkInterfaces(a),
    disks: [...(boot ? [boot] : []), ...attachedDisks(a)],
    serviceAccounts: serviceAccounts(a),
    shieldedInstanceConfig: shielded(a),
    confidentialInstanceConfig: confidential
      ? { enableConfidentialCompute: bool(confidential.enable_confidential_compute, false) }
      : undefined,
    scheduling: scheduling
      ? compact({
          preemptible: bool(scheduling.preemptible, false),
          automaticRestart: bool(scheduling.automatic_restart, true),
          onHostMaintenance: str(scheduling.on_host_maintenance),
        })
      : undefined,
  });
}

export function translateInstance(b: TerraformBlock): Resource {
  const a = b.attributes;
  return tfResource(b, {
    type: INSTANCE_TYPE,
    caiId: caiIdIfKnown(
      'compute',
      [a.project, a.zone, a.name],
      ([p, z, n]) => `projects/${p}/zones/${z}/instances/${n}`,
    ),
    name: a.name,
    account: a.project,
    region: a.zone,
    properties: instanceProperties(a),
  });
}
