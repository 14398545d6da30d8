/**
 * Exemptions take a resource out of a rule's scoring on purpose: from a YAML file (rule,
 * resource pattern, justification, category, expiry) or an inline suppression comment in IaC.
 */

import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { checkUniqueKeys } from '../model/yaml-unique-keys.js';
import type { ExemptionCategory, Finding } from '../model/finding.js';
import type { InlineSuppression, Resource } from '../model/resource.js';
import { compileGlob, GlobPatternError, globPatternProblem } from './safe-glob.js';

/** One entry of an exemptions file. */
export interface Exemption {
  /** Rule id or glob (`aws-s3-*`). */
  rule: string;
  /** Glob matched against the resource's id, name and IaC address. */
  resource: string;
  justification: string;
  category: ExemptionCategory;
  /** ISO date; the exemption stops applying after it. */
  expires?: string;
  /** `file:line` the entry came from. */
  source: string;
}

/** An exemptions file that cannot be used, naming file, line and field. */
export class ExemptionLoadError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'ExemptionLoadError';
  }
}

const CATEGORIES: readonly ExemptionCategory[] = ['waiver', 'mitigated'];
const FIELDS = new Set(['rule', 'resource', 'justification', 'category', 'expires']);

/** A real calendar date as YYYY-MM-DD (2027-02-30 is refused, not rolled into March). */
function calendarDate(raw: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(raw);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const iso = date.toISOString().slice(0, 10);
  return iso === `${m[1]}-${m[2]}-${m[3]}` ? iso : undefined;
}

/** Characters that begin an extglob group when followed by `(`: `!(a)`, `@(a|b)`, `*(a)`. */
const EXTGLOB = new Set(['!', '?', '+', '*', '@']);

/** Index just past the bracket that closes the one at `open`, or -1 when none does. */
function pastClosing(pattern: string, open: number, closer: string): number {
  const opener = pattern[open];
  // A class does not nest, and a `]` right after its `[` is a member, not the end: `[]a]`.
  const nests = opener !== '[';
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (nests && c === opener) depth++;
    else if (c === closer && (nests || i > open + 1) && (!nests || --depth === 0)) return i + 1;
  }
  return -1;
}

/**
 * The characters a glob requires literally: what is left once wildcards (`*`, `**`, `?`),
 * character classes (`[a-z]`), alternatives (`{a,b}`) and extglob groups (`@(a|b)`) are taken
 * out. Alternatives and classes count as naming nothing, since one branch may match anything.
 */
function literalCharacters(pattern: string, gap = ''): string {
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      literal += pattern[++i] ?? '';
      continue;
    }
    const group =
      c === '[' ? ']' : c === '{' ? '}' : EXTGLOB.has(c) && pattern[i + 1] === '(' ? ')' : '';
    if (group) {
      const end = pastClosing(pattern, c === '[' || c === '{' ? i : i + 1, group);
      if (end !== -1) {
        i = end - 1;
        literal += gap;
        continue;
      }
    }
    literal += c !== '*' && c !== '?' ? c : gap;
  }
  return literal;
}

/**
 * Whether a pattern pins what it covers down: it names something, and when it holds a wildcard
 * (`*`, `?`, `[...]`, `{...}`, an extglob group), some stretch of it before, between or after
 * wildcards holds at least three letters or digits in a row: `aws-*`, `*prod*`, `i-0abc*` and
 * `*.example.com` do, and so does `db`, which has no wildcard; `a*`, `?x*`, `*-1?`, `*e*` and
 * `*a*b*`, which match a large share of every estate's names, do not.
 */
function patternPinsSomething(pattern: string): boolean {
  if (!patternNamesSomething(pattern)) return false;
  const gapped = literalCharacters(pattern.trim(), '\u0000');
  if (!gapped.includes('\u0000')) return true;
  return gapped.split('\u0000').some((part) => /[\p{L}\p{N}]{3}/u.test(part));
}

/**
 * Whether a rule or resource glob names something: it requires at least one letter or digit
 * literally. `aws-s3-*` and `arn:aws:s3:::build-*` do; `*`, `**`, `?*`, `[a-z]*`, `{*,x}` and
 * `*-*` do not, and neither does a negated pattern (`!x` matches everything but x).
 */
export function patternNamesSomething(pattern: string): boolean {
  const trimmed = pattern.trim();
  if (trimmed.startsWith('!')) return false;
  return /[\p{L}\p{N}]/u.test(literalCharacters(trimmed));
}

