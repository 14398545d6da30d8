/**
 * Evaluates one instance of a loaded Terraform module: variables, locals, resources and data
 * blocks (with `count`, `for_each` and `dynamic`), outputs, and the local modules it calls.
 * Everything is computed lazily on first use, so declarations may come in any order.
 */

import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SourceError } from '../../model/source-error.js';
import type { TerraformBlock } from './terraform-block.js';
import { setAttributeReferences } from './attribute-references.js';
import type { LoadedModule, ParsedFile } from './module-loader.js';
import { isInside } from './module-loader.js';
import type { Node } from './expression/ast.js';
import { Scope, evaluate, type EvalEnvironment } from './expression/evaluator.js';
import { ExpressionSyntaxError, parseTemplate } from './expression/parser.js';
import { collectReferences, noteReferences } from './expression/references.js';
import {
  EvalError,
  EvalLimitError,
  Namespace,
  containsUnknown,
  isObject,
  isUnknown,
  measureValue,
  resourceObjects,
  toStored,
  toStringValue,
  typeName,
  unknown,
  type Value,
} from './expression/value.js';

/** Limits and shared state of one directory's evaluation. */
export interface EvaluationRun {
  rootDir: string;
  treeRoot: string;
  budget: { steps: number };
  maxInstances: number;
  /** Block and module instances left to create in the whole directory. */
  instancesLeft: number;
  /** The whole directory's allowance of instances (what `instancesLeft` started at), for errors. */
  maxTotalInstances: number;
  /**
   * Where a cap cut the configuration (instances or `dynamic` blocks left out): one error at the
   * file and line of the block cut, since a configuration read in part cannot be vouched for.
   */
  cuts: SourceError[];
  /** Files `file()` read (resolved), so a change to one counts as a change to the configuration. */
  filesRead: Set<string>;
  maxStringLength: number;
  warnings: string[];
  /** Parsed expressions by source text, shared by every module instance. */
  parsed: Map<string, Node>;
  /** Real paths (links resolved) `file()` may read; unset: anything inside `treeRoot`. */
  allow?: (realPath: string) => boolean;
}

/** A value computed once on demand; reading it while it is computed is a cycle. */
class Lazy<T> {
  #state: 'new' | 'running' | 'done' = 'new';
  #value?: T;

  constructor(
    readonly compute: () => T,
    readonly onCycle: () => T,
  ) {}

