/**
 * Picks the candidate rules for an event so that each event meets few rules: rules are grouped
 * by log source, then keyed by a literal value one field must hold (CloudTrail `eventName`).
 */

import type { EventSource, LogEvent } from '../../model/event.js';
import { compileFieldPath, scalarText, type FieldGetter } from './field-path.js';
import type { EventView } from './field-matcher.js';
import {
  logsourceMatches,
  readerLogSources,
  resolveSource,
  type ReaderLogSource,
  type ResolvedSource,
} from './logsource-table.js';
import type { CompiledSigmaRule, RequiredValues } from './types.js';

/** A compiled rule the index hands out. */
export type IndexedRule = CompiledSigmaRule & { test(view: EventView): boolean };

interface FieldIndex {
  field: string;
  get: FieldGetter;
  byValue: Map<string, IndexedRule[]>;
  /**
   * Rules indexed by a prefix the field's value must start with (`startswith`), by the prefix's
   * length and text: a value is looked up once a length, however many prefixes (an IOC list).
   */
  byPrefix: Map<number, Map<string, PrefixEntry>>;
  prefixes: number;
  /**
   * `byPrefix` as a list in its order, filled once the group is built, each length with its
   * prefix when it has only one (the usual case: compared in place, no slice of the value made).
   */
  lengths: PrefixLength[];
}

interface PrefixLength {
  length: number;
  byText: Map<string, PrefixEntry>;
  only: PrefixEntry | undefined;
  onlyText: string;
}

interface PrefixEntry {
  rules: IndexedRule[];
  /** Place among the field's prefixes, in the order they were indexed. */
  order: number;
}

/** The rules of `index` whose literal the value (lower-cased) is, or starts with. */
function hitsOf(index: FieldIndex, text: string): readonly IndexedRule[] | undefined {
  const lower = text.toLowerCase();
  const exact = index.byValue.get(lower);
  if (index.prefixes === 0) return exact;
  // The first prefix found, then any others: one found and no exact value (the usual case)
  // is answered with its own list, without an array made for the event.
  let first: PrefixEntry | undefined;
  let entries: PrefixEntry[] | undefined;
  const lengths = index.lengths;
  for (let i = 0; i < lengths.length; i++) {
    const { length, byText, only, onlyText } = lengths[i];
    if (length > lower.length) continue;
    const entry = only
      ? lower.startsWith(onlyText)
        ? only
        : undefined
      : byText.get(lower.slice(0, length));
    if (!entry) continue;
    if (!first) first = entry;
    else (entries ??= [first]).push(entry);
  }
  if (!first) return exact;
  // An entry lists each rule once (see `#buildGroup`).
  if (!entries && !exact) return first.rules;
  const found = entries ?? [first];
  // The rules in the order the prefixes were indexed, as trying each prefix in turn lists them.
  if (found.length > 1) found.sort((a, b) => a.order - b.order);
  const out = exact ? [...exact] : [];
  for (const { rules } of found) for (const r of rules) if (!out.includes(r)) out.push(r);
  return out;
}

interface SourceGroup {
  fields: FieldIndex[];
  /** Rules with no usable literal requirement: tested on every event of the source. */
  always: IndexedRule[];
  size: number;
}

/** Candidate lookup for compiled rules. */
export class SigmaRuleIndex {
  readonly #rules: IndexedRule[];
  readonly #choice = new Map<IndexedRule, RequiredValues | undefined>();
  readonly #groups = new Map<string, SourceGroup>();
  readonly #readers: Record<string, ReaderLogSource>;
  readonly #tree = new Map<
    string,
    Map<string | undefined, Map<string | undefined, Map<string | undefined, SourceGroup>>>
  >();
  readonly #categories = new Map<
    string,
    { byAction: Map<string, string>; fallback: string | undefined }
  >();
  readonly #sources = new Map<string, ResolvedSource>();

  constructor(rules: IndexedRule[], readers: Record<string, ReaderLogSource> = readerLogSources()) {
    this.#rules = rules;
    this.#readers = readers;

    // Index each rule on the field most rules can be indexed on, so lookups per event stay few.
    const popularity = new Map<string, number>();
    for (const r of rules)
      for (const req of r.required) popularity.set(req.field, (popularity.get(req.field) ?? 0) + 1);
    for (const r of rules) {
      const best = [...r.required].sort(
        (a, b) =>
          (popularity.get(b.field) ?? 0) - (popularity.get(a.field) ?? 0) ||
          a.values.length +
            (a.prefixes?.length ?? 0) -
            (b.values.length + (b.prefixes?.length ?? 0)),
      )[0];
      this.#choice.set(r, best);
    }
  }

