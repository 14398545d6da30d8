/** Readers for aws inventory exports and IaC, and the Terraform translator for its provider. */

import type { Reader } from '../reader.js';
import type { TerraformTranslator } from '../terraform/terraform-block.js';

export const awsReaders: Reader[] = [];

export const awsTerraformTranslator: TerraformTranslator = {
  prefix: 'aws_',
  translate: () => [],
};
