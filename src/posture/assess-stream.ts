/**
 * The streaming assessment: reads inputs one file (or Terraform folder) at a time, judges each
 * file's resources at once, folds the findings into running counts and keeps only failing and
 * error findings and a light summary of each resource, so memory no longer grows with
 * properties and passing findings. Same score, controls, recommendations, compliance and counts
 * as `assess` when no resource is split across files.
 */

// Known gap: inventory fragments of one resource are merged within a file only, rules that
// read `related` resources see only resources of the same file, and a Kubernetes pod folds into
// its controller only when both are in one file. A folder of one-API-call-per-file recordings
// (boto3 placebo) must be scanned with `assess`.

import { randomUUID } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FileReport } from '../model/assessment.js';
import type { Finding, FindingStatus } from '../model/finding.js';
import { INVENTORY_SOURCE_KINDS, type Resource } from '../model/resource.js';
import type { Severity } from '../model/rule.js';
import { readPathsByUnit, settleResources } from '../sources/read-paths.js';
import { ruleTexts, type Assessment, type AssessOptions } from './assess.js';
import { loadCatalog } from './benchmark-catalog.js';
import { complianceOf } from './compliance.js';
import {
  compileRules,
  evaluate,
  failMessage,
  judgedResource,
  quotedValue,
  type CompiledRule,
} from './engine.js';
import { applyExemptions, unmatchedResourceWarnings, unmatchedRuleWarnings } from './exemptions.js';
import { countFindings } from './finding-counts.js';
import { addTally, emptyTally, scoreTally, tallyFindings } from './secure-score.js';

/**
 * An assessment made by `assessStream`: `findings` holds only the failing (exempt ones included)
 * and error findings, and `resources` only summaries (`properties`, `tags` and
 * `relationships` empty). Scores, compliance and counts cover every finding.
 */
export interface StreamedAssessment extends Assessment {
  streamed: true;
}

/** True when `a` came from `assessStream` (its findings are the failing and error ones). */
export function isStreamed(a: object): a is StreamedAssessment {
  return (a as Partial<StreamedAssessment>).streamed === true;
}

export interface AssessStreamOptions extends AssessOptions {
  /** Keep a summary of every resource (for the store and reports); default true. */
  keepResources?: boolean;
  /** Collect garbage in full after every ~20k resources judged; default true. */
  collectGarbage?: boolean;
}

const NO_PROPERTIES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_TAGS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_RELATIONSHIPS: Resource['relationships'] = Object.freeze([]) as never;

/** A resource without its properties, tags and relationships: what reports and the store use. */
function summarise(r: Resource): Resource {
  return {
    cloud: r.cloud,
    type: r.type,
    id: r.id,
    name: r.name,
    account: r.account,
    region: r.region,
    tags: NO_TAGS,
    properties: NO_PROPERTIES,
    relationships: NO_RELATIONSHIPS,
    source: r.source,
  };
}

/**
 * A failing or error finding as a streamed assessment keeps it: its resource's summary and its
 * rule, not copies of their fields, and of its sentence only the quoted offending value (shared
 * between findings) or, for an error, the whole sentence.
 */
class KeptFinding implements Finding {
  declare unknown?: string;
  declare exemption?: Finding['exemption'];

  constructor(
    private readonly of: Resource,
    private readonly by: CompiledRule,
    readonly status: FindingStatus,
    /** The whole sentence when `whole`; else the quoted value the fail sentence shows. */
    private readonly text: string | undefined,
    private readonly whole: boolean,
  ) {}

  get ruleId(): string {
    return this.by.rule.id;
  }
  get resourceId(): string {
    return this.of.id;
  }
  get resourceType(): string {
    return this.of.type;
  }
  get resourceName(): string {
    return this.of.name;
  }
  get severity(): Severity {
    return this.by.rule.severity;
  }
  get control(): string {
    return this.by.rule.control;
  }
  get message(): string {
    if (this.whole && this.text !== undefined) return this.text;
    return failMessage(this.by, this.of, this.text);
  }
  get file(): string | undefined {
    return this.of.source.file;
  }
  get line(): number | undefined {
    return this.of.source.line;
  }

  /** The plain finding, for JSON and for spreading. */
  toJSON(): Finding {
    const out: Finding = {
      ruleId: this.ruleId,
      resourceId: this.resourceId,
      resourceType: this.resourceType,
      resourceName: this.resourceName,
      status: this.status,
      severity: this.severity,
      control: this.control,
      message: this.message,
      file: this.file,
      line: this.line,
    };
    if (this.unknown !== undefined) out.unknown = this.unknown;
    if (this.exemption) out.exemption = this.exemption;
    return out;
  }
}

/** Fewest resources judged between two full collections (see `fullCollector`). */
const RESOURCES_PER_COLLECTION = 20_000;

/**
 * Heap in use above which a full collection runs between files: 1 GiB, or 512 MiB over what
 * the last collection left, whichever is more.
 */
