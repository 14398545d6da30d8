/**
 * Secrets written into IaC code as literals. A reader that meets a password attribute holding a
 * plain string (not a variable without a value, not a reference to another resource, not a
 * secret store lookup) records WHICH attribute it was under `Palisade.literalSecrets` beside the
 * API body, and never the value: the rules `*-iac-no-literal-secrets` read that list.
 *
 * `Palisade` is the one key Palisade adds to a resource's `properties` that no cloud API returns;
 * inventory readers never set it, so those rules have nothing to judge on live resources.
 */

import { isUnknown } from '../model/resource.js';

/** The key under `properties` for facts a reader adds that are not part of the API body. */
export const PALISADE_KEY = 'Palisade';

/** What a reader records under `properties.Palisade`. */
export interface PalisadeFacts {
  /** Attribute paths, as written in the code, that hold a secret as a literal. */
  literalSecrets: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path; a nested block list (`os_profile { }` as `[{...}]`) is entered. */
function at(attrs: Record<string, unknown>, path: string): unknown {
  let value: unknown = attrs;
  for (const key of path.split('.')) {
    if (Array.isArray(value)) value = value[0];
    if (!isRecord(value) || isUnknown(value)) return undefined;
    value = value[key];
  }
  return value;
}

/**
 * The facts for `properties.Palisade` when any of `paths` holds a known, non-empty string in
 * `attrs`, else undefined. `isLiteral` says whether a string counts (CloudFormation passes one
 * that rejects `{{resolve:...}}` dynamic references).
 *
 * ```ts
 * literalSecrets({ administrator_login_password: 'Aa12345678' }, ['administrator_login_password']);
 * // { literalSecrets: ['administrator_login_password'] }
 * ```
 */
export function literalSecrets(
  attrs: Record<string, unknown>,
  paths: readonly string[],
  isLiteral: (value: string) => boolean = () => true,
): PalisadeFacts | undefined {
  const found = paths.filter((path) => {
    const value = at(attrs, path);
    return typeof value === 'string' && value !== '' && isLiteral(value);
  });
  return found.length > 0 ? { literalSecrets: found } : undefined;
}

/**
 * Drops the facts from resources read from a Terraform plan: a plan holds every value as resolved
 * at plan time (a password read from a secret store included), so a string there says nothing
 * about what was written in the code.
 */
export function dropLiteralSecrets(properties: Record<string, unknown>): void {
  const facts = properties[PALISADE_KEY];
  if (!isRecord(facts) || !('literalSecrets' in facts)) return;
  const { literalSecrets: _dropped, ...rest } = facts;
  if (Object.keys(rest).length > 0) properties[PALISADE_KEY] = rest;
  else delete properties[PALISADE_KEY];
}