/**
 * Whether an exemption would blanket the estate: neither its rule nor its resource pattern names
 * something. The API and the exemptions file loader both refuse such an exemption.
 *
 * ```ts
 * isBlanketExemption({ rule: '*', resource: '?*' }); // true
 * isBlanketExemption({ rule: 'aws-s3-*', resource: '*' }); // false
 * ```
 */
export function isBlanketExemption(exemption: Pick<Exemption, 'rule' | 'resource'>): boolean {
  return !patternPinsSomething(exemption.rule) && !patternPinsSomething(exemption.resource);
}

/** Why a blanket exemption is refused and what to do instead. */
export const BLANKET_EXEMPTION_ADVICE =
  'neither the rule nor the resource pattern names anything (a pattern with a wildcard needs ' +
  'three letters or digits in a row outside *, ?, [...], {...} and extglob groups, as in ' +
  'aws-* or *prod*; one starting with ! names nothing), so it would exempt a large share of ' +
  'the estate; name a rule or a resource';

/**
 * Reads an exemptions file.
 *
 * ```yaml
 * exemptions:
 *   - rule: aws-s3-bucket-versioning-enabled
 *     resource: 'arn:aws:s3:::build-cache-*'
 *     category: waiver
 *     justification: Rebuilt from source on demand; history has no value.
 *     expires: 2027-06-30
 * ```
 */
export async function loadExemptions(file: string): Promise<Exemption[]> {
  const text = await readFile(file, 'utf8').catch((error: Error) => {
    throw new ExemptionLoadError(file, undefined, `cannot be read: ${error.message}`);
  });
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  checkUniqueKeys(doc, lineCounter);
  if (doc.errors.length > 0) {
    const line = lineCounter.linePos(doc.errors[0].pos[0]).line;
    throw new ExemptionLoadError(
      file,
      line,
      `not valid YAML: ${doc.errors[0].message.split('\n')[0]}`,
    );
  }
  const entries = doc.get('exemptions', true) as
    { items?: { range?: number[]; toJSON(): unknown }[] } | undefined;
  if (!entries?.items)
    throw new ExemptionLoadError(file, 1, 'expected a top-level `exemptions:` list');

  return entries.items.map((node) => {
    const line = node.range ? lineCounter.linePos(node.range[0]).line : undefined;
    const fail = (field: string, message: string): never => {
      throw new ExemptionLoadError(file, line, `exemption field \`${field}\` ${message}`);
    };
    const data = node.toJSON() as Record<string, unknown>;
    if (typeof data !== 'object' || data === null) fail('(entry)', 'must be a mapping');
    for (const key of Object.keys(data)) {
      if (!FIELDS.has(key)) fail(key, `is not a known field (use ${[...FIELDS].join(', ')})`);
    }
    for (const field of ['rule', 'resource', 'justification']) {
      if (typeof data[field] !== 'string' || (data[field] as string).trim() === '') {
        fail(field, 'must be a non-empty string');
      }
    }
    for (const field of ['rule', 'resource']) {
      const problem = exemptionPatternProblem(String(data[field]));
      if (problem) fail(field, `"${shortened(String(data[field]))}" ${problem}`);
    }
    if (isBlanketExemption({ rule: String(data.rule), resource: String(data.resource) })) {
      fail(
        'rule',
        `"${String(data.rule)}" with resource "${String(data.resource)}": ${BLANKET_EXEMPTION_ADVICE}`,
      );
    }
    const category = (data.category ?? 'waiver') as ExemptionCategory;
    if (!CATEGORIES.includes(category)) fail('category', 'must be waiver or mitigated');
    let expires: string | undefined;
    if (data.expires !== undefined) {
      const raw = data.expires instanceof Date ? data.expires.toISOString() : String(data.expires);
      expires = calendarDate(raw);
      if (!expires) fail('expires', `"${raw}" is not a calendar date (use YYYY-MM-DD)`);
    }
    return {
      rule: String(data.rule),
      resource: String(data.resource),
      justification: String(data.justification),
      category,
      expires,
      source: `${file}:${line ?? 1}`,
    };
  });
}

/** How exemption and suppression patterns are matched: case-insensitive, `*` matches a dot. */
const PATTERN_OPTIONS = { dot: true, nocase: true } as const;

/**
 * Why an exemption's rule or resource pattern cannot be used, or undefined when it can (see
 * `globPatternProblem`: bounded length and `{...}` expansion). The API and the file loader both
 * refuse such a pattern; one stored earlier is skipped with a warning.
 */
export function exemptionPatternProblem(pattern: string): string | undefined {
  return globPatternProblem(pattern, PATTERN_OPTIONS);
}

/**
 * The matcher of an exemption or suppression pattern, compiled once; throws `GlobPatternError`
 * for a pattern `exemptionPatternProblem` refuses.
 */
