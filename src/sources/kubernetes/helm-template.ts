/**
 * Recognises Helm chart templates: Go templating that is not Kubernetes YAML until
 * `helm template` renders it.
 */

import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { SourceReadError } from '../../model/source-error.js';

/**
 * A Go template action: `{{ .Values.x }}`, `{{- include "a" . }}`, `{{ end }}`. Bounded to one
 * line of at most 200 characters so a file full of `{{` cannot make the match quadratic.
 */
const TEMPLATE_ACTION = /\{\{[^}\n]{0,200}\}\}/;

/** How far up the tree a `Chart.yaml` is looked for from a `templates/` folder. */
const MAX_CHART_DEPTH = 8;

/** A template action outside quotes: YAML reads `name: {{ .Values.x }}` as a nested map. */
const UNQUOTED_ACTION = /^[^'"#\n]{0,500}\{\{/m;

/** True when some line holds a template action before any quote or comment. */
export function hasUnquotedTemplateActions(text: string): boolean {
  return UNQUOTED_ACTION.test(text);
}

/** True when the text holds at least one Go template action. */
export function hasTemplateActions(text: string): boolean {
  return TEMPLATE_ACTION.test(text);
}

/** True when `path` sits under a `templates/` folder of a chart (a `Chart.yaml` above it). */
export function isInHelmChart(path: string): boolean {
  const parts = resolve(path).split(sep);
  const templatesAt = parts.lastIndexOf('templates');
  if (templatesAt < 1) return false;

  let dir = parts.slice(0, templatesAt).join(sep) || sep;
  for (let depth = 0; depth < MAX_CHART_DEPTH; depth += 1) {
    if (existsSync(join(dir, 'Chart.yaml')) || existsSync(join(dir, 'Chart.yml'))) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
  return false;
}

/** The error a Helm template gets: the scan lists the file as errored with this reason. */
export function helmTemplateError(file: string, line?: number): SourceReadError {
  return new SourceReadError({
    file,
    line,
    code: 'UNSUPPORTED_TEMPLATE',
    message:
      'Helm template (Go templating) is not Kubernetes YAML until rendered; ' +
      'render it first with `helm template <chart>` and scan the output',
  });
}

/** Line (1-based) of the first template action, to point the user at it. */
export function firstTemplateLine(text: string): number | undefined {
  const match = TEMPLATE_ACTION.exec(text);
  if (!match) return undefined;
  return text.slice(0, match.index).split('\n').length;
}
