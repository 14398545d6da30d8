/**
 * Declarations a module writes twice in its files (not override files): Terraform refuses the
 * configuration ("Duplicate resource configuration"), so the scan says so at both places and
 * keeps the first, rather than letting a later file silently replace a block.
 */

import path from 'node:path';
import type { SourceError } from '../../model/source-error.js';
import type { ParsedFile } from './module-loader.js';
import { isOverrideFile } from './override-files.js';

type Body = Record<string, unknown>;

/** One declaration as written: what it is, and how to take it out of its file's body. */
interface Written {
  /** Unique within a module: `aws_s3_bucket.logs`, `data.x.y`, `module.net`, `var.region`. */
  key: string;
  /** As Terraform's header reads: `resource "aws_s3_bucket" "logs"`. */
  what: string;
  file: ParsedFile;
  line?: number;
  /** Takes this declaration out of `body` (a copy of its file's body). */
  remove(body: Body): void;
}

/**
 * `files` with every declaration after the first of its name left out, and an error at each
 * one left out naming where the first is. Override files are passed through: they may repeat
 * blocks by design.
 *
 * ```ts
 * const { files, errors } = withoutDuplicates(parsed);
 * // errors: [{ file: 'zz.tf', line: 1, message: 'zz.tf:1: resource "aws_vpc" "main" is ...' }]
 * ```
 */
export function withoutDuplicates(files: ParsedFile[]): {
  files: ParsedFile[];
  errors: SourceError[];
} {
  const first = new Map<string, Written>();
  const errors: SourceError[] = [];
  const removals = new Map<ParsedFile, Written[]>();
  for (const file of files) {
    if (isOverrideFile(file.path)) continue;
    for (const written of declarations(file)) {
      const earlier = first.get(written.key);
      if (!earlier) {
        first.set(written.key, written);
        continue;
      }
      errors.push(duplicateError(written, earlier));
      removals.set(file, [...(removals.get(file) ?? []), written]);
    }
  }
  if (removals.size === 0) return { files, errors };

  const kept = files.map((file) => {
    const removed = removals.get(file);
    if (!removed) return file;
    const body = structuredClone(file.body);
    // Later ones first, so the index of an earlier one in the same list still holds.
    for (const written of removed.reverse()) written.remove(body);
    return { ...file, body };
  });
  return { files: kept, errors };
}

function duplicateError(written: Written, earlier: Written): SourceError {
  const at = written.line ? `${written.file.path}:${written.line}` : written.file.path;
  const otherFile =
    path.dirname(earlier.file.path) === path.dirname(written.file.path)
      ? path.basename(earlier.file.path)
      : earlier.file.path;
  const other = earlier.line ? `${otherFile}:${earlier.line}` : otherFile;
  return {
    file: written.file.path,
    ...(written.line ? { line: written.line } : {}),
    code: 'INVALID_STRUCTURE',
    message:
      `${at}: ${written.what} is declared again; it is first declared at ${other}, and ` +
      'Terraform refuses a module that declares it twice. Rename or remove one of them ' +
      '(only the first was read)',
  };
}

/** Every declaration of `file`, in the order hcl2json gives them. */
function declarations(file: ParsedFile): Written[] {
  const out: Written[] = [];
  const body = file.body;
  /** The n-th header of `address` in the file: its n-th body, for blocks written twice. */
  const lineOf = (address: string, n: number) =>
    file.locations.filter((l) => l.address === address)[n]?.line;

  for (const [key, prefix] of [
    ['resource', ''],
    ['data', 'data.'],
  ] as const) {
    for (const [type, named] of entries(body[key])) {
      for (const [name, bodies] of entries(named)) {
        const address = `${prefix}${type}.${name}`;
        lists(bodies).forEach((_body, n) =>
          out.push({
            key: address,
            what: `${key} "${type}" "${name}"`,
            file,
            line: lineOf(address, n),
            remove: (b) => removeAt(b, [key, type, name], n),
          }),
        );
      }
    }
  }
  for (const [key, prefix] of [
    ['module', 'module.'],
    ['variable', 'var.'],
    ['output', 'output.'],
  ] as const) {
    for (const [name, bodies] of entries(body[key])) {
      lists(bodies).forEach((_body, n) =>
        out.push({
          key: `${prefix}${name}`,
          what: `${key} "${name}"`,
          file,
          line: key === 'module' ? lineOf(`module.${name}`, n) : undefined,
          remove: (b) => removeAt(b, [key, name], n),
        }),
      );
    }
  }
  lists(body.locals).forEach((block, n) => {
    for (const name of Object.keys(block)) {
      out.push({
        key: `local.${name}`,
        what: `local value "${name}"`,
        file,
        line: file.localLines?.get(name),
        remove: (b) => delete lists(b.locals)[n]?.[name],
      });
    }
  });
  for (const [name, configs] of entries(body.provider)) {
    lists(configs).forEach((config, n) => {
      const alias = typeof config.alias === 'string' ? config.alias : undefined;
      out.push({
        key: alias ? `provider.${name}.${alias}` : `provider.${name}`,
        what: alias ? `provider "${name}" with alias "${alias}"` : `provider "${name}"`,
        file,
        remove: (b) => removeAt(b, ['provider', name], n),
      });
    });
  }
  return out;
}

/** Removes the `n`-th body of the list at `keys` in `body` (the name, once none are left). */
function removeAt(body: Body, keys: string[], n: number): void {
  let holder: unknown = body;
  for (const key of keys.slice(0, -1)) holder = isBody(holder) ? holder[key] : undefined;
  const last = keys[keys.length - 1];
  if (!isBody(holder)) return;
  const bodies = holder[last];
  if (!Array.isArray(bodies)) {
    if (n === 0) delete holder[last];
    return;
  }
  bodies.splice(n, 1);
  if (bodies.length === 0) delete holder[last];
}

function entries(value: unknown): [string, unknown][] {
  return isBody(value) ? Object.entries(value) : [];
}

/** The bodies of a block list (hcl2json writes one block as a list of one body). */
function lists(value: unknown): Body[] {
  return (Array.isArray(value) ? value : [value]).filter(isBody);
}

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
