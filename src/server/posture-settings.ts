/**
 * Settings of the posture API: the folders sources may read from, file-based exemptions and
 * extra rule folders. Read from `posture` in the configuration when present, else from
 * PALISADE_SOURCE_ROOTS, PALISADE_EXEMPTIONS_FILE and PALISADE_RULES.
 */

import { delimiter, resolve } from 'node:path';
import type { ServerConfig } from './config.js';

export interface PostureSettings {
  /**
   * Sources may only name paths under these folders (never empty). Unless configured, the one
   * folder the server was started in: an admin's API call must not make the server read
   * `/etc` or another user's home.
   */
  allowedRoots: string[];
  /** An exemptions file (YAML, as `palisade scan --exemptions`) merged with stored ones. */
  exemptionsFile?: string;
  /** Rule folders added to the bundled benchmark. */
  ruleDirs: string[];
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(delimiter)
    .map((p) => p.trim())
    .filter((p) => p !== '');

/**
 * The posture settings of `config`, falling back to the environment; allowed roots default to
 * `cwd` (the server's working folder).
 */
export function postureSettings(
  config: ServerConfig,
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): PostureSettings {
  const section = config.posture ?? {};
  const configured = section.allowedRoots ?? list(env.PALISADE_SOURCE_ROOTS);
  const roots = configured.length > 0 ? configured : [cwd];
  const exemptionsFile = section.exemptionsFile ?? (env.PALISADE_EXEMPTIONS_FILE || undefined);
  return {
    allowedRoots: roots.map((r) => resolve(cwd, r)),
    exemptionsFile,
    ruleDirs: section.rules ?? list(env.PALISADE_RULES),
  };
}
