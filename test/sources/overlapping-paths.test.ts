/** Paths that overlap (the same folder twice, a folder and one inside it) are read once. */

import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

describe('overlapping scan paths', () => {
  it('count each Kubernetes and CloudFormation resource once', async () => {
    for (const dir of [
      shared('iac/kubernetes-goat'),
      shared('iac/aws-cloudformation-templates/EC2'),
    ]) {
      const once = await readPaths([dir]);
      expect(once.resources.length).toBeGreaterThan(0);
      for (const paths of [
        [dir, dir],
        [`${dir}/.`, dir],
        [dir, `${dir}/`],
      ]) {
        const again = await readPaths(paths);
        expect(again.resources.map((r) => r.id).sort()).toEqual(
          once.resources.map((r) => r.id).sort(),
        );
      }
    }
    const goat = shared('iac/kubernetes-goat');
    const nested = await readPaths([`${goat}/scenarios`, goat]);
    expect(nested.resources).toHaveLength((await readPaths([goat])).resources.length);
  });
});
