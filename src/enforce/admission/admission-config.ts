/**
 * Configuration of the admission webhook: where it listens, its TLS files and the CA its callers'
 * client certificates must chain to, the failure policy (fail-closed `Fail` or fail-open
 * `Ignore`), its time budget, exempt namespaces, the exemptions file, the Kubernetes service it
 * runs as (for `admission manifest`) and the policy files it enforces.
 */

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { checkUniqueKeys } from '../../model/yaml-unique-keys.js';

const Name = Type.String({ minLength: 1, maxLength: 253 });

/** The YAML file's shape; every key is optional there. */
export const AdmissionConfigSchema = Type.Object(
  {
    listen: Type.Object(
      {
        host: Type.String({ minLength: 1 }),
        port: Type.Integer({ minimum: 0, maximum: 65_535 }),
      },
      { additionalProperties: false },
    ),
    tls: Type.Object(
      {
        cert: Type.String({ minLength: 1 }),
        key: Type.String({ minLength: 1 }),
        /** CA bundle (PEM) a caller's client certificate must chain to; unset, anyone is answered. */
        clientCA: Type.Optional(Type.String({ minLength: 1 })),
        /** Subject common names accepted among the certificates `clientCA` signed. */
        clientNames: Type.Optional(Type.Array(Name, { minItems: 1, maxItems: 100 })),
      },
      { additionalProperties: false },
    ),
    /** `Fail`: refuse when the webhook cannot judge (fail-closed); `Ignore`: allow (fail-open). */
    failurePolicy: Type.Union([Type.Literal('Fail'), Type.Literal('Ignore')]),
    /** The API server's wait (1-30 s, Kubernetes' bound); the webhook answers within it. */
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 30 }),
    /**
     * Namespaces never judged; globs (`team-*-sandbox`) are honoured by the webhook only. Each
     * entry must be a namespace name or a glob with a fixed part (see `exemptNamespaceProblem`).
     */
    exemptNamespaces: Type.Array(Name, { maxItems: 1_000 }),
    /** Exemptions file (as `palisade check --exemptions`): rule and resource patterns, expiry. */
    exemptions: Type.Optional(Type.String({ minLength: 1 })),
    service: Type.Object(
      {
        name: Name,
        namespace: Name,
        path: Type.String({ pattern: '^/' }),
        port: Type.Integer({ minimum: 1, maximum: 65_535 }),
      },
      { additionalProperties: false },
    ),
    /** Assignment and initiative files (YAML) the webhook enforces, with those in the store. */
    policy: Type.Array(Type.String({ minLength: 1 }), { maxItems: 1_000 }),
    /** Extra rule folders. */
    rules: Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 }),
    /** Store (SQLite path or PostgreSQL URL) for decisions, API assignments and exemptions. */
    store: Type.String({ minLength: 1 }),
    /** How often assignments and exemptions made through the API are read again. */
    policyRefreshSeconds: Type.Integer({ minimum: 1, maximum: 3_600 }),
    /** Stored decisions older than this are deleted (hourly). */
    retentionDays: Type.Integer({ minimum: 1, maximum: 3_650 }),
  },
  { additionalProperties: false },
);

export type AdmissionConfig = Static<typeof AdmissionConfigSchema>;

/** Where the webhook runs when nothing is configured. */
export function defaultAdmissionConfig(): AdmissionConfig {
  return {
    listen: { host: '0.0.0.0', port: 8443 },
    tls: { cert: 'certs/tls.crt', key: 'certs/tls.key' },
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
    exemptNamespaces: ['kube-system', 'kube-node-lease'],
    service: { name: 'palisade-admission', namespace: 'palisade', path: '/validate', port: 443 },
    policy: [],
    rules: [],
    store: '.palisade/palisade.db',
    policyRefreshSeconds: 10,
    retentionDays: 30,
  };
}

/** A configuration file that cannot be read or holds a bad value; names the file, line, key. */
export class AdmissionConfigError extends Error {
  readonly file: string;
  readonly key: string;
  readonly line?: number;

  constructor(props: { file: string; key: string; message: string; line?: number }) {
    const at = props.line ? `${props.file}:${props.line}` : props.file;
    super(`${at}: ${props.key}: ${props.message}`);
    this.name = 'AdmissionConfigError';
    this.file = props.file;
    this.key = props.key;
    this.line = props.line;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The defaults with `overrides` laid over them, one level deep for the nested objects. */
function merge(base: AdmissionConfig, overrides: Record<string, unknown>): unknown {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? { ...current, ...value } : value;
  }
  return merged;
}

/**
 * The validator's message, or for a choice of fixed values (`failurePolicy`) the values
 * themselves: "Expected union value" names none of them.
 */
function schemaMessage(schema: unknown, value: unknown, message: string): string {
  const choices: unknown[] = isRecord(schema) && Array.isArray(schema.anyOf) ? schema.anyOf : [];
  const values = choices.map((c) => (isRecord(c) ? c.const : undefined));
  if (values.length === 0 || !values.every((v): v is string => typeof v === 'string')) {
    return message;
  }
  const expected = `expected ${values.join(' or ')}, got ${JSON.stringify(value)}`;
  const meant = values.find((v) => v.toLowerCase() === String(value).toLowerCase());
  return meant ? `${expected} (write ${meant})` : expected;
}

/** Line of a dotted key in the YAML document, when it is there. */
function lineOf(text: string, path: string[]): number | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (!isMap(node)) return undefined;
    const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value) === segment);
    if (!pair) return undefined;
    node = pair.value ?? pair.key;
    const range = (pair.key as { range?: [number, number] })?.range;
    if (segment === path[path.length - 1] && range) return counter.linePos(range[0]).line;
  }
  return undefined;
}

