/**
 * Links alerts to the assessed estate: each `cloud-resource` entity of an alert is looked up
 * among the stored resources (by id, by name, and for an ARN or a resource path by its last
 * segment), in the newest assessment that holds it. An alert about a cloud account only takes
 * resources of that account (or of IaC, which names none).
 */

import type { Kysely, Transaction } from 'kysely';
import type { Alert, AlertResource } from '../model/alert.js';
import type { Database } from './schema.js';

/** Resources kept per alert: enough to route and to show, bounded for the stored row. */
export const MAX_ALERT_RESOURCES = 10;

/** Lookup keys per statement, far under every parameter limit (each key is bound twice). */
const KEYS_PER_QUERY = 400;

/**
 * The names a resource entity may be stored under: the value itself and, for an ARN
 * (`arn:aws:cloudtrail:eu-west-1:1111:trail/org-trail`) or a path
 * (`projects/p/global/firewalls/allow-rdp`), its last segment.
 */
export function resourceKeys(value: string): string[] {
  const keys = [value];
  const last = value.split(/[/:]/).at(-1);
  if (last && last !== value && /^[\w.@-]{2,255}$/.test(last)) keys.push(last);
  return keys;
}

interface ResourceRow {
  id: string;
  type: string;
  name: string;
  account: string | null;
  tags: string;
}

/**
 * The linked resources a reader limited to `accounts` may see (none given: every one). An alert
 * of an account is also linked to IaC resources, which name no account: those are for readers
 * of every account alone, as the resources routes show them.
 */
export function resourcesWithin<R extends { account?: string }>(
  resources: R[],
  accounts: readonly string[],
): R[] {
  if (accounts.length === 0) return resources;
  return resources.filter((r) => r.account !== undefined && accounts.includes(r.account));
}

/**
 * Sets `resources` on each alert whose entities name assessed resources (alerts naming none are
 * left without). Reads only; the caller stores the alerts.
 */
export async function linkAlertResources(
  db: Kysely<Database> | Transaction<Database>,
  alerts: readonly Alert[],
): Promise<void> {
  const keysOf = new Map<Alert, string[][]>();
  const wanted = new Set<string>();
  for (const alert of alerts) {
    const lists = alert.entities
      .filter((e) => e.kind === 'cloud-resource' && e.value)
      .map((e) => resourceKeys(e.value));
    if (lists.length === 0) continue;
    keysOf.set(alert, lists);
    for (const list of lists) for (const key of list) wanted.add(key);
  }
  if (wanted.size === 0) return;

  // Every stored row under a key, newest assessment first.
  const byKey = new Map<string, ResourceRow[]>();
  const keys = [...wanted];
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const chunk = keys.slice(i, i + KEYS_PER_QUERY);
    const rows = await db
      .selectFrom('resources as r')
      .innerJoin('assessments as a', 'a.id', 'r.assessment_id')
      .select(['r.id', 'r.type', 'r.name', 'r.account', 'r.tags'])
      .where((eb) => eb.or([eb('r.id', 'in', chunk), eb('r.name', 'in', chunk)]))
      .orderBy('a.started_at', 'desc')
      .execute();
    for (const row of rows) {
      for (const key of new Set([row.id, row.name])) {
        if (!wanted.has(key)) continue;
        const list = byKey.get(key) ?? [];
        list.push(row);
        byKey.set(key, list);
      }
    }
  }

  for (const [alert, lists] of keysOf) {
    const accounts = new Set(
      alert.entities.filter((e) => e.kind === 'cloud-account').map((e) => e.value),
    );
    const found = new Map<string, AlertResource>();
    for (const list of lists) {
      // The value itself first; its last segment only when the value matched nothing.
      const rows = byKey.get(list[0]) ?? (list[1] ? byKey.get(list[1]) : undefined) ?? [];
      for (const row of rows) {
        if (row.account && accounts.size > 0 && !accounts.has(row.account)) continue;
        const id = `${row.type}\u0000${row.id}`;
        // Rows come newest first: the first one of a resource is its current state.
        if (found.has(id) || found.size >= MAX_ALERT_RESOURCES) continue;
        found.set(id, {
          id: row.id,
          type: row.type,
          name: row.name,
          ...(row.account ? { account: row.account } : {}),
          tags: JSON.parse(row.tags) as Record<string, string>,
        });
      }
    }
    if (found.size > 0) alert.resources = [...found.values()];
  }
}
