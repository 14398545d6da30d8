/** Readers for aws inventory exports and IaC, and the Terraform translator for its provider. */

import type { Reader } from '../reader.js';

export const awsReaders: Reader[] = [];

export { awsTerraformTranslator } from './terraform/translator.js';
