/**
 * Applies a rule's Kubernetes fix to one object in a manifest file through the yaml Document API,
 * so comments survive: values written on the pod spec and on every container and init container.
 * Documents the fix does not touch keep their exact text.
 */

import { isMap, isNode, isSeq, parseAllDocuments, YAMLMap, type Document } from 'yaml';
import type { KubernetesFix } from '../../model/rule.js';

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATH: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Which object a fix is for: its kind, name and (when set) namespace. */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

function matches(node: unknown, ref: ObjectRef): boolean {
  if (!isMap(node)) return false;
  const metadata = node.get('metadata');
  if (!isMap(metadata)) return false;
  if (node.get('kind') !== ref.kind || metadata.get('name') !== ref.name) return false;
  // Same kind and name in two namespaces of one file: only the named one.
  const namespace = metadata.get('namespace');
  return namespace === undefined || ref.namespace === undefined || namespace === ref.namespace;
}

/** The object's map in a document: the document itself or an item of a `List`. */
function findObject(doc: Document, ref: ObjectRef): YAMLMap | undefined {
  const root = doc.contents;
  if (matches(root, ref)) return root as YAMLMap;
  if (
    isMap(root) &&
    typeof root.get('kind') === 'string' &&
    String(root.get('kind')).endsWith('List')
  ) {
    const items = root.get('items');
    if (isSeq(items)) return items.items.find((i) => matches(i, ref)) as YAMLMap | undefined;
  }
  return undefined;
}

function setIn(
  doc: Document,
  map: YAMLMap,
  path: string[],
  value: unknown,
  onlyIfMissing: boolean,
) {
  let node: YAMLMap = map;
  for (const key of path.slice(0, -1)) {
    let next = node.get(key);
    if (!isMap(next)) {
      next = doc.createNode({}) as YAMLMap;
      node.set(key, next);
    }
    node = next as YAMLMap;
  }
  const last = path[path.length - 1];
  if (onlyIfMissing && node.has(last)) return;
  node.set(last, doc.createNode(value));
}

function apply(doc: Document, target: YAMLMap, edits: KubernetesFix['pod']) {
  for (const [path, value] of Object.entries(edits?.set ?? {}))
    setIn(doc, target, path.split('.'), value, false);
  for (const [path, value] of Object.entries(edits?.set_if_missing ?? {}))
    setIn(doc, target, path.split('.'), value, true);
}

/** A document written as JSON: a Kubernetes object or list starts with `{`. */
const JSON_TEXT = /^\s*\{/;

/**
 * The document as JSON again, indented as `original` is (a tab, some spaces, or on one line);
 * the yaml library would write it in flow style, which JSON readers refuse.
 */
function asJson(doc: Document, original: string): string {
  const indent = /^\{[ \t]*\r?\n([ \t]+)\S/.exec(original.trimStart())?.[1] ?? '';
  return `${JSON.stringify(doc.toJS(), null, indent)}\n`;
}

/**
 * The manifest text with `fix` applied to the object `ref`; the same text when the object is not
 * in the file or is not a workload.
 */
export function applyKubernetesFix(text: string, ref: ObjectRef, fix: KubernetesFix): string {
  // Repeated keys were refused when the manifest was read; no pairwise check again here.
  const docs = parseAllDocuments(text, { keepSourceTokens: false, uniqueKeys: false });
  if (!Array.isArray(docs)) return text;
  const specPath = POD_SPEC_PATH[ref.kind];
  if (!specPath) return text;
  const pieces: string[] = [];
  let last = 0;
  let changed = false;
  for (const doc of docs) {
    const object = findObject(doc, ref);
    if (!object || doc.errors.length > 0) continue;
    const spec = object.getIn(specPath);
    if (!isMap(spec)) continue;
    apply(doc, spec, fix.pod);
    for (const list of ['initContainers', 'containers']) {
      const containers = spec.get(list);
      if (!isSeq(containers)) continue;
      for (const c of containers.items) if (isMap(c)) apply(doc, c, fix.containers);
    }
    // Everything before the content (`---`, comments) is kept as written.
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const end = doc.range[2];
    const original = text.slice(start, end);
    // Comments before the content and `---` stay in the untouched text around it, so they are
    // left out of the rendering.
    doc.commentBefore = null;
    if (isMap(doc.contents)) {
      doc.contents.commentBefore = null;
      doc.contents.spaceBefore = false;
      const first = doc.contents.items[0]?.key;
      if (isNode(first)) {
        first.commentBefore = null;
        first.spaceBefore = false;
      }
    }
    doc.directives!.docStart = null;
    let body = JSON_TEXT.test(original)
      ? asJson(doc, original)
      : doc.toString({
          lineWidth: 0,
          flowCollectionPadding: false,
          indentSeq: !/^( *)[^\s#-][^\n]*:[ \t]*\r?\n\1- /m.test(original),
        });
    if (!original.endsWith('\n')) body = body.replace(/\n$/, '');
    // The rendering ends lines with LF; a file written with CRLF keeps them.
    if (original.includes('\r\n')) body = body.replace(/\r?\n/g, '\r\n');
    pieces.push(text.slice(last, start), body);
    last = end;
    changed = true;
  }
  if (!changed) return text;
  pieces.push(text.slice(last));
  return pieces.join('');
}
