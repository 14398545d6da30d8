/**
 * Terraform's override files (`override.tf`, `*_override.tf` and their `.tf.json` forms): read
 * after the module's other files, each of their blocks merged into the block of the same header
 * there, as https://developer.hashicorp.com/terraform/language/files/override describes.
 */

import path from 'node:path';
import type { SourceError } from '../../model/source-error.js';
import type { BlockLocation } from './block-locations.js';
import type { HclBody } from './hcl-parse.js';
import type { ParsedFile } from './module-loader.js';

type Body = Record<string, unknown>;

/** Whether Terraform reads `file` as an override file (`override.tf`, `db_override.tf.json`). */
export function isOverrideFile(file: string): boolean {
  return /(^|_)override\.tf(\.json)?$/.test(path.basename(file));
}

/** A module's files as Terraform combines them, and what it would refuse in them. */
export interface MergedFiles {
  files: ParsedFile[];
  errors: SourceError[];
}

/**
 * The module's primary files with the override files among `files` merged into them, in the
 * order given (lexical, as Terraform reads them). An override file stays in the list with only
 * what it adds rather than changes: its local values (so a warning about one names the file it
 * is written in) and a default provider configuration the primary files lack. Anything that
 * overrides nothing is an error, as in Terraform, and is left out.
 *
 * ```ts
 * const { files, errors } = mergeOverrideFiles([main, mainOverride]);
 * ```
 */
export function mergeOverrideFiles(files: ParsedFile[]): MergedFiles {
  const overrides = files.filter((f) => isOverrideFile(f.path));
  if (overrides.length === 0) return { files, errors: [] };

  // Primary bodies are copied before they are merged into: the parsed files stay as read.
  const primary = files
    .filter((f) => !isOverrideFile(f.path))
    .map((f) => ({ ...f, body: structuredClone(f.body), locations: [...f.locations] }));
  const errors: SourceError[] = [];
  const merged = [...primary];
  for (const file of overrides) merged.push(mergeFile(primary, merged, file, errors));
  return { files: merged, errors };
}

/** How an override file's errors are said: at the file and line, with what to do. */
interface Complaints {
  refuse(what: string, line: number | undefined, message: string): void;
  /** An override of `what`, which the module's other files do not declare. */
  missing(what: string, line?: number): void;
}

function complaints(file: ParsedFile, errors: SourceError[]): Complaints {
  const refuse = (what: string, line: number | undefined, message: string): void => {
    const at = line ? `${file.path}:${line}` : file.path;
    errors.push({
      file: file.path,
      ...(line ? { line } : {}),
      code: 'INVALID_STRUCTURE',
      message: `${at}: ${what} ${message}`,
    });
  };
  const missing = (what: string, line?: number): void =>
    refuse(
      what,
      line,
      "overrides nothing: no block of that header is declared in the module's other files " +
        '(Terraform refuses this); declare it there, or correct the header',
    );
  return { refuse, missing };
}

/**
 * Merges the blocks of one override file into `primary`; returns what stays in the file. What
 * earlier override files kept (`merged`, after the primary files) is overridden there.
 */
function mergeFile(
  primary: ParsedFile[],
  merged: ParsedFile[],
  file: ParsedFile,
  errors: SourceError[],
): ParsedFile {
  const body = file.body;
  const say = complaints(file, errors);
  mergeResources(primary, file, say);

  for (const [name, over] of labelled1(body.module)) {
    const base = declaration(primary, ['module', name]);
    const line = file.locations.find((l) => l.address === `module.${name}`)?.line;
    if (!base) say.missing(`module "${name}"`, line);
    else base.bodies[0] = mergeBody(base.bodies[0], over);
  }

  for (const key of ['variable', 'output'] as const) {
    for (const [name, over] of labelled1(body[key])) {
      const base = declaration(primary, [key, name]);
      if (!base) {
        say.missing(`${key} "${name}"`);
        continue;
      }
      if (key === 'output' && Object.hasOwn(over, 'depends_on')) {
        say.refuse(`output "${name}"`, undefined, DEPENDS_ON);
      }
      base.bodies[0] = mergeBody(base.bodies[0], over);
    }
  }

  if (list(body.moved).length > 0) {
    say.refuse('moved', undefined, 'blocks cannot be in an override file; move them to another');
  }

  const kept: HclBody = {};
  const locals = mergeLocals(merged, file, say);
  if (locals.length > 0) kept.locals = locals;
  const providers = mergeProviders(merged, body.provider, say);
  if (Object.keys(providers).length > 0) kept.provider = providers;
  const terraform = mergeTerraform(merged, list(body.terraform));
  if (terraform.length > 0) kept.terraform = terraform;
  return { path: file.path, body: kept, locations: [], localLines: file.localLines };
}

