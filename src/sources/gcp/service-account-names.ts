/**
 * One name for a service account and its keys, whichever source read them.
 *
 * Cloud Asset Inventory names a service account by its numeric unique id
 * (`//iam.googleapis.com/projects/p/serviceAccounts/112233445566778899001`); the IAM API and
 * gcloud name it by its email (`projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com`), and
 * a key by its account's email (`.../serviceAccounts/<email>/keys/<key id>`). The API accepts
 * either identifier in a name; CAI's form is the one kept, so a service account or key read from
 * a CAI export and from the API is one resource. An account body carries both `email` and
 * `uniqueId`; a key body carries neither, so keys are renamed by the accounts of the same scan.
 */

import { INVENTORY_SOURCE_KINDS, type Resource } from '../../model/resource.js';
import { mergeInventoryFragments } from '../inventory-merge.js';
import { safeDecode } from './cai-name.js';

export const SERVICE_ACCOUNT_TYPE = 'iam.googleapis.com/ServiceAccount';
export const SERVICE_ACCOUNT_KEY_TYPE = 'iam.googleapis.com/ServiceAccountKey';

const PREFIX = '//iam.googleapis.com/projects/';
/** `//iam.googleapis.com/projects/<project>/serviceAccounts/<account>[/keys/<key>]`. */
const NAME =
  /^\/\/iam\.googleapis\.com\/projects\/([^/]+)\/serviceAccounts\/([^/]+)(\/keys\/[^/]+)?$/;
const UNIQUE_ID = /^\d+$/;

/**
 * The CAI full name of a service account read with its body: named by the body's `uniqueId`
 * when the name holds the email instead; any other name is returned as it is.
 *
 * ```ts
 * serviceAccountName('//iam.googleapis.com/projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com',
 *   { email: 'sa@p.iam.gserviceaccount.com', uniqueId: '1101' });
 * // '//iam.googleapis.com/projects/p/serviceAccounts/1101'
 * ```
 */
export function serviceAccountName(fullName: string, body: Record<string, unknown>): string {
  const m = NAME.exec(fullName);
  const uniqueId = body.uniqueId;
  if (!m || m[3] !== undefined || typeof uniqueId !== 'string' || !UNIQUE_ID.test(uniqueId)) {
    return fullName;
  }
  if (m[2] === uniqueId || !m[2].includes('@')) return fullName;
  const project = m[1] === '-' && typeof body.projectId === 'string' ? body.projectId : m[1];
  return `${PREFIX}${project}/serviceAccounts/${uniqueId}`;
}

function isGcpInventory(r: Resource): boolean {
  return r.cloud === 'gcp' && INVENTORY_SOURCE_KINDS.has(r.source.kind);
}

/**
 * Service accounts and keys of one scan named as CAI names them, and each key related to its
 * account (`memberOf`). An account or key named by an email is renamed by the account of the
 * scan that carries that email and its unique id (a CAI record, or an API body); records that
 * then share a name merge. Names no account of the scan resolves stay as they are.
 *
 * ```ts
 * const resources = joinGcpServiceAccounts(mergeInventoryFragments(read));
 * ```
 */
export function joinGcpServiceAccounts(resources: Resource[]): Resource[] {
  let keys = 0;
  const byEmail = new Map<string, string>();
  for (const r of resources) {
    if (r.type === SERVICE_ACCOUNT_KEY_TYPE) keys += 1;
    if (r.type !== SERVICE_ACCOUNT_TYPE || !isGcpInventory(r)) continue;
    const email = r.properties.email;
    const m = NAME.exec(r.id);
    if (typeof email !== 'string' || !m || !UNIQUE_ID.test(m[2])) continue;
    byEmail.set(email.toLowerCase(), r.id);
  }
  if (keys === 0 && byEmail.size === 0) return resources;

  let renamed = false;
  for (const r of resources) {
    if (!isGcpInventory(r)) continue;
    if (r.type !== SERVICE_ACCOUNT_TYPE && r.type !== SERVICE_ACCOUNT_KEY_TYPE) continue;
    const m = NAME.exec(r.id);
    if (!m || (r.type === SERVICE_ACCOUNT_KEY_TYPE) !== (m[3] !== undefined)) continue;
    const account = m[2].includes('@') ? byEmail.get(safeDecode(m[2]).toLowerCase()) : undefined;
    if (account !== undefined) {
      r.id = `${account}${m[3] ?? ''}`;
      renamed = true;
    }
  }
  const joined = renamed ? mergeInventoryFragments(resources) : resources;
  for (const r of joined) if (r.type === SERVICE_ACCOUNT_KEY_TYPE) relateToAccount(r);
  return joined;
}

/** Relates a key to the account its name holds, once. */
function relateToAccount(key: Resource): void {
  const m = NAME.exec(key.id);
  if (!m || m[3] === undefined) return;
  const target = key.id.slice(0, key.id.length - m[3].length);
  const has = key.relationships.some((x) => x.kind === 'memberOf' && x.target === target);
  if (!has) key.relationships.push({ kind: 'memberOf', target });
}