  get(): T {
    if (this.#state === 'done') return this.#value as T;
    if (this.#state === 'running') return this.onCycle();
    this.#state = 'running';
    try {
      this.#value = this.compute();
    } finally {
      this.#state = 'done';
    }
    return this.#value as T;
  }
}

/** A value with the block addresses its expression referred to. */
interface Traced {
  value: Value;
  references: string[];
}

/** The file and line of a block, for an error about it. */
interface Where {
  file: string;
  line?: number;
  /** The block's address in the configuration (`module.net.aws_vpc.main`). */
  address?: string;
  /** The part of the block being read when it is not its body (`count`, `for_each`). */
  part?: string;
}

/** `main.tf:12: aws_s3_bucket.x count: ` — where a message about `where` starts. */
function placeOf(where: Where | undefined): string {
  if (!where) return '';
  const at = where.line ? `${where.file}:${where.line}` : where.file;
  const what = [where.address, where.part].filter(Boolean).join(' ');
  return what ? `${at}: ${what}: ` : `${at}: `;
}

interface BlockDeclaration {
  mode: 'managed' | 'data';
  type: string;
  name: string;
  body: Record<string, unknown>;
  file: ParsedFile;
}

/** All instances of one resource or data block. */
interface EvaluatedBlock {
  /** What a reference to the block gives: one object, a list (count) or a map (for_each). */
  value: Value;
  blocks: TerraformBlock[];
}

// Known gap: variable `type` constraints are not applied (a tfvars "3" stays a string), and
// `self` (only meaningful in provisioners, which are dropped) is not bound.
const META_ARGUMENTS = new Set([
  'count',
  'for_each',
  'provider',
  'depends_on',
  'lifecycle',
  'provisioner',
  'connection',
]);
const MODULE_ARGUMENTS = new Set([
  'source',
  'version',
  'count',
  'for_each',
  'providers',
  'depends_on',
]);

function first(value: unknown): Record<string, unknown> {
  const body = Array.isArray(value) ? value[0] : value;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

function entries(value: unknown): [string, unknown][] {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.entries(value)
    : [];
}

/** One evaluated instance of a module (the root, or `module.net`, `module.db[0]`). */
export class ModuleInstance {
  readonly #variables = new Map<string, Lazy<Traced>>();
  readonly #locals = new Map<string, Lazy<Traced>>();
  readonly #outputs = new Map<string, Lazy<Traced>>();
  readonly #blocks = new Map<string, Lazy<EvaluatedBlock>>();
  readonly #declarations = new Map<string, BlockDeclaration>();
  readonly #modules = new Map<string, Lazy<{ value: Value; instances: ModuleInstance[] }>>();
  /**
   * Provider configurations this module's blocks may use, by `aws` or `aws.<alias>`: its own
   * `provider` blocks, else those its caller passes (`providers = { ... }`) or, for a default
   * configuration, shares with it implicitly.
   */
  readonly #providers: Map<string, ProviderConfig>;
  readonly #scope: Scope;
  /**
   * The resource or data block, or the local value, being evaluated: the place an error or
   * warning about its expression names.
   */
  #current?: Where;
  /**
   * Local values being evaluated in this instance, innermost last (`local.a`, `local.b`): when
   * one is read again while on it, the cycle is these from it on.
   */
  readonly #evaluating: string[] = [];
  /** Blocks whose cycle was warned of: a block read by many in its cycle is named once. */
  readonly #cyclesWarned = new Set<string>();

  /**
   * @param prefix module address (`''` for the root, `module.net`, `module.db[0]`)
   * @param inputs values given by the calling module block, evaluated in the caller
   */
  constructor(
    readonly module: LoadedModule,
    readonly prefix: string,
    readonly run: EvaluationRun,
    inputs: Map<string, () => Traced>,
    readonly depth = 0,
    providers: Map<string, ProviderConfig> = new Map(),
  ) {
    const env = this.#environment();
    this.#scope = new Scope(env);
    this.#providers = new Map(providers);
    for (const file of module.files) this.#declare(file, inputs);
  }

  #environment(): EvalEnvironment {
    return {
      root: (name) => this.#root(name),
      block: (address) => this.#blockValue(address),
      qualify: (address) => this.#qualify(address),
      budget: this.run.budget,
      maxStringLength: this.run.maxStringLength,
      readFile: (p) => this.#readFile(p),
    };
  }

  #qualify(address: string): string {
    return this.prefix ? `${this.prefix}.${address}` : address;
  }

  #declare(file: ParsedFile, inputs: Map<string, () => Traced>): void {
    const body = file.body;
    for (const [name, decl] of entries(body.variable)) {
      const input = inputs.get(name);
      const tfvar = Object.hasOwn(this.module.tfvars, name) ? this.module.tfvars[name] : undefined;
      const declared = first(decl);
      this.#variables.set(
        name,
        new Lazy<Traced>(
          () => {
            if (input) return input();
            if (tfvar !== undefined) return this.#traced(tfvar, this.#scope);
            if (Object.hasOwn(declared, 'default'))
              return this.#traced(declared.default, this.#scope);
            return { value: unknown(`variable "${name}" has no value`), references: [] };
          },
          () => ({ value: unknown(`variable "${name}" depends on itself`), references: [] }),
        ),
      );
    }
    const localBlocks = Array.isArray(body.locals) ? body.locals : [body.locals];
    for (const block of localBlocks) {
      for (const [name, raw] of entries(block)) {
        const where: Where = {
          file: file.path,
          line: file.localLines?.get(name),
          address: this.#qualify(`local.${name}`),
        };
        this.#locals.set(
          name,
          new Lazy<Traced>(
            () => this.#within(where, () => this.#traced(raw, this.#scope)),
            () => this.#localCycle(name, where),
          ),
        );
      }
    }
    for (const [name, decl] of entries(body.output)) {
      const raw = first(decl).value;
      const where: Where = { file: file.path, address: this.#qualify(`output.${name}`) };
      this.#outputs.set(
        name,
        new Lazy<Traced>(
          () => this.#within(where, () => this.#traced(raw ?? null, this.#scope)),
          () => ({ value: unknown(`output "${name}" depends on itself`), references: [] }),
        ),
      );
    }
    for (const [provider, configs] of entries(body.provider)) {
      for (const config of Array.isArray(configs) ? configs : [configs]) {
        const raw = first(config);
        const alias = typeof raw.alias === 'string' ? raw.alias : undefined;
        const key = alias ? `${provider}.${alias}` : provider;
        this.#providers.set(
          key,
          new Lazy(
            () => {
              const { alias: _alias, ...settings } = raw;
              const value = this.#traced(settings, this.#scope).value;
              return isObject(value) ? (toStored(value) as Record<string, unknown>) : {};
            },
            () => ({}),
          ),
        );
      }
    }
    for (const [mode, key] of [
      ['managed', 'resource'],
      ['data', 'data'],
    ] as const) {
      for (const [type, named] of entries(body[key])) {
        for (const [name, decl] of entries(named)) {
          const address = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
          this.#declarations.set(address, { mode, type, name, body: first(decl), file });
          this.#blocks.set(
            address,
            new Lazy(
              () => this.#evaluateBlock(address),
              () => ({ value: this.#blockCycle(address), blocks: [] }),
            ),
          );
        }
      }
    }
    for (const [name, decl] of entries(body.module)) {
      const call = first(decl);
      const line = file.locations.find((l) => l.address === `module.${name}`)?.line;
      this.#modules.set(
        name,
        new Lazy(
          () => this.#instantiateModule(name, call, { file: file.path, line }),
          () => ({ value: unknown(`module.${name} depends on itself`), instances: [] }),
        ),
      );
    }
  }

  // ---- names ---------------------------------------------------------------------------------

  #root(name: string): Value | undefined {
    switch (name) {
      case 'var':
        return new Namespace('var', (n) => this.#read(this.#variables.get(n), `variable "${n}"`));
      case 'local':
        return new Namespace('local', (n) => this.#read(this.#locals.get(n), `local "${n}"`));
      case 'module':
        return new Namespace('module', (n) => this.#moduleValue(n));
      case 'path':
        return {
          module: path.relative(this.run.rootDir, this.module.dir) || '.',
          root: '.',
          cwd: '.',
        };
      case 'terraform':
        return { workspace: 'default' };
      default:
        return undefined;
    }
  }

  /** Runs `compute` with `where` as the place its errors and warnings name. */
  #within<T>(where: Where, compute: () => T): T {
    const outer = this.#current;
    this.#current = where;
    this.#evaluating.push(where.address ?? '');
    try {
      return compute();
    } finally {
      this.#evaluating.pop();
      this.#current = outer;
    }
  }

  /**
   * A local value read while it is being computed: Terraform refuses such a configuration
   * ("Cycle: local.a, local.b"). The scan goes on with the value unknown, and says so at the
   * local's line, with the cycle (`local.a -> local.b -> local.a`).
   */
  #localCycle(name: string, where: Where): Traced {
    const self = where.address ?? `local.${name}`;
    const from = this.#evaluating.lastIndexOf(self);
    const cycle = [...(from >= 0 ? this.#evaluating.slice(from) : [self]), self];
    const at = where.line ? `${where.file}:${where.line}` : where.file;
    this.#warn(
      `${at}: local "${name}" depends on itself (${cycle.join(' -> ')}); Terraform refuses ` +
        'such a configuration, so its value is unknown and what reads it cannot be judged',
    );
    return { value: unknown(`local "${name}" depends on itself`), references: [] };
  }

  /**
   * A resource or data block read while it is being evaluated (its own expressions, or a block
   * they read, refer back to it): Terraform refuses such a configuration ("Error: Cycle"). What
   * read it goes on with the value unknown, and the scan says so once per block at its line.
   */
  #blockCycle(address: string): Value {
    const self = this.#qualify(address);
    if (!this.#cyclesWarned.has(self)) {
      this.#cyclesWarned.add(self);
      const decl = this.#declarations.get(address)!;
      const line = decl.file.locations.find((l) => l.address === address)?.line;
      const from = this.#evaluating.lastIndexOf(self);
      const cycle = [...(from >= 0 ? this.#evaluating.slice(from) : [self]), self];
      const at = line ? `${decl.file.path}:${line}` : decl.file.path;
      this.#warn(
        `${at}: ${self} depends on itself (${cycle.join(' -> ')}); Terraform refuses such a ` +
          'configuration (Cycle), so the value read there is unknown and what reads it cannot ' +
          'be judged',
      );
    }
    return unknown(`${address} depends on itself`);
  }

  #read(lazy: Lazy<Traced> | undefined, what: string): Value {
    if (!lazy) throw new EvalError(`${what} is not declared`);
    const traced = lazy.get();
    noteReferences(traced.references);
    return traced.value;
  }

  #blockValue(address: string): Value {
    const lazy = this.#blocks.get(address);
    if (!lazy) return unknown(`${address} is not declared in this module`);
    return lazy.get().value;
  }

  #moduleValue(name: string): Value {
    const lazy = this.#modules.get(name);
    if (!lazy) throw new EvalError(`module "${name}" is not declared`);
    return lazy.get().value;
  }

  /** Evaluates a raw hcl2json value, catching budget exhaustion into an unknown value. */
  #traced(raw: unknown, scope: Scope): Traced {
    return collectReferences(() => this.#evalRaw(raw, scope));
  }

  // ---- values ---------------------------------------------------------------------------------

  #parse(text: string): Node | undefined {
    const cached = this.run.parsed.get(text);
    if (cached) return cached;
    try {
      const node = parseTemplate(text);
      if (this.run.parsed.size < 50_000) this.run.parsed.set(text, node);
      return node;
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      this.#warn(`expression not understood (${error.message}): ${text.slice(0, 80)}`);
      return undefined;
    }
  }

  #warn(message: string): void {
    if (this.run.warnings.length < 200 && !this.run.warnings.includes(message))
      this.run.warnings.push(message);
  }

  /** Evaluates a value as hcl2json wrote it: strings are templates, blocks arrays of objects. */
  #evalRaw(raw: unknown, scope: Scope, depth = 0): Value {
    if (depth > 64) return unknown('value nested too deeply');
    if (typeof raw === 'string') {
      if (!raw.includes('${') && !raw.includes('%{')) return raw;
      const node = this.#parse(raw);
      if (!node) return unknown('expression not understood');
      try {
        return evaluate(node, scope);
      } catch (error) {
        if (!(error instanceof EvalLimitError)) throw error;
        // A limit stopped the evaluation: what the block holds is not known, and not because
        // the value is known only after apply, so the configuration cannot be vouched for.
        this.#cut(this.#current, `evaluation stopped (${error.message})`);
        return unknown(error.message);
      }
    }
    if (Array.isArray(raw)) return raw.map((x) => this.#evalRaw(x, scope, depth + 1));
    if (typeof raw === 'object' && raw !== null)
      return this.#evalBody(raw as Record<string, unknown>, scope, depth);
    if (typeof raw === 'number' || typeof raw === 'boolean') return raw;
    return null;
  }

  /** An object or block body; `dynamic` blocks are expanded into nested blocks. */
  #evalBody(
    body: Record<string, unknown>,
    scope: Scope,
    depth: number,
    skip?: Set<string>,
    perKey?: Record<string, string[]>,
  ): Value {
    const out: Record<string, Value> = {};
    for (const [rawKey, raw] of Object.entries(body)) {
      if (skip?.has(rawKey)) continue;
      if (rawKey === 'dynamic' && isDynamic(raw)) {
        const dynamic = raw as Record<string, unknown>;
        const { references } = collectReferences(() =>
          this.#expandDynamic(dynamic, scope, out, depth),
        );
        for (const name of Object.keys(dynamic)) if (perKey) perKey[name] = references;
        continue;
      }
      if (perKey) {
        const traced = collectReferences(() => this.#evalRaw(raw, scope, depth + 1));
        perKey[rawKey] = [...(perKey[rawKey] ?? []), ...traced.references];
        out[rawKey] = withDynamic(traced.value, out[rawKey]);
        continue;
      }
      const key = rawKey.startsWith('${') ? this.#evalRaw(rawKey, scope, depth + 1) : rawKey;
      if (isUnknown(key)) return key;
      let name: string;
      try {
        name = toStringValue(key);
      } catch {
        return unknown(`object key of type ${typeName(key)}`);
      }
      out[name] = withDynamic(this.#evalRaw(raw, scope, depth + 1), out[name]);
    }
    return out;
  }

  #expandDynamic(
    dynamic: Record<string, unknown>,
    scope: Scope,
    out: Record<string, Value>,
    depth: number,
  ): void {
    for (const [name, decls] of Object.entries(dynamic)) {
      for (const decl of Array.isArray(decls) ? decls : [decls]) {
        const spec = decl as Record<string, unknown>;
        const iterator =
          typeof spec.iterator === 'string' ? spec.iterator.replace(/^\$\{(.*)\}$/, '$1') : name;
        const collection = this.#evalRaw(spec.for_each ?? null, scope, depth + 1);
        const existing = out[name];
        if (isUnknown(existing)) continue;
        if (isUnknown(collection)) {
          const marker = unknown(`dynamic "${name}" iterates over a value unknown before apply`);
          // Blocks written out beside it stay known, the unknown ones a marker after them.
          out[name] =
            Array.isArray(existing) && existing.length > 0 ? [...existing, marker] : marker;
          continue;
        }
        const list = Array.isArray(existing) ? existing : [];
        const pairs = pairsOf(collection);
        if (pairs.length > this.run.maxInstances) {
          this.#cut(
            this.#current,
            `dynamic "${name}" iterates over ${pairs.length} items, more than the ` +
              `${this.run.maxInstances} one block may expand to; only the first ` +
              `${this.run.maxInstances} were read`,
          );
        }
        for (const [key, value] of pairs.slice(0, this.run.maxInstances)) {
          const inner = scope.with(new Map([[iterator, { key, value }]]));
          list.push(this.#evalRaw(first(spec.content), inner, depth + 1));
        }
        out[name] = list;
      }
    }
  }

  // ---- resources and data ----------------------------------------------------------------------

  #evaluateBlock(address: string): EvaluatedBlock {
    const decl = this.#declarations.get(address)!;
    const location = decl.file.locations.find((l) => l.address === address);
    const where: Where = {
      file: decl.file.path,
      line: location?.line,
      address: this.#qualify(address),
    };
    const make = (
      bindings: Map<string, Value>,
      suffix: string,
      index?: number | string,
    ): TerraformBlock => {
      const scope = bindings.size ? this.#scope.with(bindings) : this.#scope;
      // Keyed by attribute names the configuration chooses: no inherited `constructor` entry.
      const perKey: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
      // Blocks are evaluated on first use, inside another's evaluation: the outer one's place
      // comes back once this one is done.
      const value = this.#within(where, () =>
        this.#evalBody(decl.body, scope, 0, META_ARGUMENTS, perKey),
      );
      const self = this.#qualify(address) + suffix;
      const references = [...new Set(Object.values(perKey).flat())].filter((r) => r !== self);
      const attributes = this.#store(value, address);
      const block: TerraformBlock = {
        mode: decl.mode,
        type: decl.type,
        name: decl.name,
        address: this.#qualify(address) + suffix,
        module: this.prefix,
        attributes: isUnknown(attributes) ? {} : attributes,
        references,
        file: decl.file.path,
        line: location?.line,
      };
      if (index !== undefined) block.index = index;
      const provider = this.#providers.get(providerKey(decl.type, decl.body.provider));
      if (provider) block.providerConfig = provider.get();
      if (location?.suppressions.length) block.suppressions = location.suppressions;
      resourceObjects.set(block.attributes, block.address);
      setAttributeReferences(block, perKey);
      return block;
    };
    return this.#expand(decl.body, address, where, make);
  }

  /** Expands `count` / `for_each` of a resource, data or module block into instances. */
  #expand<T extends { attributes: Record<string, unknown> } | ModuleInstance>(
    body: Record<string, unknown>,
    address: string,
    where: Where,
    make: (bindings: Map<string, Value>, suffix: string, index?: number | string) => T,
  ): { value: Value; blocks: T[] } {
    const valueOf = (item: T): Value =>
      item instanceof ModuleInstance ? item.outputs() : (item.attributes as Value);
    // Meta-arguments are read in a collector of their own, so that a block evaluated on first
    // use inside another block's expression does not add its own references to that one's.
    if (Object.hasOwn(body, 'count')) {
      const count = this.#within({ ...where, part: 'count' }, () =>
        this.#traced(body.count, this.#scope),
      ).value;
      if (typeof count !== 'number') {
        const reason = isUnknown(count) ? count : unknown(`count of ${address} is not a number`);
        const item = make(new Map([['count', { index: reason }]]), '');
        return { value: reason, blocks: [item] };
      }
      const n = this.#takeInstances(this.#capInstances(count, address, where), address, where);
      const items = Array.from({ length: n }, (_x, i) =>
        make(new Map([['count', { index: i }]]), `[${i}]`, i),
      );
      return { value: items.map(valueOf), blocks: items };
    }
    if (Object.hasOwn(body, 'for_each')) {
      const { value: collection, references } = this.#within({ ...where, part: 'for_each' }, () =>
        this.#traced(body.for_each, this.#scope),
      );
      if (isUnknown(collection) || !(Array.isArray(collection) || isObject(collection))) {
        const reason = isUnknown(collection)
          ? collection
          : unknown(`for_each of ${address} is not a map or set`);
        const item = make(new Map([['each', reason]]), '');
        return { value: reason, blocks: [item] };
      }
      const value: Record<string, Value> = {};
      const items: T[] = [];
      const all = pairsOf(collection, true);
      if (all.length > this.run.maxInstances) {
        this.#cut(
          where,
          `for_each over ${all.length} items, more than the ` +
            `${this.run.maxInstances} instances one block may expand to; only the first ` +
            `${this.run.maxInstances} were read`,
        );
      }
      const pairs = all.slice(0, this.run.maxInstances);
      for (const [key, each] of pairs.slice(0, this.#takeInstances(pairs.length, address, where))) {
        const k = typeof key === 'string' ? key : JSON.stringify(key);
        const item = make(
          new Map([['each', eachObject(k, each, references)]]),
          `[${JSON.stringify(k)}]`,
          k,
        );
        items.push(item);
        value[k] = valueOf(item);
      }
      return { value, blocks: items };
    }
    const item = make(new Map(), '');
    return { value: valueOf(item), blocks: [item] };
  }

  /** Copies an evaluated body into plain JSON, unless it would be unreasonably large. */
  #store(value: Value, address: string): Record<string, unknown> {
    const size = measureValue(value, 500_000);
    this.run.budget.steps -= size;
    if (size > 500_000) {
      this.#warn(`${this.#qualify(address)}: attributes too large to keep`);
      return {};
    }
    return toStored(value) as Record<string, unknown>;
  }

  /** Takes up to `n` instances from the directory's allowance. */
  #takeInstances(n: number, address: string, where: Where): number {
    const granted = Math.max(0, Math.min(n, this.run.instancesLeft));
    this.run.instancesLeft -= granted;
    if (granted < n) {
      this.#cut(
        where,
        `the configuration expands to more than the ` +
          `${this.run.maxTotalInstances} instances read in one root module; ${n - granted} of ` +
          'this block were left out',
      );
    }
    return granted;
  }

  #capInstances(count: number, address: string, where: Where): number {
    const n = Math.max(0, Math.floor(count));
    if (n <= this.run.maxInstances) return n;
    this.#cut(
      where,
      `count ${n} is more than the ${this.run.maxInstances} ` +
        `instances one block may expand to; only the first ${this.run.maxInstances} were read`,
    );
    return this.run.maxInstances;
  }

  /**
   * Records that a cap left part of the configuration out: an input error of the block's file,
   * so the gate and `scan --fail-on` say they cannot vouch for it instead of passing a part.
   */
  #cut(where: Where | undefined, message: string): void {
    const file = where?.file ?? this.module.dir;
    const line = where?.line;
    const text = `${placeOf(where ?? { file })}${message}`;
    if (this.run.cuts.some((e) => e.message === text)) return;
    this.run.cuts.push({ file, ...(line ? { line } : {}), code: 'TOO_LARGE', message: text });
  }

  // ---- modules ---------------------------------------------------------------------------------

  #instantiateModule(
    name: string,
    call: Record<string, unknown>,
    where: Where,
  ): { value: Value; instances: ModuleInstance[] } {
    const loaded = this.module.children.get(name);
    if (!loaded) return { value: unknown(`module "${name}" was not read`), instances: [] };
    const address = `module.${name}`;
    const make = (bindings: Map<string, Value>, suffix: string): ModuleInstance => {
      const scope = bindings.size ? this.#scope.with(bindings) : this.#scope;
      const inputs = new Map<string, () => Traced>();
      for (const [key, raw] of Object.entries(call)) {
        if (!MODULE_ARGUMENTS.has(key)) {
          const input: Where = { ...where, address: this.#qualify(address) + suffix, part: key };
          inputs.set(key, () => this.#within(input, () => this.#traced(raw, scope)));
        }
      }
      return new ModuleInstance(
        loaded,
        this.#qualify(address) + suffix,
        this.run,
        inputs,
        this.depth + 1,
        this.#passedProviders(call.providers),
      );
    };
    const { value, blocks } = this.#expand(call, address, where, make);
    return { value, instances: blocks };
  }

  /**
   * The provider configurations a module call hands its module: the default ones implicitly,
   * and those `providers = { aws = aws.west }` names, under the child's key.
   */
  #passedProviders(mapping: unknown): Map<string, ProviderConfig> {
    const passed = new Map<string, ProviderConfig>();
    for (const [key, config] of this.#providers) if (!key.includes('.')) passed.set(key, config);
    for (const [childKey, raw] of entries(first(mapping))) {
      const parentKey = typeof raw === 'string' ? traversalText(raw) : undefined;
      const config = parentKey === undefined ? undefined : this.#providers.get(parentKey);
      if (config) passed.set(childKey, config);
      else passed.delete(childKey);
    }
    return passed;
  }

  /** The module's outputs as a namespace (`module.net.vpc_id`). */
  outputs(): Value {
    return new Namespace(this.prefix, (n) => this.#read(this.#outputs.get(n), `output "${n}"`));
  }

  /** Every resource and data block instance of this module and the modules it calls. */
  allBlocks(): TerraformBlock[] {
    const out: TerraformBlock[] = [];
    for (const lazy of this.#blocks.values()) for (const item of lazy.get().blocks) out.push(item);
    for (const lazy of this.#modules.values()) {
      for (const child of lazy.get().instances)
        for (const item of child.allBlocks()) out.push(item);
    }
    return out;
  }

  // ---- files -----------------------------------------------------------------------------------

  /**
   * `file()` of a path the scan may not read: nothing of it is read, and the value is unknown
   * (not left out, which could make a rule pass), said at the expression's place.
   */
  #outside(p: string, limit: string): EvalError {
    this.#warn(
      `${placeOf(this.#current ?? { file: this.module.dir })}file("${p}") reads a path ` +
        `outside the scan root (${limit}), so it was not read and the value is unknown`,
    );
    return new EvalError(`file ${p} is outside ${limit}`);
  }

  /**
   * `file()`: relative to the root module (as Terraform resolves it), inside the folder local
   * modules are read from (`readLimit`: the path scanned or the root's git repository).
   */
  #readFile(p: string): string {
    const target = path.resolve(this.run.rootDir, p);
    if (!isInside(this.run.treeRoot, target)) throw this.#outside(p, this.run.treeRoot);
    this.run.filesRead.add(target);
    try {
      const real = realpathSync(target);
      if (!isInside(realpathSync(this.run.treeRoot), real))
        throw this.#outside(p, this.run.treeRoot);
      if (this.run.allow && !this.run.allow(real))
        throw this.#outside(p, 'the folders this source may read');
      this.run.filesRead.add(real);
      if (statSync(real).size > 1024 * 1024) throw new EvalError(`file ${p} is larger than 1 MB`);
      return readFileSync(real, 'utf8');
    } catch (error) {
      if (error instanceof EvalError) throw error;
      throw new EvalError(`file ${p} cannot be read`);
    }
  }
}