  /** The log sources of the events met so far, each once (to tell which rules the input reached). */
  get sources(): readonly ResolvedSource[] {
    return [...this.#sources.values()];
  }

  /** Number of source groups built so far (one per distinct event source). */
  get groupCount(): number {
    return this.#groups.size;
  }

  /** The rules whose log source admits `source` (no value filtering). */
  rulesFor(source: EventSource, action?: string): IndexedRule[] {
    const resolved = resolveSource(source, this.#readers, action);
    this.#sources.set(resolved.key, resolved);
    return this.#rules.filter((r) => logsourceMatches(r.rule.logsource, resolved));
  }

  /**
   * `rulesFor` the source whatever the event's action, or undefined when the action could
   * change them (the reader derives categories from actions).
   */
  rulesForEveryAction(source: EventSource): IndexedRule[] | undefined {
    if (source.category === undefined && this.#readers[source.reader]?.categories?.length) {
      return undefined;
    }
    return this.rulesFor(source);
  }

  /** Calls `visit` for each candidate rule of the event (each at most once). */
  forEachCandidate(event: LogEvent, visit: (rule: IndexedRule) => void): void {
    for (const rule of this.candidates(event)) visit(rule);
  }

  /** The candidate rules of the event, each once (a shared list: do not modify it). */
  candidates(event: LogEvent): readonly IndexedRule[] {
    const group = this.#group(event.source, event.action);
    if (group.size === 0 || group.fields.length === 0) return group.always;

    const fields = event.fields ?? {};
    let found: readonly IndexedRule[] | undefined;
    let list: IndexedRule[] | undefined;
    let seen: Set<IndexedRule> | undefined;
    for (const index of group.fields) {
      const raw = index.get(fields);
      if (raw === undefined || raw === null) continue;
      if (!Array.isArray(raw)) {
        const text = scalarText(raw);
        const hits = text === undefined ? undefined : hitsOf(index, text);
        if (!hits) continue;
        // Rules are indexed under one field each, so lists of different fields never overlap.
        if (list) list.push(...hits);
        else if (!found) found = hits;
        else list = [...found, ...hits];
        continue;
      }
      seen = new Set<IndexedRule>();
      for (const item of raw) {
        const text = scalarText(item);
        const hits = text === undefined ? undefined : hitsOf(index, text);
        if (!hits) continue;
        for (const r of hits) {
          if (seen.has(r)) continue;
          seen.add(r);
          (list ??= found ? [...found] : []).push(r);
        }
      }
    }
    found = list ?? found;
    if (!found) return group.always;
    if (group.always.length === 0) return found;
    return [...found, ...group.always];
  }

  /** The last lookup's inputs and group: neighbouring events mostly come from one source. */
  #last:
    | {
        reader: string;
        product?: string;
        service?: string;
        category?: string;
        action?: string;
        group: SourceGroup;
      }
    | undefined;

  #group(source: EventSource, eventAction: string | undefined): SourceGroup {
    // The action only picks a category for readers that map actions to categories.
    const action =
      source.category === undefined && this.#readers[source.reader]?.categories?.length
        ? eventAction
        : undefined;
    const last = this.#last;
    if (
      last &&
      last.reader === source.reader &&
      last.product === source.product &&
      last.service === source.service &&
      last.category === source.category &&
      last.action === action
    ) {
      return last.group;
    }
    const group = this.#lookup(source, action);
    this.#last = {
      reader: source.reader,
      product: source.product,
      service: source.service,
      category: source.category,
      action,
      group,
    };
    return group;
  }

  #lookup(source: EventSource, action: string | undefined): SourceGroup {
    const category = this.#category(source, action);
    // Nested maps keyed by reader, product, service and category: no key string per event.
    let level = this.#tree.get(source.reader);
    if (!level) this.#tree.set(source.reader, (level = new Map()));
    let services = level.get(source.product);
    if (!services) level.set(source.product, (services = new Map()));
    let categories = services.get(source.service);
    if (!categories) services.set(source.service, (categories = new Map()));
    let group = categories.get(category);
    if (group) return group;
    group = this.#buildGroup(source, action, category);
    categories.set(category, group);
    return group;
  }

  /** `derivedCategory`, with each reader's action table turned into a map once. */
  #category(source: EventSource, action: string | undefined): string | undefined {
    if (source.category) return source.category;
    let table = this.#categories.get(source.reader);
    if (!table) {
      const row = this.#readers[source.reader];
      const byAction = new Map<string, string>();
      // The first row for an action wins, as `find` picks it.
      for (const c of [...(row?.categories ?? [])].reverse()) byAction.set(c.action, c.category);
      table = { byAction, fallback: row?.category };
      this.#categories.set(source.reader, table);
    }
    if (!this.#readers[source.reader]) return undefined;
    return (action ? table.byAction.get(action) : undefined) ?? table.fallback;
  }

  #buildGroup(source: EventSource, action: string | undefined, category: string | undefined) {
    const key = `${source.reader}\u0000${source.product}\u0000${source.service}\u0000${category}`;
    let group = this.#groups.get(key);
    if (group) return group;

    group = { fields: [], always: [], size: 0 };
    const resolved = resolveSource(source, this.#readers, action);
    this.#sources.set(resolved.key, resolved);
    const byField = new Map<string, FieldIndex>();
    for (const rule of this.#rules) {
      if (!logsourceMatches(rule.rule.logsource, resolved)) continue;
      group.size++;
      const choice = this.#choice.get(rule);
      if (!choice) {
        group.always.push(rule);
        continue;
      }
      let index = byField.get(choice.field);
      if (!index) {
        index = {
          field: choice.field,
          get: compileFieldPath(choice.field),
          byValue: new Map(),
          byPrefix: new Map(),
          prefixes: 0,
          lengths: [],
        };
        byField.set(choice.field, index);
      }
      for (const value of choice.values) {
        const list = index.byValue.get(value) ?? [];
        if (!list.includes(rule)) list.push(rule);
        index.byValue.set(value, list);
      }
      for (const prefix of choice.prefixes ?? []) {
        let byText = index.byPrefix.get(prefix.length);
        if (!byText) index.byPrefix.set(prefix.length, (byText = new Map()));
        let entry = byText.get(prefix);
        if (!entry) byText.set(prefix, (entry = { rules: [], order: index.prefixes++ }));
        if (!entry.rules.includes(rule)) entry.rules.push(rule);
      }
    }
    group.fields = [...byField.values()];
    for (const index of group.fields) {
      for (const [length, byText] of index.byPrefix) {
        const [onlyText, only] = byText.size === 1 ? [...byText][0] : ['', undefined];
        index.lengths.push({ length, byText, only, onlyText });
      }
    }
    this.#groups.set(key, group);
    return group;
  }
}