export function exemptionMatcher(pattern: string): (value: string) => boolean {
  return compileGlob(pattern, PATTERN_OPTIONS);
}

/**
 * What a resource pattern is matched against: the resource's id, name and IaC address, and for
 * an ARN its last part (`sg-0a1b2c` of `arn:aws:ec2:...:security-group/sg-0a1b2c`), the id the
 * console and the CLI show, so a pattern written before a reader named the resource by its ARN
 * still matches.
 *
 * ```ts
 * exemptionNames('arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c', 'web', undefined);
 * // ['arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0a1b2c', 'web', undefined, 'sg-0a1b2c']
 * ```
 */
export function exemptionNames(
  id: string,
  name: string,
  address: string | undefined,
): (string | undefined)[] {
  const names = [id, name, address];
  if (id.startsWith('arn:')) {
    const slash = id.lastIndexOf('/');
    const short = slash < 0 ? '' : id.slice(slash + 1);
    if (short !== '' && short !== name) names.push(short);
  }
  return names;
}

function shortened(pattern: string): string {
  return pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern;
}

/** True when `pattern` matches one of `values`; false for a pattern that cannot be matched. */
function matches(pattern: string, values: (string | undefined)[]): boolean {
  let test: (value: string) => boolean;
  try {
    test = exemptionMatcher(pattern);
  } catch (error) {
    if (error instanceof GlobPatternError) return false;
    throw error;
  }
  return values.some((v) => v !== undefined && test(v));
}

/** Exemptions and inline suppressions that name no loaded rule: likely typos, never silent. */
export function unmatchedRuleWarnings(
  exemptions: Exemption[],
  resources: Resource[],
  ruleIds: string[],
): string[] {
  const warnings: string[] = [];
  const known = (pattern: string) => ruleIds.some((id) => matches(pattern, [id]));
  for (const e of exemptions) {
    // An unusable pattern is named by applyExemptions, which skips the exemption.
    if (exemptionPatternProblem(e.rule) || exemptionPatternProblem(e.resource)) continue;
    if (!known(e.rule))
      warnings.push(`exemption at ${e.source} names rule "${e.rule}", which matches no rule`);
  }
  const seen = new Set<string>();
  for (const r of resources) {
    // Most resources carry no suppressions: no empty list is made to walk for each.
    const suppressions = r.suppressions;
    if (!suppressions) continue;
    for (const s of suppressions) {
      const where = `${r.source.file ?? r.id}:${r.source.line ?? 1}`;
      if (seen.has(`${where}|${s.ruleId}`)) continue;
      seen.add(`${where}|${s.ruleId}`);
      const problem = exemptionPatternProblem(s.ruleId);
      if (problem) {
        warnings.push(
          `inline suppression at ${where} of "${shortened(s.ruleId)}" is ignored: the pattern ${problem}`,
        );
      } else if (!patternNamesSomething(s.ruleId)) {
        warnings.push(
          `inline suppression at ${where} of "${s.ruleId}" names no rule and is ignored: ${howToSuppress(r)}`,
        );
      } else if (!known(s.ruleId)) {
        warnings.push(
          `inline suppression at ${where} names rule "${s.ruleId}", which matches no rule`,
        );
      } else if (!s.reason?.trim()) {
        warnings.push(
          `inline suppression at ${where} of "${s.ruleId}" gives no reason: ${howToSuppress(r)}`,
        );
      }
    }
  }
  return warnings;
}

/**
 * Exemptions whose resource pattern matches none of `resources` (see `exemptionNames`): a
 * misspelt address waives nothing, and the violation it was meant for fails without a word on
 * why. Pass every resource read, not only those judged: an exemption for an unchanged file is
 * not a mistake. `checked` is the count the warning names (a streamed scan passes its total).
 */
export function unmatchedResourceWarnings(
  exemptions: Exemption[],
  resources: Resource[],
  checked = resources.length,
): string[] {
  const warnings: string[] = [];
  for (const e of exemptions) {
    if (exemptionPatternProblem(e.resource)) continue;
    const test = exemptionMatcher(e.resource);
    const named = resources.some((r) =>
      exemptionNames(r.id, r.name, r.source.address).some((n) => n !== undefined && test(n)),
    );
    if (named) continue;
    warnings.push(
      `exemption at ${e.source} (rule ${e.rule}): resource pattern "${shortened(e.resource)}" ` +
        `matches none of the ${checked} resources checked (by id, name, ARN's last part or IaC address)`,
    );
  }
  return warnings;
}