const DEPENDS_ON =
  'sets depends_on, which Terraform refuses in an override; set it in the original block';

/** Merges the override file's `resource` and `data` blocks into the primary files' ones. */
function mergeResources(primary: ParsedFile[], file: ParsedFile, say: Complaints): void {
  for (const [mode, key] of [
    ['managed', 'resource'],
    ['data', 'data'],
  ] as const) {
    for (const [type, name, over] of labelled2(file.body[key])) {
      const address = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
      const what = `${key} "${type}" "${name}"`;
      const line = file.locations.find((l) => l.address === address)?.line;
      const base = declaration(primary, [key, type, name]);
      if (!base) {
        say.missing(what, line);
        continue;
      }
      if (Object.hasOwn(over, 'depends_on')) say.refuse(what, line, DEPENDS_ON);
      base.bodies[0] = mergeResource(base.bodies[0], over);
      addSuppressions(base.file, address, file.locations);
    }
  }
}

/**
 * The list of bodies written for a declaration (`['resource', type, name]`) in the first file
 * holding it, as parsed (hcl2json writes every block as a list of bodies): the first is the one
 * Terraform keeps.
 */
function declaration(
  files: ParsedFile[],
  keys: string[],
): { file: ParsedFile; bodies: Body[] } | undefined {
  for (const file of files) {
    let at: unknown = file.body;
    for (const key of keys) at = isBody(at) && Object.hasOwn(at, key) ? at[key] : undefined;
    if (Array.isArray(at) && isBody(at[0])) return { file, bodies: at as Body[] };
  }
  return undefined;
}

/**
 * Terraform's general rule: an argument of the override replaces the original's, a nested block
 * type in it replaces every block of that type in the original (written out or `dynamic`),
 * other block types stay. Nested blocks are not merged into one another.
 */
export function mergeBody(base: Body, over: Body): Body {
  const out: Body = { ...base };
  const dynamic: Body = isBody(base.dynamic) ? { ...base.dynamic } : {};
  for (const [key, value] of Object.entries(over)) {
    if (key === 'dynamic') continue;
    setOwn(out, key, value);
    delete dynamic[key];
  }
  for (const [type, blocks] of Object.entries(isBody(over.dynamic) ? over.dynamic : {})) {
    delete out[type];
    setOwn(dynamic, type, blocks);
  }
  if (Object.keys(dynamic).length > 0) out.dynamic = dynamic;
  else delete out.dynamic;
  return out;
}

/** `resource` and `data`: the general rule, with `lifecycle` merged argument by argument. */
function mergeResource(base: Body, over: Body): Body {
  const merged = mergeBody(base, over);
  if (Object.hasOwn(base, 'lifecycle') && Object.hasOwn(over, 'lifecycle')) {
    merged.lifecycle = [{ ...first(base.lifecycle), ...first(over.lifecycle) }];
  }
  return merged;
}

/**
 * Local values are overridden one by one, whichever `locals` block holds them. The overriding
 * definition is kept in the override file (removed from the primary one), so the evaluation
 * reads it, and names its place, there.
 */
function mergeLocals(merged: ParsedFile[], file: ParsedFile, say: Complaints): Body[] {
  const kept: Body = {};
  for (const block of list(file.body.locals)) {
    for (const [name, value] of Object.entries(block)) {
      const holder = merged.flatMap((f) => list(f.body.locals)).find((b) => Object.hasOwn(b, name));
      if (!holder) {
        say.missing(`local value "${name}"`, file.localLines?.get(name));
        continue;
      }
      delete holder[name];
      setOwn(kept, name, value);
    }
  }
  return Object.keys(kept).length > 0 ? [kept] : [];
}

