/** Readers for AWS CloudFormation templates (YAML with short-form tags, and JSON). */

import type { Reader } from '../reader.js';
import { cloudformationReader } from './cloudformation-reader.js';

export const cloudformationReaders: Reader[] = [cloudformationReader];
