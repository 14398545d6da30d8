/**
 * The estate the outbox tests save: two real CloudFormation templates, scanned twice at the same
 * path, the second time with the S3 template gone, so its findings resolve (as `gone`) and the
 * score and compliance states move.
 */

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import type { Rule } from '../../src/model/rule.js';

const TEMPLATES = join(
  import.meta.dirname,
  '../../../shared/data/iac/aws-cloudformation-templates',
);

/** The S3 template the second scan lacks, under `root`. */
const GONE_TEMPLATE = 'S3_LambdaTrigger.yaml';

/** Copies the templates into a fresh folder (removed after the file's tests) and scans twice. */
export async function scannedTwice(
  rules: Rule[],
): Promise<{ root: string; first: AssessmentResult; second: AssessmentResult }> {
  const root = mkdtempSync(join(tmpdir(), 'palisade-outbox-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const file of ['EC2/EC2InstanceWithSecurityGroupSample.yaml', `S3/${GONE_TEMPLATE}`]) {
    cpSync(join(TEMPLATES, file), join(root, file.split('/')[1]));
  }
  const first = await assess({ paths: [root], rules });
  rmSync(join(root, GONE_TEMPLATE));
  const second = await assess({ paths: [root], rules });
  return { root, first, second };
}
