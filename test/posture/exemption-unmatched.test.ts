/**
 * `scan`, like `check`, names an exemption whose resource pattern matches none of the resources
 * read (a misspelt IaC address waives nothing), in a whole-estate and in a streamed assessment.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { assessStream } from '../../src/posture/assess-stream.js';
import { loadExemptions } from '../../src/posture/exemptions.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { shared } from '../support/paths.js';

const TERRAGOAT_AWS = shared('iac/terragoat/terraform/aws');

async function exemptions(resource: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-unmatched-')), 'exemptions.yaml');
  writeFileSync(
    file,
    `exemptions:\n  - rule: aws-ec2-sg-no-public-ssh\n    resource: ${resource}\n` +
      '    category: waiver\n    justification: Bastion host, reviewed.\n',
  );
  return loadExemptions(file);
}

describe('an exemption that names no resource', () => {
  it('is named by a whole and by a streamed scan; the right address is not', async () => {
    const rules = await loadRules();
    const pattern =
      /resource pattern "aws_security_group\.web-nod" matches none of the \d+ resources checked/;
    for (const run of [assess, assessStream]) {
      const misspelt = await run({
        paths: [TERRAGOAT_AWS],
        rules,
        exemptions: await exemptions('aws_security_group.web-nod'),
      });
      expect(
        misspelt.warnings.filter((w) => pattern.test(w)),
        run.name,
      ).toHaveLength(1);
      const right = await run({
        paths: [TERRAGOAT_AWS],
        rules,
        exemptions: await exemptions('aws_security_group.web-node'),
      });
      expect(
        right.warnings.some((w) => w.includes('resource pattern')),
        run.name,
      ).toBe(false);
      expect(right.counts.exempt, run.name).toBeGreaterThan(0);
    }
  }, 60_000);
});
