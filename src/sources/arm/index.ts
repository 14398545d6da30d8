/** Readers for Azure Resource Manager (ARM) deployment templates. */

import type { Reader } from '../reader.js';

export const armReaders: Reader[] = [];