/**
 * A block list written out, joined to what `dynamic` blocks of the same name gave before it in
 * the body (hcl2json lists `dynamic` first when written first): the written blocks would
 * otherwise replace the generated ones, and a generated rule open to the internet go unseen.
 */
function withDynamic(value: Value, generated: Value | undefined): Value {
  if (generated === undefined || !Array.isArray(value)) return value;
  if (isUnknown(generated)) return [...value, generated];
  return Array.isArray(generated) ? [...value, ...generated] : value;
}

/** `dynamic` blocks in hcl2json: `{ name: [{ for_each, content: [...] }] }`. */
function isDynamic(raw: unknown): boolean {
  return (
    entries(raw).every(
      ([, decls]) =>
        Array.isArray(decls) &&
        decls.every((d) => typeof d === 'object' && d !== null && 'content' in d),
    ) && entries(raw).length > 0
  );
}

/**
 * `each` of one `for_each` instance; `sources` are the blocks the `for_each` expression read.
 * When `each.value` is known only after apply and was computed from the instance of the same
 * key of another block (`for_each = { for k, v in aws_s3_bucket.b : k => v.id }`), reading it
 * refers to that instance, as `each.value.id` does when `each.value` is the instance itself.
 */
function eachObject(key: string, value: Value, sources: string[]): Namespace {
  let paired: string[] | undefined;
  return new Namespace('each', (name) => {
    if (name === 'key') return key;
    if (name !== 'value') throw new EvalError(`"each" has no attribute "${name}"`);
    paired ??= containsUnknown(value) ? sources.filter((r) => hasKey(r, key)) : [];
    noteReferences(paired);
    return value;
  });
}

