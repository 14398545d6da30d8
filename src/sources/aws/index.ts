/** Readers for aws inventory exports and IaC, and the Terraform translator for its provider. */

import type { Reader } from '../reader.js';
import { awsConfigReader } from './aws-config-reader.js';
import { describeReader } from './describe-reader.js';
import { placeboReader } from './placebo-reader.js';

export const awsReaders: Reader[] = [placeboReader, awsConfigReader, describeReader];

export { awsTerraformTranslator } from './terraform/translator.js';
