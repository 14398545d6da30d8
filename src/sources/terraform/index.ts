/** The Terraform readers: HCL module folders and `terraform show -json` plan files. */

import type { DirectoryReader, Reader } from '../reader.js';
import type { TerraformTranslator } from './terraform-block.js';

export function terraformDirectoryReader(_translators: TerraformTranslator[]): DirectoryReader {
  return {
    kind: 'terraform',
    claims: () => false,
    readDirectory: async () => ({ resources: [], errors: [], consumed: [] }),
  };
}

export function terraformFileReaders(_translators: TerraformTranslator[]): Reader[] {
  return [];
}
