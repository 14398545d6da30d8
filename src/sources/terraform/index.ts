/** The Terraform readers: HCL module folders and `terraform show -json` plan files. */

import type { DirectoryReader, Reader } from '../reader.js';
import { createTerraformDirectoryReader } from './directory-reader.js';
import { createTerraformPlanReader } from './plan-reader.js';
import type { TerraformTranslator } from './terraform-block.js';

export { evaluateTerraformDirectory } from './evaluate-directory.js';
export { planToBlocks } from './plan-reader.js';
export { createTranslationContext } from './translation-context.js';

/** The reader for folders of `.tf` files, translating blocks with `translators`. */
export function terraformDirectoryReader(translators: TerraformTranslator[]): DirectoryReader {
  return createTerraformDirectoryReader(translators);
}

/** File readers: `terraform show -json` plan and state files. */
export function terraformFileReaders(translators: TerraformTranslator[]): Reader[] {
  return [createTerraformPlanReader(translators)];
}
