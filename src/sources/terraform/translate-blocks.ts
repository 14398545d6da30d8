/**
 * Hands evaluated blocks to the per-provider translators whose prefix matches, and counts the
 * block types no translator owns.
 */

import type { Resource } from '../../model/resource.js';
import type { TerraformBlock, TerraformTranslator } from './terraform-block.js';
import { dropLiteralSecrets } from '../literal-secrets.js';
import { createTranslationContext } from './translation-context.js';

export interface TranslationOutcome {
  resources: Resource[];
  warnings: string[];
}

/** Runs every translator owning at least one block; a translator that throws is reported. */
export function translateBlocks(
  blocks: TerraformBlock[],
  translators: TerraformTranslator[],
  where: string,
  sourceKind: 'terraform' | 'terraform-plan' = 'terraform',
): TranslationOutcome {
  const resources: Resource[] = [];
  const warnings: string[] = [];
  const ctx = createTranslationContext(blocks, (message) => warnings.push(`${where}: ${message}`));
  for (const translator of translators) {
    if (!blocks.some((b) => b.type.startsWith(translator.prefix))) continue;
    try {
      resources.push(...translator.translate(ctx));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      warnings.push(`${where}: ${translator.prefix}* translator failed: ${message}`);
    }
  }
  if (sourceKind === 'terraform-plan') {
    for (const r of resources) {
      r.source = { ...r.source, kind: 'terraform-plan' };
      // A plan's values are resolved, not as written: a literal there may come from a vault.
      dropLiteralSecrets(r.properties);
    }
  }
  const unowned = new Map<string, number>();
  for (const b of blocks) {
    if (translators.some((t) => b.type.startsWith(t.prefix))) continue;
    unowned.set(b.type, (unowned.get(b.type) ?? 0) + 1);
  }
  if (unowned.size > 0) {
    const list = [...unowned].map(([type, n]) => `${type} (${n})`).join(', ');
    const total = [...unowned.values()].reduce((a, b) => a + b, 0);
    warnings.push(`${where}: ${total} blocks of types no translator reads: ${list}`);
  }
  return { resources, warnings };
}