const COLLECT_ABOVE_BYTES = 1024 * 1024 * 1024;
const COLLECT_HEADROOM_BYTES = 512 * 1024 * 1024;

/**
 * V8's full garbage collection, or undefined where it cannot be had. V8 grows its heap lazily
 * up to about twice what is live, so a file's parse tree, dead once judged, would still count
 * in the peak; collecting between files once the heap passes a bound keeps the peak near that
 * bound plus one file (1M resources: about 1.5 GB instead of 2.4 GB). `--expose-gc` is switched
 * on at run time and the function read from a fresh context.
 */
function fullCollector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Distinct inserted values kept shared; past this many, new ones keep the whole sentence. */
const MAX_SHARED_VALUES = 50_000;

/** Shares the quoted values that fail sentences insert (`null`, `false`, `[]` repeat a lot). */
class ValuePool {
  private readonly values = new Map<string, string>();

  /** The pooled copy of `value`, or undefined when the pool is full and does not hold it. */
  get(value: string): string | undefined {
    const pooled = this.values.get(value);
    if (pooled !== undefined || this.values.size >= MAX_SHARED_VALUES) return pooled;
    const copy = flatCopy(value);
    this.values.set(copy, copy);
    return copy;
  }
}

/**
 * Keeps `f`, judged on the resource summarised as `summary`, without its resource. A failing
 * finding from `evaluate` keeps only the value its sentence quotes (the sentence is rebuilt
 * from the rule and the summary); any other keeps its whole sentence.
 */
function keep(f: Finding, summary: Resource, rule: CompiledRule, pool: ValuePool): Finding {
  let kept: KeptFinding;
  if (f.status === 'fail' && judgedResource(f)) {
    const quoted = quotedValue(f);
    const shared = quoted === undefined ? undefined : (pool.get(quoted) ?? flatCopy(quoted));
    kept = new KeptFinding(summary, rule, f.status, shared, false);
  } else kept = new KeptFinding(summary, rule, f.status, f.message, true);
  if (f.unknown !== undefined) kept.unknown = f.unknown;
  if (f.exemption) kept.exemption = f.exemption;
  return kept;
}