/**
 * Provider configurations, matched by name and alias. A default configuration the primary files
 * lack is added (Terraform reads an absent one as empty); an aliased one must exist.
 */
function mergeProviders(
  merged: ParsedFile[],
  providers: unknown,
  say: Complaints,
): Record<string, Body[]> {
  const added: Record<string, Body[]> = {};
  for (const [name, over] of labelled1(providers)) {
    const alias = aliasOf(over);
    const base = providerConfig([...merged, { body: { provider: added } }], name, alias);
    if (base) {
      base.bodies[base.index] = mergeBody(base.bodies[base.index] as Body, over);
    } else if (alias === undefined) {
      if (!Object.hasOwn(added, name)) setOwn(added, name, []);
      added[name].push(over);
    } else {
      say.missing(`provider "${name}" with alias "${alias}"`);
    }
  }
  return added;
}

/**
 * `terraform` blocks: each setting on its own, `required_providers` provider by provider, and a
 * `backend` or `cloud` block replacing whichever of the two the original had. With no
 * `terraform` block in the primary files, the override's stays as it is.
 */
function mergeTerraform(merged: ParsedFile[], overrides: Body[]): Body[] {
  const base = merged.flatMap((f) => list(f.body.terraform));
  if (base.length === 0) return overrides;
  for (const over of overrides) {
    for (const [key, value] of Object.entries(over)) {
      const holder = base.find((b) => Object.hasOwn(b, key)) ?? base[0];
      if (key === 'required_providers') {
        setOwn(holder, key, [{ ...first(holder[key]), ...first(value) }]);
        continue;
      }
      if (key === 'backend' || key === 'cloud') {
        for (const b of base) delete b[key === 'backend' ? 'cloud' : 'backend'];
      }
      setOwn(holder, key, value);
    }
  }
  return [];
}

/** Where the configuration of provider `name` with `alias` (none: the default) is written. */
function providerConfig(
  files: Pick<ParsedFile, 'body'>[],
  name: string,
  alias: string | undefined,
): { bodies: unknown[]; index: number } | undefined {
  for (const file of files) {
    const written = isBody(file.body.provider) ? file.body.provider[name] : undefined;
    const bodies = Array.isArray(written) ? written : [written];
    const index = bodies.findIndex((c) => isBody(c) && aliasOf(c) === alias);
    if (index >= 0) {
      if (!Array.isArray(written)) setOwn(file.body.provider as Body, name, bodies);
      return { bodies, index };
    }
  }
  return undefined;
}

function aliasOf(config: Body): string | undefined {
  return typeof config.alias === 'string' ? config.alias : undefined;
}

/** Adds the override block's inline suppressions to the original block's. */
function addSuppressions(file: ParsedFile, address: string, from: BlockLocation[]): void {
  const extra = from.filter((l) => l.address === address).flatMap((l) => l.suppressions);
  const index = file.locations.findIndex((l) => l.address === address);
  if (extra.length === 0 || index < 0) return;
  const original = file.locations[index];
  file.locations[index] = { ...original, suppressions: [...original.suppressions, ...extra] };
}

/** `(type, name, body)` of every block with two labels, in the order written. */
function labelled2(value: unknown): [string, string, Body][] {
  return entries(value).flatMap(([type, named]) =>
    labelled1(named).map(([name, body]): [string, string, Body] => [type, name, body]),
  );
}

/** `(name, body)` of every block with one label, in the order written. */
function labelled1(value: unknown): [string, Body][] {
  return entries(value).flatMap(([name, bodies]) =>
    list(bodies).map((body): [string, Body] => [name, body]),
  );
}

function entries(value: unknown): [string, unknown][] {
  return isBody(value) ? Object.entries(value) : [];
}

/** The bodies of a block list as hcl2json writes it (one body, or an array of them). */
function list(value: unknown): Body[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter(isBody);
}

function first(value: unknown): Body {
  return list(value)[0] ?? {};
}

/** Sets an own property, even one named `__proto__` (names are the configuration's). */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
