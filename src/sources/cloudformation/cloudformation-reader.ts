/**
 * Reads CloudFormation templates into canonical AWS resources: evaluates parameters, mappings
 * and conditions, translates Properties into API shapes and folds decorating resources in.
 */

import type { Relationship, Resource } from '../../model/resource.js';
import { SourceReadError } from '../../model/source-error.js';
import type { ReadResult, Reader, SourceFile } from '../reader.js';
import { CfnEvaluator, isFullyKnown } from './cfn-evaluator.js';
import { type CfnEntry, mergeChildren, undeclaredOwners } from './cfn-merge.js';
import { commentSuppressions, metadataSuppressions } from './cfn-suppressions.js';
import { yamlComments } from '../yaml-comments.js';
import { parseTemplate } from './cfn-template-parser.js';
import { canonicalType, TRANSLATIONS } from './cfn-translators.js';
import { compact, isRecord, tagMap, unknownPaths, type Props } from './cfn-values.js';

const TEMPLATE_EXT = /\.(ya?ml|json|template|cfn)$/i;
const VERSION_KEY = /(?:^|[\s{,])["']?AWSTemplateFormatVersion["']?\s*:/;
const RESOURCES_KEY = /(?:^|[\s{,])["']?Resources["']?\s*:/;
const AWS_TYPE = /(?:^|[\s{,])["']?Type["']?\s*:\s*["']?AWS::/;
const CONFIG_ITEM_KEY = /"(configurationItems?|configurationItemCaptureTime|resourceType)"\s*:/;

/** Cheap sniff: a template declares its format version or has `Resources` typed `AWS::...`. */
export function looksLikeTemplate(file: SourceFile): boolean {
  if (!TEMPLATE_EXT.test(file.path)) return false;
  // Sniff the head only: inventory exports run to hundreds of megabytes. AWS Config items name
  // `AWS::` types and can hold a `Resources` key of their own, but are not templates.
  const head = file.text.slice(0, 65_536);
  if (CONFIG_ITEM_KEY.test(head)) return false;
  return VERSION_KEY.test(head) || (RESOURCES_KEY.test(head) && AWS_TYPE.test(head));
}

function section(template: Props, key: string): Props {
  const value = template[key];
  return isRecord(value) ? value : {};
}

function knownString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Canonical id: the ARN where the template fixes it (S3 bucket names), else file#logicalId. */
function resourceId(file: string, logicalId: string, type: string, props: Props): string {
  const bucket = knownString(props.Name);
  if (type === 'AWS::S3::Bucket' && bucket) return `arn:aws:s3:::${bucket}`;
  return `${file}#${logicalId}`;
}

class TemplateReader {
  readonly #file: SourceFile;
  readonly #warnings: string[] = [];
  readonly #entries: CfnEntry[] = [];
  #evaluator!: CfnEvaluator;

  constructor(file: SourceFile) {
    this.#file = file;
  }

  read(): ReadResult {
    const { template, resourceLines, warnings } = parseTemplate(this.#file.path, this.#file.text);
    for (const item of warnings) this.#warnings.push(item);
    const resources = template.Resources;
    if (!isRecord(resources)) {
      throw new SourceReadError({
        file: this.#file.path,
        code: 'INVALID_STRUCTURE',
        message: 'template has no Resources mapping; add one or exclude this file from the scan',
        line: 1,
      });
    }
    if (template.Transform !== undefined) {
      // Known gap: Transform macros (SAM, LanguageExtensions) are not expanded.
      this.#warnings.push(
        `${this.#file.path}: Transform ${JSON.stringify(template.Transform)} is not expanded`,
      );
    }

    this.#evaluator = new CfnEvaluator(
      {
        parameters: {},
        mappings: section(template, 'Mappings'),
        conditions: section(template, 'Conditions'),
        resourceIds: new Set(Object.keys(resources)),
      },
      section(template, 'Parameters'),
    );
    const lines = this.#file.text.split(/\r?\n/);
    // Only a template that mentions a suppression is lexed for its comments.
    const comments = this.#file.text.includes('palisade:ignore')
      ? yamlComments(this.#file.text)
      : [];
    for (const [logicalId, body] of Object.entries(resources)) {
      this.#addEntry(logicalId, body, resourceLines.get(logicalId), lines, comments);
    }

    const folded = mergeChildren(this.#entries, (c, p, t, k) => this.#owners(c, p, t, k));
    // Children whose owner another stack declares: the owner is judged on what they write.
    const undeclared = undeclaredOwners(
      this.#entries,
      folded,
      this.#file.path,
      (type) => TRANSLATIONS[type]?.nameKey,
    );
    for (const owner of undeclared) {
      for (const child of owner.children) {
        folded.add(child.logicalId);
        this.#warnings.push(
          `${this.#file.path}:${child.resource.source.line ?? 0}: ${child.logicalId} ` +
            `(${child.cfnType}) configures a ${owner.what} that is not declared in this template ` +
            `(${owner.written}); the ${owner.what} is judged as ${owner.resource.name} on what ` +
            `the template writes, and a rule that needs its other settings is not judged`,
        );
      }
    }
    // Built once: a template of thousands of resources made one per resource took minutes.
    const byLogicalId = new Map(this.#entries.map((e) => [e.logicalId, e.resource.id]));
    const out = this.#entries
      .filter((e) => !folded.has(e.logicalId))
      .map((e) => this.#finish(e, byLogicalId));
    for (const owner of undeclared) out.push(owner.resource);
    return { resources: out, warnings: this.#warnings };
  }

  #addEntry(
    logicalId: string,
    body: unknown,
    line: number | undefined,
    lines: string[],
    comments: (string | undefined)[],
  ): void {
    if (!isRecord(body) || typeof body.Type !== 'string') {
      this.#warnings.push(`${this.#file.path}:${line ?? 0}: resource ${logicalId} has no Type`);
      return;
    }
    if (typeof body.Condition === 'string' && this.#evaluator.condition(body.Condition) === false)
      return;

    const refs = new Set<string>();
    const raw = isRecord(body.Properties) ? body.Properties : {};
    const evaluated = this.#evaluator.evaluate(raw, refs);
    const props = isRecord(evaluated) ? evaluated : {};
    const translation = Object.hasOwn(TRANSLATIONS, body.Type)
      ? TRANSLATIONS[body.Type]
      : undefined;
    const properties = translation ? (compact(translation.translate(props)) as Props) : props;
    const type = canonicalType(body.Type);
    const name =
      knownString(translation?.nameKey ? properties[translation.nameKey] : undefined) ?? logicalId;
    const suppressions = [
      ...metadataSuppressions(this.#evaluator.evaluate(body.Metadata, new Set())),
      ...(line ? commentSuppressions(lines, comments, line) : []),
    ];

    const resource: Resource = {
      cloud: 'aws',
      type,
      id: resourceId(this.#file.path, logicalId, type, properties),
      name,
      tags: tagMap(props.Tags),
      properties,
      relationships: [],
      source: { kind: 'cloudformation', file: this.#file.path, line, address: logicalId },
      ...(suppressions.length > 0 ? { suppressions } : {}),
    };
    this.#entries.push({ logicalId, cfnType: body.Type, raw, evaluated: props, resource, refs });
  }

  /** Owners `child` names in `property`: Ref/GetAtt targets, the same expression, or name. */
  #owners(child: CfnEntry, property: string, ownerType: string, nameKey?: string): CfnEntry[] {
    const targets = new Set<string>();
    this.#evaluator.evaluate(child.raw[property], targets);
    const rawExpr = JSON.stringify(child.raw[property] ?? null);
    const value = child.evaluated[property];
    const names = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string');

    return this.#entries.filter((e) => {
      if (e.cfnType !== ownerType) return false;
      if (targets.has(e.logicalId)) return true;
      if (!nameKey || e.raw[nameKey] === undefined) return false;
      if (JSON.stringify(e.raw[nameKey]) === rawExpr) return true;
      return isFullyKnown(e.evaluated[nameKey]) && names.includes(e.evaluated[nameKey] as string);
    });
  }

  #finish(entry: CfnEntry, byLogicalId: Map<string, string>): Resource {
    const relationships: Relationship[] = [...entry.refs]
      .filter((ref) => ref !== entry.logicalId && byLogicalId.has(ref))
      .map((ref) => ({ kind: 'references', target: byLogicalId.get(ref)! }));
    const unknown = unknownPaths(entry.resource.properties);
    return { ...entry.resource, relationships, ...(unknown.length > 0 ? { unknown } : {}) };
  }
}

/**
 * The CloudFormation template reader (YAML short-form tags and JSON).
 *
 * ```ts
 * const { resources } = cloudformationReader.read({ path: 'bucket.yaml', text });
 * ```
 */
export const cloudformationReader: Reader = {
  kind: 'cloudformation',
  detect: looksLikeTemplate,
  read: (file) => new TemplateReader(file).read(),
};