/** A Kubernetes namespace name: a DNS-1123 label. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Why an `exemptNamespaces` entry cannot be used, or undefined when it can: a namespace name, or
 * a glob over namespace names that keeps a letter or digit of its own (`team-*-sandbox`). A glob
 * of wildcards alone (`*`) would exempt every namespace, so the webhook would judge nothing.
 */
function exemptNamespaceProblem(entry: string): string | undefined {
  const literal = entry.replace(/[*?]/g, '');
  if (!/[a-z0-9]/.test(literal)) {
    return (
      `"${entry}" matches every namespace, so the webhook would judge nothing; name the ` +
      'namespaces to exempt (a glob must keep a fixed part, as team-*-sandbox)'
    );
  }
  const asName = entry.replace(/[*?]/g, 'x');
  if (entry.length > 63 || !NAMESPACE_NAME.test(asName)) {
    return (
      `"${entry}" is not a namespace name (at most 63 lowercase letters, digits and '-', ` +
      "starting and ending with a letter or digit; '*' and '?' as wildcards)"
    );
  }
  return undefined;
}

/** A relative file path made absolute from `base`; anything else (a URL, a wrong type) as is. */
function fromBase(value: unknown, base: string): unknown {
  if (typeof value !== 'string' || value === '' || isAbsolute(value)) return value;
  // A PostgreSQL URL (or any URL) and SQLite's in-memory name are not files.
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  return resolve(base, value);
}

/**
 * The file's values with its relative paths (TLS files, the client CA, policy files, rule
 * folders, the exemptions file, the SQLite store) read from `base`, the config file's folder, as
 * policy files read their scope paths: the
 * webhook then means the same whichever folder it is started in. Defaults and command-line flags
 * stay relative to the working folder.
 */
function fromConfigFolder(value: Record<string, unknown>, base: string): Record<string, unknown> {
  const out = { ...value };
  if (isRecord(out.tls)) {
    const tls = { ...out.tls };
    for (const key of ['cert', 'key', 'clientCA'])
      if (key in tls) tls[key] = fromBase(tls[key], base);
    out.tls = tls;
  }
  for (const key of ['policy', 'rules']) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map((v) => fromBase(v, base));
  }
  for (const key of ['store', 'exemptions']) if (key in out) out[key] = fromBase(out[key], base);
  return out;
}

/**
 * The configuration from `file` (YAML) over the defaults, then `overrides` (command-line flags).
 *
 * ```ts
 * const config = loadAdmissionConfig('admission.yaml', { listen: { host: '127.0.0.1', port: 9443 } });
 * ```
 */
export function loadAdmissionConfig(
  file?: string,
  overrides: Record<string, unknown> = {},
): AdmissionConfig {
  const shown = file ?? '(defaults)';
  let text = '';
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new AdmissionConfigError({
        file,
        key: '(file)',
        message: `cannot read: ${(error as Error).message}`,
      });
    }
    const counter = new LineCounter();
    const doc = parseDocument(text, {
      prettyErrors: false,
      lineCounter: counter,
      uniqueKeys: false,
    });
    checkUniqueKeys(doc);
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      throw new AdmissionConfigError({
        file,
        key: '(yaml)',
        line: counter.linePos(error.pos[0]).line,
        message: error.message.split('\n')[0],
      });
    }
    const value: unknown = doc.toJS() ?? {};
    if (!isRecord(value)) {
      throw new AdmissionConfigError({ file, key: '(root)', message: 'expected a mapping' });
    }
    fromFile = fromConfigFolder(value, dirname(resolve(file)));
  }

  const candidate = merge(merge(defaultAdmissionConfig(), fromFile) as AdmissionConfig, overrides);
  const first = Value.Errors(AdmissionConfigSchema, candidate).First();
  if (first) {
    const path = first.path.split('/').filter(Boolean);
    throw new AdmissionConfigError({
      file: shown,
      key: path.join('.') || '(root)',
      line: text ? lineOf(text, path) : undefined,
      message: schemaMessage(first.schema, first.value, first.message),
    });
  }
  const config = candidate as AdmissionConfig;
  for (const [i, entry] of config.exemptNamespaces.entries()) {
    const problem = exemptNamespaceProblem(entry);
    if (!problem) continue;
    throw new AdmissionConfigError({
      file: shown,
      key: `exemptNamespaces.${i}`,
      line: text ? lineOf(text, ['exemptNamespaces']) : undefined,
      message: problem,
    });
  }
  if (config.tls.clientNames && !config.tls.clientCA) {
    throw new AdmissionConfigError({
      file: shown,
      key: 'tls.clientNames',
      line: text ? lineOf(text, ['tls', 'clientNames']) : undefined,
      message: 'needs tls.clientCA: the names are checked on certificates that CA signed',
    });
  }
  return config;
}
