/**
 * Which local module folders a Terraform folder calls, read before the scan starts so that a
 * root is read before the modules it calls: a module folder read as part of its root is not read
 * again as a root of its own (every input unknown), whichever of the two sorts first.
 */

import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_HCL_BYTES, parseHcl } from './hcl-parse.js';
import { CONFIGURATION_FILE, localSource, withoutTrailingSlash } from './module-loader.js';
import { parseTerraformJson } from './tf-json-parse.js';

/** Only files that write a module block are parsed here; the others cannot call one. */
const MODULE_BLOCK = /(^|\n)\s*module\s+"/;
const MODULE_PROPERTY = /"module"\s*:/;

/**
 * The folders (absolute) of the local modules the `.tf` and `.tf.json` files among `files` call.
 * A file that cannot be read or parsed is passed over: reading the folder reports it.
 *
 * ```ts
 * await localModuleCalls('/repo/envs/prod', ['/repo/envs/prod/main.tf']);
 * // ['/repo/modules/network']
 * ```
 */
export async function localModuleCalls(
  dir: string,
  files: readonly string[],
  allow?: (realPath: string) => boolean,
): Promise<string[]> {
  const called = new Set<string>();
  for (const file of files.filter((f) => CONFIGURATION_FILE.test(f))) {
    for (const source of await moduleSources(file, allow)) {
      called.add(path.resolve(withoutTrailingSlash(path.join(dir, source))));
    }
  }
  return [...called];
}

/** The local `source` of each module block in `file`. */
async function moduleSources(
  file: string,
  allow?: (realPath: string) => boolean,
): Promise<string[]> {
  try {
    const real = await realpath(file);
    if (allow && !allow(real)) return [];
    if ((await stat(real)).size > MAX_HCL_BYTES) return [];
    const text = await readFile(real, 'utf8');
    const json = file.endsWith('.json');
    if (!(json ? MODULE_PROPERTY : MODULE_BLOCK).test(text)) return [];
    const body = json ? parseTerraformJson(file, text).body : await parseHcl(file, text);
    const calls = body.module;
    if (typeof calls !== 'object' || calls === null) return [];
    return Object.values(calls as Record<string, unknown>).flatMap((bodies) =>
      (Array.isArray(bodies) ? bodies : [bodies]).flatMap((body) => {
        const source = localSource((body as Record<string, unknown> | undefined)?.source);
        return source === undefined ? [] : [source];
      }),
    );
  } catch {
    return [];
  }
}
