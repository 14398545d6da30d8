/** Readers for gcp inventory exports and IaC, and the Terraform translator for its provider. */

import type { Reader } from '../reader.js';
import type { TerraformTranslator } from '../terraform/terraform-block.js';

export const gcpReaders: Reader[] = [];

export const gcpTerraformTranslator: TerraformTranslator = {
  prefix: 'google_',
  translate: () => [],
};
