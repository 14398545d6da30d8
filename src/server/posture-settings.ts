/**
 * Settings of the posture API: the folders sources may read from, the server's own files they
 * may never read, file-based exemptions and extra rule folders. Read from `posture` in the
 * configuration when present, else from PALISADE_SOURCE_ROOTS, PALISADE_EXEMPTIONS_FILE and
 * PALISADE_RULES.
 */

import { delimiter, resolve } from 'node:path';
import { isPostgresLocation } from '../store/database.js';
import { serverKeyPath } from './auth/server-key.js';
import { ownerPasswordPath } from './bootstrap-owner.js';
import type { ServerConfig } from './config.js';

export interface PostureSettings {
  /**
   * Sources may only name paths under these folders (never empty). Unless configured, the one
   * folder the server was started in: an admin's API call must not make the server read
   * `/etc` or another user's home.
   */
  allowedRoots: string[];
  /**
   * The server's own files, which no source may read even inside an allowed root: the SQLite
   * store (and every file named after it: its journal, key and Owner password file), the server
   * key file, the Owner password file and the TLS key. The default root, the working folder,
   * holds `.palisade/`, and a Terraform `file()` call could otherwise copy the key into a tag.
   */
  ownFiles: string[];
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
    ownFiles: serverOwnFiles(config, cwd),
    exemptionsFile,
    ruleDirs: section.rules ?? list(env.PALISADE_RULES),
  };
}

/** The files `PostureSettings.ownFiles` names, as absolute paths. */
function serverOwnFiles(config: ServerConfig, cwd: string): string[] {
  const store = config.store.location;
  const files: string[] = [];
  if (!isPostgresLocation(store)) {
    const path = store.replace(/^sqlite:/, '');
    if (path !== '' && path !== ':memory:') files.push(path);
  }
  let keyFile: string | undefined;
  try {
    keyFile = serverKeyPath({ storeLocation: store, keyFile: config.auth.secretKeyFile });
  } catch {
    // A PostgreSQL store without a key file does not start; nothing to protect here.
  }
  if (keyFile) files.push(keyFile, ownerPasswordPath(keyFile, store));
  if (config.server.tls?.key) files.push(config.server.tls.key);
  return files.map((f) => resolve(cwd, f));
}
