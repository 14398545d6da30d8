/**
 * Reads a `.tf.json` file (Terraform's JSON syntax) into the body hcl2json would give for the same
 * configuration written in HCL, with the line of every block, so the module evaluates it as it
 * evaluates `.tf` files. The mapping is Terraform's own:
 * https://developer.hashicorp.com/terraform/language/syntax/json
 */

import { parseTree, type Node } from 'jsonc-parser';
import { SourceReadError } from '../../model/source-error.js';
import { assertJsonNesting, jsonProblem } from '../json-syntax-error.js';
import type { BlockLocation } from './block-locations.js';
import type { HclBody } from './hcl-parse.js';

// Known gap: inline suppressions are not read from `.tf.json` files: JSON has no comments, and
// `"//"` properties are comments Terraform drops.

type Body = Record<string, unknown>;

/** A `.tf.json` file as the module loader keeps a parsed `.tf` file. */
export interface TerraformJson {
  body: HclBody;
  locations: BlockLocation[];
  localLines: Map<string, number>;
}

/** The top-level block types of Terraform, with the number of labels each takes. */
const BLOCK_LABELS: Record<string, number> = {
  resource: 2,
  data: 2,
  module: 1,
  variable: 1,
  output: 1,
  provider: 1,
  check: 1,
  locals: 0,
  terraform: 0,
  moved: 0,
  import: 0,
  removed: 0,
};

/**
 * Parses `text`; throws `SourceReadError` with the line of a syntax error or of a value that is
 * not what Terraform reads there (a block written as a string, a property no block type names).
 *
 * ```ts
 * const { body } = parseTerraformJson('sg.tf.json', '{"resource": {"aws_vpc": {"main": {}}}}');
 * body.resource; // { aws_vpc: { main: [{}] } }
 * ```
 */
export function parseTerraformJson(file: string, text: string): TerraformJson {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  assertJsonNesting(file, source);
  // Terraform reads strict JSON: no comments, no trailing commas.
  const problem = jsonProblem(file, source);
  if (problem) throw problem;
  const root = parseTree(source, [], { disallowComments: true, allowTrailingComma: false });
  return new JsonReader(file, source).read(root);
}

/** One file's conversion: the file and its line starts, for errors and block locations. */
class JsonReader {
  readonly #file: string;
  readonly #lineStarts: number[] = [0];
  readonly #locations: BlockLocation[] = [];
  readonly #localLines = new Map<string, number>();

  constructor(file: string, text: string) {
    this.#file = file;
    for (let i = 0; i < text.length; i++)
      if (text.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
  }

  read(root: Node | undefined): TerraformJson {
    if (!root || !isBlockValue(root)) throw this.#error(root, 'the file must hold a JSON object');
    const body: Body = {};
    for (const [type, value, key] of this.#properties(root)) {
      const labels = BLOCK_LABELS[type];
      if (labels === undefined) throw this.#error(key, this.#unknownBlockType(type, root));
      if (type === 'locals') this.#locals(value, body);
      else this.#blocks(type, value, labels, [], body);
    }
    return { body, locations: this.#locations, localLines: this.#localLines };
  }

  #unknownBlockType(type: string, root: Node): string {
    const plan = this.#properties(root).some(([name]) => name === 'format_version');
    return plan
      ? `"${type}" is not a Terraform block type: this looks like a plan or state file ` +
          '(terraform show -json), which must not be named .tf.json'
      : `"${type}" is not a Terraform block type (resource, data, module, variable, ...)`;
  }

  /** The properties of an object, or of every object of an array, `"//"` comments left out. */
  #properties(node: Node): [string, Node, Node][] {
    const objects = node.type === 'array' ? (node.children ?? []) : [node];
    const out: [string, Node, Node][] = [];
    for (const object of objects) {
      if (object.type !== 'object') {
        throw this.#error(object, 'a JSON object is required here, for a block body or labels');
      }
      for (const property of object.children ?? []) {
        const [key, value] = property.children ?? [];
        if (!key || !value || key.value === '//') continue;
        out.push([String(key.value), value, key]);
      }
    }
    return out;
  }

