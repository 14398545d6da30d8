/**
 * The Kubernetes manifest reader: multi-document YAML or JSON files of Kubernetes objects
 * (and `List` wrappers) become canonical resources. Helm templates are refused with a reason.
 */

import type { Resource } from '../../model/resource.js';
import { SourceReadError } from '../../model/source-error.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import {
  firstTemplateLine,
  hasTemplateActions,
  hasUnquotedTemplateActions,
  helmTemplateError,
  isInHelmChart,
} from './helm-template.js';
import {
  inlinePatchesOf,
  isKustomizationFile,
  kustomizationPatching,
  kustomizePatchError,
  kustomizeInlinePatchError,
} from './kustomize-patch.js';
import { parseManifestObjects, type ManifestObject } from './manifest-documents.js';
import { ignoredNamespace, toKubernetesResource } from './to-resource.js';

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

/** A top-level `apiVersion:` / `kind:` key in YAML (column 0) or a quoted key in JSON. */
const YAML_API_VERSION = /^(?:- )?["']?apiVersion["']?[ \t]*:/m;
const YAML_KIND = /^(?:- )?["']?kind["']?[ \t]*:/m;
const JSON_API_VERSION = /"apiVersion"\s*:/;
const JSON_KIND = /"kind"\s*:/;

/** Markers of templates other readers own, which also carry `apiVersion`/`kind` keys. */
const OTHER_TEMPLATE = /AWSTemplateFormatVersion|schema\.management\.azure\.com\/schemas/;

/** Cheap sniff: a YAML or JSON file whose text carries Kubernetes `apiVersion` and `kind`. */
export function isKubernetesManifest(file: SourceFile): boolean {
  if (!MANIFEST_EXTENSION.test(file.path)) return false;
  const head = file.text.slice(0, 64 * 1024);
  if (OTHER_TEMPLATE.test(head)) return false;
  if (YAML_API_VERSION.test(head) && YAML_KIND.test(head)) return true;
  return /^\s*[[{]/.test(head) && JSON_API_VERSION.test(head) && JSON_KIND.test(head);
}

/**
 * A kustomization that writes patches inline: what `kustomize build` applies is not what the
 * files say, so it is claimed (though it need not look like a manifest) to be refused.
 */
function isKustomizationWithInlinePatches(file: SourceFile): boolean {
  return isKustomizationFile(file.path) && inlinePatchesOf(file.text).length > 0;
}

/**
 * Reads every object of one manifest file; see `isKubernetesManifest` for what it claims. A
 * Kustomize patch, in a file of its own or inline in a kustomization, is refused with a reason,
 * as a Helm template is; other Kustomize files are read as written (bases as they are, overlays
 * not built).
 */
export function readKubernetesManifest(file: SourceFile): ReadResult {
  const kustomization = kustomizationPatching(file.path, file.allow, file.lookups);
  if (kustomization) throw kustomizePatchError(file.path, kustomization);
  if (isKustomizationFile(file.path)) {
    const inline = inlinePatchesOf(file.text.replace(/^\uFEFF/, ''));
    if (inline.length > 0) throw kustomizeInlinePatchError(file.path, inline);
  }
  const text = file.text.replace(/^\uFEFF/, '');
  const templated = hasTemplateActions(text);
  if (templated && (isInHelmChart(file.path) || hasUnquotedTemplateActions(text))) {
    throw helmTemplateError(file.path, firstTemplateLine(text));
  }

  let objects;
  try {
    objects = parseManifestObjects(file.path, text);
  } catch (err) {
    // Quoted Go templating outside a chart is recognised by its effect: it breaks the YAML.
    if (templated && err instanceof SourceReadError && err.code === 'PARSE_ERROR') {
      throw helmTemplateError(file.path, err.line);
    }
    throw err;
  }

  const resources: Resource[] = [];
  const warnings: string[] = [];
  for (const object of objects) {
    const resource = toKubernetesResource(file.path, object);
    if (resource) resources.push(resource);
    else if (object.value !== null && object.value !== undefined) {
      warnings.push(`${file.path}:${object.line}: document is not a Kubernetes object; skipped`);
    }
    const ignored = resource && ignoredNamespaceWarning(file.path, object, resource);
    if (ignored) warnings.push(ignored);
  }
  return warnings.length > 0 ? { resources, warnings } : { resources };
}

/**
 * The API server drops `metadata.namespace` from a cluster-scoped object, and so does the reader;
 * a manifest that writes one is named, as its author may believe the object lives there.
 */
function ignoredNamespaceWarning(
  path: string,
  object: ManifestObject,
  resource: Resource,
): string | undefined {
  const namespace = ignoredNamespace(object.value);
  if (namespace === undefined) return undefined;
  return (
    `${path}:${object.namespaceLine ?? object.line}: metadata.namespace is ignored on ` +
    `cluster-scoped kind ${String(resource.properties.kind)}: ${resource.name} is judged as ` +
    `cluster-wide, not in namespace ${namespace}; remove the namespace`
  );
}

export const kubernetesManifestReader: Reader = {
  kind: 'kubernetes',
  detect: (file) => isKubernetesManifest(file) || isKustomizationWithInlinePatches(file),
  read: readKubernetesManifest,
};
