/** Shared helpers for the ARM reader tests: paths to real templates and resource lookup. */

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from '../../../src/model/resource.js';
import { readArmTemplate } from '../../../src/sources/arm/index.js';

export const sharedData = path.resolve(process.cwd(), '../shared/data');
export const fixtures = path.resolve(process.cwd(), 'test/fixtures/arm');

/** Every `.json` file below `dir`. */
export function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return jsonFilesUnder(full);
    return full.endsWith('.json') ? [full] : [];
  });
}

/** Reads a template from disk through the real reader (sibling parameters file included). */
export async function readTemplate(file: string) {
  return readArmTemplate({ path: file, text: readFileSync(file, 'utf8') });
}

/** The one resource of `type` whose name is `name`; fails loudly when absent or ambiguous. */
export function pick(resources: Resource[], type: string, name: string): Resource {
  const matches = resources.filter((r) => r.type === type && r.name === name);
  if (matches.length !== 1) {
    const seen = resources.map((r) => `${r.type} ${r.name}`).join('\n');
    throw new Error(`expected one ${type} named ${name}, found ${matches.length} among:\n${seen}`);
  }
  return matches[0];
}

/** `properties.properties` of a canonical Azure resource (the ARM body's inner properties). */
export function inner(resource: Resource): Record<string, unknown> {
  return resource.properties.properties as Record<string, unknown>;
}
