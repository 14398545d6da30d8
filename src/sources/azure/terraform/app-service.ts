/** azurerm App Service web and function apps (every provider generation) as Microsoft.Web/sites. */

import type { BlockMapper } from './mapped-block.js';
import { block, first } from './tf-values.js';

function site(kind: string): BlockMapper {
  return (a) => {
    const config = block(a.site_config) ?? {};
    const identity = block(a.identity);
    return {
      type: 'Microsoft.Web/sites',
      body: {
        kind,
        identity: identity ? { type: identity.type } : undefined,
        properties: {
          serverFarmId: first(a.service_plan_id, a.app_service_plan_id),
          enabled: a.enabled,
          httpsOnly: a.https_only,
          clientCertEnabled: first(a.client_certificate_enabled, a.client_cert_enabled),
          clientCertMode: a.client_certificate_mode,
          publicNetworkAccess: a.public_network_access_enabled === false ? 'Disabled' : undefined,
          siteConfig: {
            minTlsVersion: first(config.minimum_tls_version, config.min_tls_version),
            scmMinTlsVersion: first(config.scm_minimum_tls_version, config.scm_min_tls_version),
            ftpsState: config.ftps_state,
            http20Enabled: config.http2_enabled,
            remoteDebuggingEnabled: config.remote_debugging_enabled,
            alwaysOn: config.always_on,
          },
        },
      },
    };
  };
}

export const appServiceMappers: Record<string, BlockMapper> = {
  azurerm_app_service: site('app'),
  azurerm_linux_web_app: site('app,linux'),
  azurerm_windows_web_app: site('app'),
  azurerm_function_app: site('functionapp'),
  azurerm_linux_function_app: site('functionapp,linux'),
  azurerm_windows_function_app: site('functionapp'),
};
