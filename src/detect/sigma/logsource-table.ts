/**
 * Decides which Sigma rules apply to an event by log source: the rule's product, service and
 * category must equal the event's (a part the rule leaves out matches anything).
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { EventSource } from '../../model/event.js';
import type { SigmaLogSource } from './types.js';

/** A reader's row of `logsources.yaml`. */
export interface ReaderLogSource {
  product?: string;
  service?: string;
  category?: string;
  also_services?: string[];
  categories?: { category: string; action: string }[];
}

/** The log source of an event as the engine matches it: lower-cased, services as a set. */
export interface ResolvedSource {
  product?: string;
  category?: string;
  services: string[];
  /** Cache key for rule candidate lists. */
  key: string;
}

const TABLE_FILE = fileURLToPath(new URL('./logsources.yaml', import.meta.url));
let table: Record<string, ReaderLogSource> | undefined;

/** The reader -> logsource table bundled as data. */
export function readerLogSources(): Record<string, ReaderLogSource> {
  if (table) return table;
  const data = parse(readFileSync(TABLE_FILE, 'utf8')) as {
    readers?: Record<string, ReaderLogSource>;
  };
  table = data.readers ?? {};
  return table;
}

const lower = (s: string | undefined): string | undefined => (s ? s.toLowerCase() : undefined);

/** The category the table gives an event of this reader doing `action`, if any. */
export function derivedCategory(
  source: EventSource,
  action: string | undefined,
  readers = readerLogSources(),
): string | undefined {
  if (source.category) return source.category;
  const row = readers[source.reader];
  if (!row) return undefined;
  const hit = action ? row.categories?.find((c) => c.action === action) : undefined;
  return hit?.category ?? row.category;
}

/** Completes an event's source from the reader table (`action` picks a derived category). */
export function resolveSource(
  source: EventSource,
  readers = readerLogSources(),
  action?: string,
): ResolvedSource {
  const row = readers[source.reader] ?? {};
  const product = lower(source.product ?? row.product);
  const category = lower(derivedCategory(source, action, readers));
  const services = [source.service ?? row.service, ...(row.also_services ?? [])]
    .filter((s): s is string => Boolean(s))
    .map((s) => s.toLowerCase());
  const unique = [...new Set(services)];
  return {
    product,
    category,
    services: unique,
    key: `${source.reader}|${product}|${unique.join(',')}|${category}`,
  };
}

/** True when a rule's logsource admits events of `source`. */
export function logsourceMatches(rule: SigmaLogSource, source: ResolvedSource): boolean {
  if (rule.product && rule.product.toLowerCase() !== source.product) return false;
  if (rule.category && rule.category.toLowerCase() !== source.category) return false;
  if (rule.service && !source.services.includes(rule.service.toLowerCase())) return false;
  return true;
}
