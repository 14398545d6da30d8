/**
 * SigmaHQ's Entra ID audit rules match the operation on `properties.message`, which the records
 * Palisade reads name `OperationName` (with a trailing space at times): the bundled field mapping
 * makes them fire on the Golden SAML dataset's audit events.
 */

import { describe, expect, it } from 'vitest';
import { detect } from '../../../src/detect/detect.js';
import { shared } from '../../support/paths.js';

const AUDIT = shared(
  'azure-activity/otrf-security-datasets/GoldenSAMLADFSMailAccess/AADAuditEvents.json',
);
const AZURE_RULES = shared('sigma-rules/rules/cloud/azure');

describe('Entra ID audit rules on properties.message', () => {
  it('fire on the Golden SAML audit events', async () => {
    const { alerts } = await detect({ paths: [AUDIT], ruleDirs: [AZURE_RULES] });
    const byRule = new Map(alerts.map((a) => [a.rule.source?.split('/').pop(), a]));
    // Two "Update application – Certificates and secrets management " (trailing space) events.
    expect(byRule.get('azure_app_credential_added.yml')?.eventCount).toBe(2);
    // One "Add delegated permission grant", to Microsoft Graph.
    expect(byRule.get('azure_app_delegated_permissions_all_users.yml')?.eventCount).toBe(1);
    expect(byRule.get('azure_app_permissions_msft.yml')?.eventCount).toBe(1);
    expect(alerts).toHaveLength(3);
  });
});
