/** azurerm virtual machines (Linux, Windows, legacy) and managed disks. */

import { literalSecrets } from '../../literal-secrets.js';
import type { BlockMapper } from './mapped-block.js';
import { block, enabledFlag, first, mapItems, mapv, type Attrs } from './tf-values.js';

function imageReference(a: Attrs): Attrs | undefined {
  const image = block(first(a.source_image_reference, a.storage_image_reference));
  if (image)
    return {
      publisher: image.publisher,
      offer: image.offer,
      sku: image.sku,
      version: image.version,
    };
  return mapv(a.source_image_id, (id) => ({ id })) as Attrs | undefined;
}

function identityOf(a: Attrs): Attrs | undefined {
  const identity = block(a.identity);
  return identity ? { type: identity.type } : undefined;
}

function nics(a: Attrs): unknown {
  return mapItems(a.network_interface_ids, (id) => ({ id }));
}

/** azurerm_linux_virtual_machine / azurerm_windows_virtual_machine. */
function modernVm(os: 'linux' | 'windows'): BlockMapper {
  return (a) => {
    const osDisk = block(a.os_disk) ?? {};
    const boot = block(a.boot_diagnostics);
    const linuxConfiguration = {
      // The provider sends true when disable_password_authentication is not set.
      disablePasswordAuthentication: first(a.disable_password_authentication, true),
      patchSettings: { patchMode: a.patch_mode },
    };
    const windowsConfiguration = {
      // The provider sends true when enable_automatic_updates is not set.
      enableAutomaticUpdates: first(a.enable_automatic_updates, a.automatic_updates_enabled, true),
      provisionVMAgent: a.provision_vm_agent,
      patchSettings: { patchMode: a.patch_mode },
    };
    return {
      type: 'Microsoft.Compute/virtualMachines',
      body: {
        Palisade: literalSecrets(a, ['admin_password']),
        identity: identityOf(a),
        properties: {
          hardwareProfile: { vmSize: a.size },
          osProfile: {
            computerName: first(a.computer_name, a.name),
            adminUsername: a.admin_username,
            allowExtensionOperations: a.allow_extension_operations,
            linuxConfiguration: os === 'linux' ? linuxConfiguration : undefined,
            windowsConfiguration: os === 'windows' ? windowsConfiguration : undefined,
          },
          storageProfile: {
            imageReference: imageReference(a),
            osDisk: {
              osType: os === 'linux' ? 'Linux' : 'Windows',
              createOption: 'FromImage',
              caching: osDisk.caching,
              diskSizeGB: osDisk.disk_size_gb,
              managedDisk: {
                storageAccountType: osDisk.storage_account_type,
                diskEncryptionSet: mapv(osDisk.disk_encryption_set_id, (id) => ({ id })),
              },
            },
          },
          securityProfile: {
            encryptionAtHost: a.encryption_at_host_enabled,
            uefiSettings: { secureBootEnabled: a.secure_boot_enabled, vTpmEnabled: a.vtpm_enabled },
          },
          diagnosticsProfile: boot
            ? { bootDiagnostics: { enabled: true, storageUri: boot.storage_account_uri } }
            : undefined,
          networkProfile: { networkInterfaces: nics(a) },
        },
      },
    };
  };
}

/** azurerm_virtual_machine (legacy): managed or unmanaged (VHD) disks, OS config blocks. */
const legacyVm: BlockMapper = (a) => {
  const osDisk = block(a.storage_os_disk) ?? {};
  const linux = block(a.os_profile_linux_config);
  const windows = block(a.os_profile_windows_config);
  const profile = block(a.os_profile) ?? {};
  const unmanaged = osDisk.vhd_uri !== undefined && osDisk.vhd_uri !== null;
  return {
    type: 'Microsoft.Compute/virtualMachines',
    body: {
      Palisade: literalSecrets(a, ['os_profile.admin_password']),
      identity: identityOf(a),
      properties: {
        hardwareProfile: { vmSize: a.vm_size },
        osProfile: {
          computerName: profile.computer_name,
          adminUsername: profile.admin_username,
          linuxConfiguration: linux
            ? { disablePasswordAuthentication: linux.disable_password_authentication }
            : undefined,
          windowsConfiguration: windows
            ? {
                enableAutomaticUpdates: first(windows.enable_automatic_upgrades, true),
                provisionVMAgent: windows.provision_vm_agent,
              }
            : undefined,
        },
        storageProfile: {
          imageReference: imageReference(a),
          osDisk: {
            osType: osDisk.os_type,
            name: osDisk.name,
            createOption: osDisk.create_option,
            caching: osDisk.caching,
            vhd: unmanaged ? { uri: osDisk.vhd_uri } : undefined,
            managedDisk: unmanaged
              ? undefined
              : { storageAccountType: osDisk.managed_disk_type, id: osDisk.managed_disk_id },
          },
        },
        networkProfile: { networkInterfaces: nics(a) },
      },
    },
  };
};

const managedDisk: BlockMapper = (a) => {
  const ade = block(a.encryption_settings);
  // azurerm 2.x has `enabled` in the block; from 3.x the block's presence turns encryption on.
  const adeEnabled = ade ? first(ade.enabled, true) : undefined;
  return {
    type: 'Microsoft.Compute/disks',
    body: {
      sku: { name: a.storage_account_type },
      properties: {
        creationData: { createOption: a.create_option, sourceResourceId: a.source_resource_id },
        diskSizeGB: a.disk_size_gb,
        osType: a.os_type,
        encryptionSettingsCollection: ade ? { enabled: adeEnabled } : undefined,
        encryption: mapv(a.disk_encryption_set_id, (id) => ({
          type: 'EncryptionAtRestWithCustomerKey',
          diskEncryptionSetId: id,
        })),
        networkAccessPolicy: a.network_access_policy,
        publicNetworkAccess: enabledFlag(a.public_network_access_enabled),
      },
    },
  };
};

export const computeMappers: Record<string, BlockMapper> = {
  azurerm_linux_virtual_machine: modernVm('linux'),
  azurerm_windows_virtual_machine: modernVm('windows'),
  azurerm_virtual_machine: legacyVm,
  azurerm_managed_disk: managedDisk,
};
