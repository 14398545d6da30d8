/**
 * `palisade resources PATH...`: the canonical resources Palisade reads from IaC and inventory
 * exports, as rules see them. A rule author looks here for the type to name in `resource_types`
 * and the property names its CEL reads as `r` (the cloud API's shape, whatever the input's own
 * spelling: Terraform's `bucket` is `r.Name` on `AWS::S3::Bucket`).
 */

import type { Resource } from '../model/resource.js';
import { readPaths } from '../sources/read-paths.js';
import { printable } from '../report/terminal-text.js';
import { counted } from '../report/counted.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';
import { pathsAsTyped } from './typed-paths.js';

export interface ResourcesOptions {
  /** Only resources of these types (as `resource_types` names them; any case). */
  type: string[];
  json?: boolean;
  /** Terraform variable files (`terraform plan -var-file`). */
  varFile: string[];
}

/** What a rule sees of a resource: `r` is `properties`, `resource` the rest. */
function asRuleSees(
  resource: Resource,
  asTyped: (file: string) => string,
): Record<string, unknown> {
  return {
    type: resource.type,
    name: resource.name,
    id: resource.id,
    cloud: resource.cloud,
    ...(resource.account ? { account: resource.account } : {}),
    ...(resource.region ? { region: resource.region } : {}),
    ...(resource.source.file ? { file: asTyped(resource.source.file) } : {}),
    ...(resource.source.line ? { line: resource.source.line } : {}),
    tags: resource.tags,
    ...(resource.unknown?.length ? { unknown: resource.unknown } : {}),
    r: resource.properties,
  };
}

/** Lists the resources read from `paths`; returns the exit code (2 when a file could not be read). */
export async function runResources(paths: string[], options: ResourcesOptions): Promise<number> {
  const read = await readPaths(paths, { varFiles: options.varFile });
  // Files named as the user typed the paths (readers resolve them).
  const asTyped = pathsAsTyped(paths);
  const wanted = new Set(options.type.map((t) => t.toLowerCase()));
  const shown = read.resources.filter((r) => wanted.size === 0 || wanted.has(r.type.toLowerCase()));
  const errors = read.files.filter((f) => f.error);

  if (options.json) {
    process.stdout.write(
      JSON.stringify(
        shown.map((r) => asRuleSees(r, asTyped)),
        null,
        2,
      ) + '\n',
    );
  } else {
    const byType = new Map<string, Resource[]>();
    for (const r of shown) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    for (const [type, resources] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
      process.stdout.write(`${printable(type)}  (${counted(resources.length, 'resource')})\n`);
      for (const r of resources) {
        const file = r.source.file ? asTyped(r.source.file) : undefined;
        const where = file ? `  ${file}${r.source.line ? `:${r.source.line}` : ''}` : '';
        const keys = Object.keys(r.properties).slice(0, 12);
        const more = Object.keys(r.properties).length > keys.length ? ', ...' : '';
        process.stdout.write(
          `  ${printable(r.name)}${printable(where)}\n    r: ${printable(keys.join(', '))}${more}\n`,
        );
      }
    }
    if (shown.length === 0) process.stdout.write('no resources read\n');
    else process.stdout.write(`\n--json prints every property as rules read it (r.<name>).\n`);
  }
  for (const f of errors) {
    process.stderr.write(
      `palisade: ${printable(asTyped(f.file))}: ${printable(f.error!.message)}\n`,
    );
  }
  return errors.length > 0 ? EXIT_INPUT_ERROR : EXIT_OK;
}