/** How a suppression is written in the resource's own kind of file. */
function howToSuppress(resource: Resource): string {
  switch (resource.source.kind) {
    case 'arm':
      return 'write "metadata": { "palisade:ignore": [{ "rule": "<rule-id>", "reason": "<reason>" }] }';
    case 'kubernetes':
      return 'write the annotation palisade.io/ignore: "<rule-id>[,<rule-id>]: <reason>" (one a line), or # palisade:ignore <rule-id> <reason>';
    default:
      return 'write # palisade:ignore <rule-id> <reason>';
  }
}

/** True when the exemption has not expired at `now` (it applies through its expiry day). */
export function isActive(exemption: Pick<Exemption, 'expires'>, now = new Date()): boolean {
  if (!exemption.expires) return true;
  return now.getTime() < Date.parse(exemption.expires) + 86_400_000;
}

/**
 * Whether `applyExemptions` can change a finding of `resources`: some exemption is given, or a
 * resource carries inline suppressions.
 */
export function exempting(exemptions: Exemption[], resources: Resource[]): boolean {
  return exemptions.length > 0 || resources.some((r) => r.suppressions?.length);
}

/**
 * The inline suppression on `resource` that covers `finding`'s rule, if any. A suppression must
 * name a rule: `palisade:ignore *` would hide every rule of the block.
 */
export function inlineSuppressionFor(
  finding: Pick<Finding, 'ruleId'>,
  resource: Resource | undefined,
): InlineSuppression | undefined {
  return resource?.suppressions?.find(
    (s) =>
      s.ruleId === finding.ruleId ||
      (patternNamesSomething(s.ruleId) && matches(s.ruleId, [finding.ruleId])),
  );
}

/** Where an inline suppression is written, as reports name it: `main.tf:12`. */
export function inlineSuppressionPlace(resource: Resource | undefined): string {
  return resource?.source.file ? `${resource.source.file}:${resource.source.line ?? 1}` : 'inline';
}

/** The exemption an inline suppression gives a finding it covers. */
export function inlineExemption(
  suppression: InlineSuppression,
  resource: Resource | undefined,
): NonNullable<Finding['exemption']> {
  return {
    category: 'waiver',
    justification: suppression.reason || '(no reason given)',
    source: `inline suppression at ${inlineSuppressionPlace(resource)}`,
  };
}

/**
 * Marks findings covered by an active exemption or (unless `inline` is false, for a caller that
 * weighs them itself, as the CI gate does) an inline suppression. Returns warnings for expired
 * exemptions that would otherwise have applied.
 */
export function applyExemptions(
  findings: Finding[],
  resources: Resource[],
  exemptions: Exemption[],
  now = new Date(),
  { inline = true }: { inline?: boolean } = {},
): string[] {
  const warnings = new Set<string>();
  if (!exempting(exemptions, inline ? resources : [])) return [];
  // Each pattern compiled once for the whole run; an exemption whose pattern cannot be matched
  // (stored before patterns were checked) is skipped, named, and fails nothing.
  const usable: {
    exemption: Exemption;
    rule: (v: string) => boolean;
    resource: (v: string) => boolean;
  }[] = [];
  for (const exemption of exemptions) {
    try {
      usable.push({
        exemption,
        rule: exemptionMatcher(exemption.rule),
        resource: exemptionMatcher(exemption.resource),
      });
    } catch (error) {
      if (!(error instanceof GlobPatternError)) throw error;
      warnings.add(
        `exemption at ${exemption.source} is skipped: its pattern ${error.message}; delete it and ` +
          'make it again with fewer {...} alternatives',
      );
    }
  }
  const byId = new Map(resources.map((r) => [`${r.type}|${r.id}`, r]));
  for (const finding of findings) {
    if (finding.status === 'not_applicable' || finding.status === 'error') continue;
    const resource = byId.get(`${finding.resourceType}|${finding.resourceId}`);
    const names = exemptionNames(
      finding.resourceId,
      finding.resourceName,
      resource?.source.address,
    );

    const suppression = inline ? inlineSuppressionFor(finding, resource) : undefined;
    if (suppression) {
      finding.exemption = inlineExemption(suppression, resource);
      continue;
    }
    for (const { exemption, rule, resource } of usable) {
      if (!rule(finding.ruleId) || !names.some((n) => n !== undefined && resource(n))) continue;
      if (!isActive(exemption, now)) {
        warnings.add(
          `exemption at ${exemption.source} expired on ${exemption.expires}; ${exemption.rule} is scored again`,
        );
        continue;
      }
      finding.exemption = {
        category: exemption.category,
        justification: exemption.justification,
        source: exemption.source,
        expires: exemption.expires,
      };
      break;
    }
  }
  return [...warnings];
}