/** A copy of `text` that holds no larger string alive (a slice would keep what it was cut from). */
function flatCopy(text: string): string {
  return text.length < 16 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Assesses `paths` file by file.
 *
 * ```ts
 * const a = await assessStream({ paths: ['exports/'], rules: await loadRules() });
 * a.secureScore; a.findings; // failing and error findings only
 * ```
 */
export async function assessStream(options: AssessStreamOptions): Promise<StreamedAssessment> {
  const startedAt = (options.now ?? new Date()).toISOString();
  const compiled = options.compiled ?? compileRules(options.rules);
  const catalog = await loadCatalog();
  const exemptions = options.exemptions ?? [];
  const ruleIds = options.rules.map((r) => r.id);
  const keepResources = options.keepResources ?? true;
  const byId = new Map(compiled.map((c) => [c.rule.id, c]));
  const pool = new ValuePool();
  const collect = options.collectGarbage === false ? undefined : fullCollector();
  let sinceCollection = 0;
  let collectAbove = COLLECT_ABOVE_BYTES;

  const tally = emptyTally();
  const counts = countFindings([]);
  const kept: Finding[] = [];
  const resources: Resource[] = [];
  const files: FileReport[] = [];
  const readWarnings: string[] = [];
  const suppressionWarnings = new Set<string>();
  const expiryWarnings = new Set<string>();
  let resourceCount = 0;

  const onProgress: AssessOptions['onProgress'] = (progress) => {
    // Before the next file is read: the last one's text, tree and findings are garbage now.
    if (
      collect &&
      sinceCollection >= RESOURCES_PER_COLLECTION &&
      getHeapStatistics().used_heap_size > collectAbove
    ) {
      collect();
      sinceCollection = 0;
      const live = getHeapStatistics().used_heap_size;
      collectAbove = Math.max(COLLECT_ABOVE_BYTES, live + COLLECT_HEADROOM_BYTES);
    }
    options.onProgress?.(progress);
  };
  const varFiles = options.varFiles;
  let unmatched = exemptions;
  const repeats = new RepeatedResources();
  for await (const unit of readPathsByUnit(options.paths, { onProgress, varFiles })) {
    for (const f of unit.files) files.push(f);
    for (const w of unit.warnings) readWarnings.push(w);
    const settled = settleResources(unit.resources, unit.files);
    for (const w of settled.warnings) readWarnings.push(w);
    const read = settled.resources;
    if (read.length === 0) continue;
    repeats.note(read);
    const findings = evaluate(compiled, read);
    for (const w of unmatchedRuleWarnings([], read, ruleIds)) suppressionWarnings.add(w);
    // Exemptions no resource read so far matched: checked again on each file's resources.
    unmatched = unmatched.filter((e) => unmatchedResourceWarnings([e], read).length > 0);
    for (const w of applyExemptions(findings, read, exemptions, options.now)) expiryWarnings.add(w);
    addTally(tally, tallyFindings(findings, counts));
    const summaries = new Map<Resource, Resource>();
    // Findings come resource by resource and rule by rule: the last lookups are remembered.
    let lastJudged: Resource | undefined;
    let lastSummary: Resource | undefined;
    let lastRule: CompiledRule | undefined;
    for (const f of findings) {
      if (f.status !== 'fail' && f.status !== 'error') continue;
      const judged = judgedResource(f)!;
      if (judged !== lastJudged || !lastSummary) {
        lastJudged = judged;
        lastSummary = summaries.get(judged);
        if (!lastSummary) summaries.set(judged, (lastSummary = summarise(judged)));
      }
      if (lastRule?.rule.id !== f.ruleId) lastRule = byId.get(f.ruleId)!;
      kept.push(keep(f, lastSummary, lastRule, pool));
    }
    resourceCount += read.length;
    sinceCollection += read.length;
    if (keepResources) for (const r of read) resources.push(summaries.get(r) ?? summarise(r));
  }

  const score = scoreTally(tally, catalog.controls, options.rules);
  return {
    id: randomUUID(),
    startedAt,
    finishedAt: new Date().toISOString(),
    targets: options.paths,
    resources,
    findings: kept,
    secureScore: score.secureScore,
    controls: score.controls,
    recommendations: score.recommendations,
    ruleTexts: ruleTexts(options.rules),
    compliance: complianceOf(catalog.standards, options.rules, tally.rules),
    files,
    counts: { resources: resourceCount, rules: options.rules.length, ...counts },
    warnings: [
      ...readWarnings,
      ...unmatchedRuleWarnings(exemptions, [], ruleIds),
      ...unmatchedResourceWarnings(unmatched, [], resourceCount),
      ...suppressionWarnings,
      ...expiryWarnings,
      ...repeats.warnings(),
    ],
    streamed: true,
  };
}

/** Repeated resources named by example in the warning. */
const REPEATS_NAMED = 3;

/**
 * Inventory resources met again in a later file. A whole-estate assessment merges such
 * fragments into one resource; a streamed one has judged and counted the first already, so
 * each appearance counts (three daily snapshots of one account count every bucket three
 * times). They are found by the key the merge uses and reported, so the figures are not
 * silently multiplied.
 */
class RepeatedResources {
  /** Ids by lower-cased type: the ids are the resources' own strings, no key is built. */
  #seen = new Map<string, Set<string>>();
  /** The same sets by type as the readers spell it. */
  #byType = new Map<string, Set<string>>();
  #count = 0;
  #examples: string[] = [];

  note(resources: Resource[]): void {
    for (const r of resources) {
      if (!INVENTORY_SOURCE_KINDS.has(r.source.kind)) continue;
      // By type as spelled, as the readers share one spelling: no lower-casing per resource.
      let ids = this.#byType.get(r.type);
      if (!ids) {
        const type = r.type.toLowerCase();
        ids = this.#seen.get(type) ?? new Set();
        this.#seen.set(type, ids);
        this.#byType.set(r.type, ids);
      }
      const id = r.cloud === 'azure' ? r.id.toLowerCase() : r.id;
      if (!ids.has(id)) {
        ids.add(id);
        continue;
      }
      this.#count += 1;
      if (this.#examples.length < REPEATS_NAMED) this.#examples.push(`${r.type} ${r.id}`);
    }
  }

  warnings(): string[] {
    if (this.#count === 0) return [];
    return [
      `${this.#count} resources appear in more than one input file (e.g. ${this.#examples.join(', ')}): ` +
        'a streamed scan judges and counts each appearance, where a whole scan merges them into ' +
        'one resource; scan with --no-stream to merge them (several snapshots of one account ' +
        'should be scanned one at a time)',
    ];
  }
}

/** Inputs larger than this are scanned streaming by `palisade scan` unless told otherwise. */
export const STREAM_THRESHOLD_BYTES = 200 * 1024 * 1024;

/**
 * True when the files under `paths` add up to more than `limit` bytes (stops counting once they
 * do). Paths that cannot be read count as empty: the scan reports them.
 */
export async function inputLargerThan(paths: string[], limit: number): Promise<boolean> {
  let total = 0;
  // Folders already counted, by device and inode: links back up the tree (`up -> ..`) would
  // otherwise be walked again and again, exponentially in the number of such links.
  const seen = new Set<string>();
  const visit = async (path: string, depth: number): Promise<boolean> => {
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) total += info.size;
    else if (info?.isDirectory() && depth < 64) {
      const id = `${info.dev}:${info.ino}`;
      if (seen.has(id)) return false;
      seen.add(id);
      const names = await readdir(path).catch(() => [] as string[]);
      for (const name of names) {
        if (name === '.git' || name === 'node_modules') continue;
        if (await visit(join(path, name), depth + 1)) return true;
      }
    }
    return total > limit;
  };
  for (const path of paths) if (await visit(path, 0)) return true;
  return false;
}
