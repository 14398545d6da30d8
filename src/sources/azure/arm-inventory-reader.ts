/**
 * Reads Azure Resource Manager inventory exports (source kind `azure-arm`): GET bodies, list
 * responses (`{ value: [...] }`), VCR cassettes of recorded ARM calls, and REST API spec examples.
 */

import type { Resource } from '../../model/resource.js';
import { SourceReadError } from '../../model/source-error.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import {
  armBodyToResource,
  inventorySource,
  isArmBody,
  isObject,
  type ArmBody,
} from './arm-resource.js';
import { idKey, parseArmId } from './arm-types.js';
import { armBodyOfCli } from './az-cli-body.js';
import { foldChildren, type FoldEntry } from './child-resources.js';
import { parseJsonText, tryParseJson } from './json-input.js';

type ArmExportShape = 'cassette' | 'spec-example' | 'arm';

/** Cheap text sniff before parsing: JSON that mentions an ARM provider path, not a template. */
export function mentionsArm(text: string): boolean {
  if (!/^\uFEFF?\s*[[{]/.test(text)) return false;
  // The provider path first: other clouds' exports fail it and skip the template checks, each
  // a case-insensitive scan of the whole text. Two patterns, not one alternation: V8 scans
  // for a literal-led pattern much faster.
  if (!/\/providers\/Microsoft\./i.test(text)) return false;
  return !/deploymentTemplate\.json/i.test(text) && !/deploymentParameters\.json/i.test(text);
}

/** `mentionsArm` per file offered to the readers: both Azure readers ask it of the same file. */
const mentions = new WeakMap<SourceFile, boolean>();

/** `mentionsArm` of a file's text, sniffed once however many readers ask. */
export function fileMentionsArm(file: SourceFile): boolean {
  let found = mentions.get(file);
  if (found === undefined) {
    found = mentionsArm(file.text);
    mentions.set(file, found);
  }
  return found;
}

function classify(value: unknown): ArmExportShape | undefined {
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.interactions)) {
    const recordsArm = value.interactions.some(
      (i) =>
        isObject(i) &&
        isObject(i.request) &&
        typeof i.request.uri === 'string' &&
        /management\.azure\.com|\/providers\//i.test(i.request.uri),
    );
    return recordsArm ? 'cassette' : undefined;
  }
  if (isObject(value.responses) && 'parameters' in value) return 'spec-example';
  if (isArmBody(value) && typeof value.type === 'string' && !('$schema' in value)) return 'arm';
  if (Array.isArray(value.value) && value.value.some(isArmBody)) return 'arm';
  return undefined;
}

/** ARM bodies in one response: a single body, a list page, or an array of bodies. */
function bodiesIn(value: unknown): ArmBody[] {
  if (Array.isArray(value)) return value.filter(isArmBody);
  if (isArmBody(value)) return [value];
  if (isObject(value) && Array.isArray(value.value)) return value.value.filter(isArmBody);
  return [];
}

function responseData(body: unknown, warnings: string[], at: string): unknown {
  if (!isObject(body)) return undefined;
  const data = 'data' in body ? body.data : body.string;
  if (typeof data !== 'string') return data;
  if (data.trim() === '') return undefined;
  try {
    return JSON.parse(data);
  } catch {
    warnings.push(`${at}: response body is not JSON; skipped`);
    return undefined;
  }
}

function cassetteBodies(value: Record<string, unknown>, warnings: string[]): ArmBody[] {
  const out: ArmBody[] = [];
  const interactions = value.interactions as unknown[];
  interactions.forEach((interaction, index) => {
    if (!isObject(interaction) || !isObject(interaction.request)) return;
    const method = interaction.request.method ?? 'GET';
    if (typeof method !== 'string' || method.toUpperCase() !== 'GET') return;
    const response = isObject(interaction.response) ? interaction.response : {};
    const code = isObject(response.status) ? response.status.code : 200;
    const status = typeof code === 'number' || typeof code === 'string' ? Number(code) : NaN;
    if (!(status >= 200 && status < 300)) return;
    out.push(...bodiesIn(responseData(response.body, warnings, `interaction ${index}`)));
  });
  return out;
}

