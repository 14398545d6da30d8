/** Readers for azure inventory exports and IaC, and the Terraform translator for its provider. */

import type { Reader } from '../reader.js';
import type { TerraformTranslator } from '../terraform/terraform-block.js';

export const azureReaders: Reader[] = [];

export const azureTerraformTranslator: TerraformTranslator = {
  prefix: 'azurerm_',
  translate: () => [],
};
