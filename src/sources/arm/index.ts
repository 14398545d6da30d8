/** Readers for Azure Resource Manager (ARM) deployment templates. */

import type { Reader } from '../reader.js';
import { armTemplateReader } from './arm-template-reader.js';

export { readArmTemplate, looksLikeArmTemplate } from './arm-template-reader.js';

export const armReaders: Reader[] = [armTemplateReader];
