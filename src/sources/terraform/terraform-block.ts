/**
 * A Terraform resource after evaluation, before translation into the cloud's API shape. The HCL
 * reader and the plan JSON reader both produce these; per-provider translators consume them.
 */

import type { Resource } from '../../model/resource.js';

/**
 * One evaluated `resource` or `data` block instance (after `count` / `for_each` expansion).
 * Attribute values are plain JSON; nested blocks are arrays of objects (as in plan JSON
 * `values`); a value unknown before apply is an `UnknownValue` marker (see model/resource.ts).
 */
export interface TerraformBlock {
  mode: 'managed' | 'data';
  /** Provider resource type, e.g. `aws_s3_bucket`. */
  type: string;
  /** Block label, e.g. `logs`. */
  name: string;
  /** Full address with module path and index: `module.net.aws_subnet.private["a"]`. */
  address: string;
  /** `count.index` / `each.key` of this instance, if expanded. */
  index?: number | string;
  /** Module path, `''` for the root module, `module.net` for a child. */
  module: string;
  attributes: Record<string, unknown>;
  /** Addresses of other blocks this one's expressions refer to (without attribute suffix). */
  references: string[];
  file?: string;
  line?: number;
  /**
   * Settings of the provider configuration the block uses (`region`, `project`), evaluated:
   * where a resource that sets no region of its own is created. Absent when none is declared.
   */
  providerConfig?: Record<string, unknown>;
  /** Inline suppressions found in comments inside or right above the block. */
  suppressions?: { ruleId: string; reason: string }[];
}

/** What a translator sees besides the block: every block of the configuration. */
export interface TranslationContext {
  blocks: TerraformBlock[];
  /** Finds a block by address (with or without an index). */
  byAddress(address: string): TerraformBlock | undefined;
  /** Blocks of `type` whose attribute `attr` refers to `address` (e.g. policies of a bucket). */
  referrers(type: string, address: string, attr?: string): TerraformBlock[];
  /**
   * Reports what a translator could not place (a decorating block that joins no owner), for the
   * reader's warnings; a context built without it drops the note.
   */
  warn?(message: string): void;
}

/**
 * Turns the blocks of one provider into canonical resources. Blocks that only decorate another
 * (`aws_s3_bucket_public_access_block`) are merged into their owner and return nothing alone.
 */
export interface TerraformTranslator {
  /** Type prefix this translator owns: `aws_`, `azurerm_`, `google_`, `kubernetes_`. */
  prefix: string;
  translate(ctx: TranslationContext): Resource[];
}