function specExampleBodies(value: Record<string, unknown>): ArmBody[] {
  const responses = value.responses as Record<string, unknown>;
  const ok = Object.keys(responses)
    .filter((code) => /^2\d\d$/.test(code))
    .sort();
  const out: ArmBody[] = [];
  for (const code of ok) {
    const response = responses[code];
    if (isObject(response)) out.push(...bodiesIn(response.body));
  }
  return out;
}

/** Later observations of the same resource win; `properties` are merged field by field. */
export function mergeBodies(bodies: ArmBody[]): ArmBody[] {
  return [...mergedById(bodies).values()];
}

/** `mergeBodies`, keyed by each body's case-insensitive id (`idKey`). */
function mergedById(bodies: ArmBody[]): Map<string, ArmBody> {
  const byId = new Map<string, ArmBody>();
  for (const body of bodies) {
    const key = idKey(body.id as string);
    const seen = byId.get(key);
    if (!seen) {
      byId.set(key, body);
      continue;
    }
    const props =
      isObject(seen.properties) && isObject(body.properties)
        ? { ...seen.properties, ...body.properties }
        : (body.properties ?? seen.properties);
    byId.set(key, { ...seen, ...body, properties: props });
  }
  return byId;
}

/** Canonical resources (children folded) for ARM bodies read from one file. */
export function resourcesFromBodies(
  bodies: ArmBody[],
  kind: 'azure-arm' | 'azure-resource-graph',
  file: string,
): Resource[] {
  // Each id is lower-cased and split once: the fold reuses what the merge and the build found.
  const entries: FoldEntry[] = [];
  for (const [key, body] of mergedById(bodies)) {
    const parsed = parseArmId(body.id as string);
    const resource = armBodyToResource(body, inventorySource(kind, file), parsed);
    if (resource) entries.push({ resource, key, parsed });
  }
  return foldChildren(entries);
}

function read(file: SourceFile): ReadResult {
  const value = parseJsonText(file.path, file.text);
  const shape = classify(value);
  if (!shape) {
    throw new SourceReadError({
      file: file.path,
      code: 'INVALID_STRUCTURE',
      message: 'not an ARM resource, list response, VCR cassette or API example',
    });
  }

  const warnings: string[] = [];
  const record = value as Record<string, unknown>;
  let bodies: ArmBody[];
  if (shape === 'cassette') bodies = cassetteBodies(record, warnings);
  else if (shape === 'spec-example') bodies = specExampleBodies(record);
  // `az ... show` prints one body, most with their properties lifted onto the top level.
  else bodies = bodiesIn(record).map(armBodyOfCli);

  const resources = resourcesFromBodies(bodies, 'azure-arm', file.path);
  return warnings.length ? { resources, warnings } : { resources };
}

/**
 * The opening of an ARM list response (`{"value": [{"id": "/subscriptions/...`) up to its first
 * body's id, as ARM writes it (the id first). Anchored: only the start of the text is read.
 */
const LIST_OPENING = /^\uFEFF?\s*\{\s*"value"\s*:\s*\[\s*\{\s*"id"\s*:\s*"([^"\\]*)"/;

/**
 * True when `text` opens as an ARM list response whose first body has an ARM id: what the head
 * of a large export shows, cut where the scan stopped looking. Such a file is this reader's
 * whole, so it is claimed from its head instead of every reader searching all of it again.
 */
export function opensArmList(text: string): boolean {
  const opening = LIST_OPENING.exec(text);
  return opening !== null && isArmBody({ id: opening[1] });
}

function detect(file: SourceFile): boolean {
  if (!fileMentionsArm(file)) return false;
  const value = tryParseJson(file.text);
  if (value !== undefined) return classify(value) !== undefined;
  // Not JSON as a whole: the head of a large file, or a broken one; either is ours when it opens
  // as a list response (a broken one is then reported as such, naming its line).
  return opensArmList(file.text);
}

/** The `azure-arm` inventory reader. */
export const armInventoryReader: Reader = { kind: 'azure-arm', detect, read };
