/** Readers for GCP inventory (Cloud Asset Inventory exports, recorded REST responses, REST
 * resources as gcloud prints them) and the Terraform translator for the `google` provider. */

import type { Reader } from '../reader.js';
import type { TerraformTranslator } from '../terraform/terraform-block.js';
import { assetInventoryReader } from './asset-inventory-reader.js';
import { restResourceReader } from './rest-resource-reader.js';
import { restResponseReader } from './rest-response-reader.js';
import { translateGoogleBlocks } from './terraform/translate.js';

export const gcpReaders: Reader[] = [assetInventoryReader, restResponseReader, restResourceReader];

export const gcpTerraformTranslator: TerraformTranslator = {
  prefix: 'google_',
  translate: translateGoogleBlocks,
};
