/** ARM ids split into their parts, for every id in the recorded Azure calls in ../shared/data. */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  normaliseArmType,
  parseArmId,
  type ArmIdParts,
} from '../../../src/sources/azure/arm-types.js';
import { shared } from '../../support/paths.js';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) =>
    statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)],
  );

/**
 * Every string that reads as an ARM id (a `/subscriptions/` or `/providers/` path) in `text`,
 * recorded bodies written as JSON text inside a recording included.
 */
function idsIn(text: string): string[] {
  return [...text.matchAll(/"(\/(?:subscriptions|providers)\/[^"\\]*)\\?"/gi)].map((m) => m[1]);
}

/** The parts an id gives when split at every `/`, written out plainly: what parsing must give. */
function partsBySplitting(id: string): ArmIdParts {
  const segments = id.split('/');
  if (segments[0] === '') segments.shift();
  const at = (keyword: string, last: boolean) => {
    const matches = segments.flatMap((s, i) => (s.toLowerCase() === keyword ? [i] : []));
    return matches.length === 0 ? -1 : last ? matches[matches.length - 1] : matches[0];
  };
  const parts: ArmIdParts = {};
  const sub = at('subscriptions', false);
  if (sub >= 0 && segments[sub + 1]) parts.subscription = segments[sub + 1];
  const rg = at('resourcegroups', false);
  if (rg >= 0 && segments[rg + 1]) parts.resourceGroup = segments[rg + 1];
  const providers = at('providers', true);
  if (providers < 0 || !segments[providers + 1]) return parts;
  const rest = segments.slice(providers + 2);
  if (rest.length === 0) return parts;
  const typeNames = rest.filter((_, i) => i % 2 === 0);
  parts.type = normaliseArmType([segments[providers + 1], ...typeNames].join('/'));
  if (rest.length % 2 === 0) parts.name = segments[segments.length - 1];
  if (typeNames.length > 1 && rest.length % 2 === 0) {
    parts.parentId = (id.startsWith('/') ? '/' : '') + segments.slice(0, -2).join('/');
    // The child kind as the (documented) type spells it.
    parts.childKind = parts.type.split('/').pop();
  }
  return parts;
}

const AZURE_DIRS = ['cloud-inventory/azure', 'findings/azure'].map((d) => shared(d));
const RECORDED_IDS = [
  ...new Set(AZURE_DIRS.flatMap(walk).flatMap((f) => idsIn(readFileSync(f, 'utf8')))),
];

describe('parseArmId', () => {
  it('gives the parts splitting would give for every id in the recorded Azure calls', () => {
    expect(RECORDED_IDS.length).toBeGreaterThan(80);
    // Each as recorded, in other cases (ARM ids are case-insensitive) and without the slash.
    const spellings = RECORDED_IDS.flatMap((id) => [
      id,
      id.toUpperCase(),
      id.toLowerCase(),
      id.slice(1),
    ]);
    for (const id of spellings) expect(parseArmId(id), id).toEqual(partsBySplitting(id));
  });

  it('reads keywords in any case, empty segments and ids without a leading slash alike', () => {
    const odd = [
      '/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/microsoft.web/sites/a/config/web',
      'subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/a/firewallRules/b',
      '/subscriptions//resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n//r',
      '/subscriptions/s/providers/Microsoft.Security/locations/eastus/jitNetworkAccessPolicies/p',
      '/providers/a/b/providers/Microsoft.KeyVault/vaults/v/secrets/s',
      '/subscriptions/s/resourceGroups/rg/providers/',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/',
      '/subscriptİons/s',
      '',
      '/',
    ];
    for (const id of odd) expect(parseArmId(id), id).toEqual(partsBySplitting(id));
  });
});
