/**
 * The reader for Azure Resource Manager deployment templates (`azuredeploy.json`), with the
 * sibling `<name>.parameters.json` when there is one.
 */

import { readFile, realpath } from 'node:fs/promises';
import { unknownValue } from '../../model/resource.js';
import { SourceReadError } from '../../model/source-error.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import { isPlainObject, lookupKey, setKey, type JsonObject } from './arm-values.js';
import { parseJsonDocument } from './json-document.js';
import { buildResources } from './resource-builder.js';
import { expandTemplate, type ExpandedResource } from './resource-expander.js';
import { EvaluationBudget, TemplateScope } from './template-scope.js';

const TEMPLATE_SCHEMA = /"\$schema"\s*:\s*"[^"]*deploymentTemplate/i;

/** Whether a file looks like an ARM template: its `$schema`, or `resources` + `contentVersion`. */
export function looksLikeArmTemplate(file: SourceFile): boolean {
  const head = file.text.replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('{') && !head.startsWith('/')) return false;
  if (TEMPLATE_SCHEMA.test(file.text)) return true;
  return /"contentVersion"\s*:/.test(file.text) && /"resources"\s*:/.test(file.text);
}

/**
 * Reads one template into canonical Azure resources.
 *
 * ```ts
 * const { resources } = await readArmTemplate({ path: 'azuredeploy.json', text });
 * ```
 */
export async function readArmTemplate(
  file: SourceFile,
  parametersText?: string | null,
): Promise<ReadResult> {
  const doc = parseJsonDocument(file.path, file.text);
  if (!isPlainObject(doc.value)) {
    throw new SourceReadError({
      file: file.path,
      line: 1,
      code: 'INVALID_STRUCTURE',
      message: 'an ARM template is a JSON object; wrap the template in { }',
    });
  }
  const template = doc.value;
  const warnings = new Set<string>();
  const supplied =
    parametersText === undefined
      ? await readSiblingParameters(file.path, file.allow)
      : parametersText;
  const parameterValues = supplied ? parseParameterValues(file.path, supplied, warnings) : {};

  const budget = new EvaluationBudget(file.path);
  const scope = new TemplateScope({ file: file.path, template, parameterValues, budget, warnings });
  const out: ExpandedResource[] = [];
  const run = { lineOf: doc.lineOf, out, warnings, budget, file: file.path };
  try {
    expandTemplate(run, scope, template, { mode: 'value', loops: [] }, '');
  } catch (error) {
    if (error instanceof RangeError) {
      throw new SourceReadError({
        file: file.path,
        code: 'TOO_LARGE',
        message: 'template is nested too deeply to evaluate',
      });
    }
    throw error;
  }

  const resources = buildResources(file.path, out, budget);
  return { resources, warnings: [...warnings] };
}

/** `azuredeploy.json` -> `azuredeploy.parameters.json`, if it exists. */
async function readSiblingParameters(
  path: string,
  allow?: (realPath: string) => boolean,
): Promise<string | null> {
  if (!/\.json$/i.test(path) || /\.parameters\.json$/i.test(path)) return null;
  try {
    const sibling = path.replace(/\.json$/i, '.parameters.json');
    // Read the resolved path just checked, so the name cannot be swapped for a link meanwhile.
    const target = allow ? await realpath(sibling) : sibling;
    if (allow && !allow(target)) return null;
    return await readFile(target, 'utf8');
  } catch {
    return null;
  }
}

/** Parameter values from a parameters file; a Key Vault reference stays unknown. */
function parseParameterValues(path: string, text: string, warnings: Set<string>): JsonObject {
  const values: JsonObject = {};
  let parsed: unknown;
  try {
    parsed = parseJsonDocument(`${path} (parameters)`, text).value;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    warnings.add(`${path}: parameters file ignored: ${reason}`);
    return values;
  }
  const parameters = isPlainObject(parsed) ? lookupKey(parsed, 'parameters').value : undefined;
  if (!isPlainObject(parameters)) return values;

  for (const [name, entry] of Object.entries(parameters)) {
    if (!isPlainObject(entry)) continue;
    const value = lookupKey(entry, 'value');
    if (value.found) setKey(values, name, value.value);
    else if (lookupKey(entry, 'reference').found) {
      setKey(values, name, unknownValue(`parameters('${name}') from a Key Vault reference`));
    }
  }
  return values;
}

/** The ARM template reader, as the registry lists it. */
export const armTemplateReader: Reader = {
  kind: 'arm',
  detect: looksLikeArmTemplate,
  read: (file) => readArmTemplate(file),
};
