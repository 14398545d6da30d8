/**
 * Settings of the posture API: the folders sources may read from, file-based exemptions and
 * extra rule folders. Read from `posture` in the configuration when present, else from
 * PALISADE_SOURCE_ROOTS, PALISADE_EXEMPTIONS_FILE and PALISADE_RULES.
 */

// Known gap: config.ts does not know a `posture` section yet, so a configuration file cannot
// set these; the environment variables can.

import { delimiter, resolve } from 'node:path';
import type { ServerConfig } from './config.js';

export interface PostureSettings {
  /** Sources may only name paths under these folders; empty means anywhere. */
  allowedRoots: string[];
  /** An exemptions file (YAML, as `palisade scan --exemptions`) merged with stored ones. */
  exemptionsFile?: string;
  /** Rule folders added to the bundled benchmark. */
  ruleDirs: string[];
}

interface PostureSection {
  allowedRoots?: string[];
  exemptionsFile?: string;
  rules?: string[];
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(delimiter)
    .map((p) => p.trim())
    .filter((p) => p !== '');

/** The posture settings of `config`, falling back to the environment. */
export function postureSettings(
  config: ServerConfig,
  env: Record<string, string | undefined> = process.env,
): PostureSettings {
  const section = (config as ServerConfig & { posture?: PostureSection }).posture ?? {};
  const roots = section.allowedRoots ?? list(env.PALISADE_SOURCE_ROOTS);
  const exemptionsFile = section.exemptionsFile ?? (env.PALISADE_EXEMPTIONS_FILE || undefined);
  return {
    allowedRoots: roots.map((r) => resolve(r)),
    exemptionsFile,
    ruleDirs: section.rules ?? list(env.PALISADE_RULES),
  };
}