  /** Blocks of `type` with `labels` labels left to read, added to `body` as hcl2json lists them. */
  #blocks(type: string, value: Node, labels: number, read: Node[], body: Body): void {
    if (value.type === 'null') return;
    if (!isBlockValue(value)) {
      throw this.#error(value, `a JSON object or array of objects is required for ${type} blocks`);
    }
    if (labels > 0) {
      for (const [, inner, key] of this.#properties(value)) {
        this.#blocks(type, inner, labels - 1, [...read, key], body);
      }
      return;
    }
    const names = read.map((key) => String(key.value));
    const bodies = value.type === 'array' ? (value.children ?? []) : [value];
    for (const node of bodies) {
      const converted = this.#blockBody(type, node);
      if (names.length === 0) {
        ownList(body, type).push(converted);
        continue;
      }
      // `resource.aws_vpc.main` is kept as { aws_vpc: { main: [body] } }.
      let holder = ownBody(body, type);
      for (const name of names.slice(0, -1)) holder = ownBody(holder, name);
      ownList(holder, names[names.length - 1]).push(converted);
      this.#locate(type, names, read[read.length - 1], node);
    }
  }

  /** Where a resource, data or module block is, for findings and errors about it. */
  #locate(type: string, names: string[], key: Node, body: Node): void {
    const keyword = type;
    const address =
      type === 'resource'
        ? names.join('.')
        : type === 'data'
          ? `data.${names.join('.')}`
          : type === 'module'
            ? `module.${names[0]}`
            : undefined;
    if (!address) return;
    this.#locations.push({
      keyword,
      address,
      line: this.#line(key.offset),
      endLine: this.#line(body.offset + body.length),
      suppressions: [],
    });
  }

  /** `locals`: an object (or array of objects) whose properties are the local values. */
  #locals(value: Node, body: Body): void {
    if (value.type === 'null') return;
    if (!isBlockValue(value)) throw this.#error(value, 'locals must be a JSON object');
    const values: Body = {};
    for (const [name, expression, key] of this.#properties(value)) {
      if (Object.hasOwn(values, name)) {
        throw this.#error(key, `local value "${name}" is set twice in one locals block`);
      }
      setOwn(values, name, this.#expression(expression));
      if (!this.#localLines.has(name)) this.#localLines.set(name, this.#line(key.offset));
    }
    ownList(body, 'locals').push(values);
  }

  /**
   * A block's body. Arguments Terraform reads literally or as references rather than as string
   * templates are rewritten into the form hcl2json gives them in HCL.
   */
  #blockBody(type: string, node: Node): Body {
    if (node.type !== 'object') {
      throw this.#error(node, `a JSON object is required here, for the body of a ${type} block`);
    }
    const out: Body = {};
    for (const [name, value, key] of this.#properties(node)) {
      if (name === 'dynamic' && type !== 'terraform') {
        out.dynamic = { ...(out.dynamic as Body | undefined), ...this.#dynamic(value) };
        continue;
      }
      const converted = this.#argument(type, name, value);
      if (!Object.hasOwn(out, name)) {
        setOwn(out, name, converted);
        continue;
      }
      // A nested block type may be given more than once; an argument may not.
      if (!isBlockValue(value)) throw this.#error(key, `"${name}" is set twice in this block`);
      setOwn(out, name, [...asList(out[name]), ...asList(converted)]);
    }
    // A block type that `dynamic` also generates is a list, so the two are joined.
    for (const generated of Object.keys((out.dynamic as Body | undefined) ?? {})) {
      if (Object.hasOwn(out, generated) && isPlainObject(out[generated])) {
        setOwn(out, generated, [out[generated]]);
      }
    }
    return out;
  }

  /** One argument of a `type` block, per the JSON syntax's block-type-specific rules. */
  #argument(type: string, name: string, value: Node): unknown {
    const plain = toValue(value);
    if (type === 'terraform') return literal(plain);
    if (name === 'depends_on') return asList(plain).map(reference);
    switch (`${type}.${name}`) {
      case 'resource.provider':
      case 'data.provider':
      case 'variable.type':
        return reference(plain);
      case 'variable.default':
      case 'variable.description':
      case 'output.description':
      case 'module.source':
      case 'module.version':
      case 'provider.alias':
      case 'provider.version':
        return literal(plain);
      case 'module.providers':
        return isPlainObject(plain)
          ? Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, reference(v)]))
          : plain;
      default:
        return this.#expression(value);
    }
  }

  /**
   * `dynamic` blocks: `{ "ingress": { "for_each": ..., "content": {...} } }` (or a list of
   * such), as hcl2json gives them: each label a list of specs, each content a list of one body.
   */
  #dynamic(value: Node): Body {
    const out: Body = {};
    for (const [label, specs, key] of this.#properties(value)) {
      const list = specs.type === 'array' ? (specs.children ?? []) : [specs];
      for (const spec of list) {
        if (spec.type !== 'object') throw this.#error(key, `dynamic "${label}" must be an object`);
        const converted: Body = {};
        for (const [name, inner] of this.#properties(spec)) {
          if (name === 'content') setOwn(converted, name, [this.#blockBody('content', inner)]);
          else if (name === 'iterator') setOwn(converted, name, toValue(inner));
          else setOwn(converted, name, this.#expression(inner));
        }
        ownList(out, label).push(converted);
      }
    }
    return out;
  }

  /** A value read as an expression: strings are templates, as in hcl2json's output. */
  #expression(node: Node): unknown {
    if (node.type === 'array') return (node.children ?? []).map((child) => this.#expression(child));
    if (node.type !== 'object') return node.value;
    const out: Body = {};
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? [];
      if (!key || !value) continue;
      const name = String(key.value);
      if (Object.hasOwn(out, name)) throw this.#error(key, `"${name}" is set twice in this object`);
      // `dynamic` blocks may sit inside nested blocks, which JSON cannot tell from objects.
      if (name === 'dynamic' && isDynamicSpec(value)) setOwn(out, name, this.#dynamic(value));
      else setOwn(out, name, this.#expression(value));
    }
    return out;
  }

  #line(offset: number): number {
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  #error(node: Node | undefined, message: string): SourceReadError {
    return new SourceReadError({
      file: this.#file,
      code: 'INVALID_STRUCTURE',
      message: `Terraform JSON: ${message}`,
      line: node ? this.#line(node.offset) : 1,
    });
  }
}

/** An object, or an array of objects: what JSON writes a block (or several) as. */
function isBlockValue(node: Node): boolean {
  if (node.type === 'object') return true;
  return node.type === 'array' && (node.children ?? []).every((c) => c.type === 'object');
}

/** `{ "ingress": { "content": ... } }`: `dynamic` blocks, not an object value named so. */
function isDynamicSpec(node: Node): boolean {
  const specs = (node.type === 'object' ? (node.children ?? []) : []).map((p) => p.children?.[1]);
  return (
    specs.length > 0 &&
    specs.every((spec) =>
      (spec?.type === 'array' ? (spec.children ?? []) : [spec]).every(
        (s) =>
          s?.type === 'object' &&
          (s.children ?? []).some((p) => p.children?.[0]?.value === 'content'),
      ),
    )
  );
}

/** A JSON value as plain data (no template reading). */
function toValue(node: Node): unknown {
  if (node.type === 'array') return (node.children ?? []).map(toValue);
  if (node.type !== 'object') return node.value;
  const out: Body = {};
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key && value) setOwn(out, String(key.value), toValue(value));
  }
  return out;
}

/** A value Terraform takes literally: `${` and `%{` escaped, so no template is read in it. */
function literal(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/([$%])\{/g, '$1$1{');
  if (Array.isArray(value)) return value.map(literal);
  if (isPlainObject(value)) {
    const out: Body = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, literal(v));
    return out;
  }
  return value;
}

/** A reference written as a string (`"aws.west"`), as hcl2json gives one: `${aws.west}`. */
function reference(value: unknown): unknown {
  return typeof value === 'string' ? `\${${value}}` : value;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isPlainObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `key` of `holder`, made when absent (labels are the user's: `__proto__` too). */
function ownBody(holder: Body, key: string): Body {
  if (!Object.hasOwn(holder, key)) setOwn(holder, key, {});
  return holder[key] as Body;
}

function ownList(holder: Body, key: string): Body[] {
  if (!Object.hasOwn(holder, key)) setOwn(holder, key, []);
  return holder[key] as Body[];
}

/** Sets an own property, even one named `__proto__`, as JSON.parse does. */
function setOwn(object: Body, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
