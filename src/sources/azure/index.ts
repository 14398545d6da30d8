/**
 * Readers for Azure inventory exports (ARM bodies, cassettes, Resource Graph), and the
 * azurerm_ Terraform translator.
 */

import type { Reader } from '../reader.js';
import type { TerraformTranslator } from '../terraform/terraform-block.js';
import { armInventoryReader } from './arm-inventory-reader.js';
import { resourceGraphReader } from './resource-graph-reader.js';
import { azurermTranslator } from './terraform/azurerm-translator.js';

/** Resource Graph first: its `{ data: [...] }` rows would otherwise look like bare ARM bodies. */
export const azureReaders: Reader[] = [resourceGraphReader, armInventoryReader];

export const azureTerraformTranslator: TerraformTranslator = azurermTranslator;
