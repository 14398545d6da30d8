/**
 * Every reader Palisade ships, in the order files are offered to them. A file goes to the first
 * reader whose `detect` claims it; folders with `.tf` files go to the Terraform reader whole.
 */

import type { DirectoryReader, Reader } from './reader.js';
import type { TerraformTranslator } from './terraform/terraform-block.js';
import { armReaders } from './arm/index.js';
import { awsReaders, awsTerraformTranslator } from './aws/index.js';
import { azureReaders, azureTerraformTranslator } from './azure/index.js';
import { cloudformationReaders } from './cloudformation/index.js';
import { gcpReaders, gcpTerraformTranslator } from './gcp/index.js';
import { kubernetesReaders } from './kubernetes/index.js';
import { terraformDirectoryReader, terraformFileReaders } from './terraform/index.js';

export const terraformTranslators: TerraformTranslator[] = [
  awsTerraformTranslator,
  azureTerraformTranslator,
  gcpTerraformTranslator,
];

export const directoryReaders: DirectoryReader[] = [terraformDirectoryReader(terraformTranslators)];

/** File readers, most specific first: IaC templates and inventory exports before generic YAML. */
export const fileReaders: Reader[] = [
  ...terraformFileReaders(terraformTranslators),
  ...cloudformationReaders,
  ...armReaders,
  ...awsReaders,
  ...azureReaders,
  ...gcpReaders,
  ...kubernetesReaders,
];