/** Whether an instance address ends in `key`: `x.y["a"]` for "a", `x.y[0]` for "0". */
function hasKey(address: string, key: string): boolean {
  return address.endsWith(`[${JSON.stringify(key)}]`) || address.endsWith(`[${key}]`);
}

/** (key, value) pairs of a for_each collection: map entries, or set elements as both. */
function pairsOf(collection: Value, setKeys = false): [Value, Value][] {
  let pairs: [Value, Value][];
  if (Array.isArray(collection)) pairs = collection.map((v, i) => [setKeys ? v : i, v]);
  else if (isObject(collection))
    pairs = Object.keys(collection)
      .sort()
      .map((k) => [k, collection[k]]);
  else pairs = [];
  return pairs;
}

/** A provider configuration's settings (`region`, `project`), evaluated when first used. */
type ProviderConfig = Lazy<Record<string, unknown>>;

/** `aws.west` from `${aws.west}` (how hcl2json writes a bare reference); else undefined. */
function traversalText(raw: string): string | undefined {
  const match = /^\$\{\s*([A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)?)\s*\}$/.exec(raw.trim());
  return match?.[1];
}

/**
 * The provider configuration a block uses: its `provider` meta-argument (`aws.west`), else the
 * default configuration of the provider its type names (`aws_s3_bucket` -> `aws`).
 */
function providerKey(type: string, provider: unknown): string {
  const named = typeof provider === 'string' ? traversalText(provider) : undefined;
  return named ?? type.split('_')[0];
}
