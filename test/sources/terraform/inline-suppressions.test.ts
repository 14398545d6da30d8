/**
 * Inline suppressions in `.tf` files (`# palisade:ignore RULE REASON`) and block lines are found
 * whatever the file's line endings and byte order mark, and in every HCL comment form.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { REPO_ROOT } from '../../support/paths.js';

const EC2 = join(REPO_ROOT, '../shared/data/iac/terragoat/terraform/aws/ec2.tf');

/** TerraGoat's ec2.tf with suppressions in three comment forms inside its first three blocks. */
async function suppressedEc2(): Promise<string> {
  const lines = (await readFile(EC2, 'utf8')).split('\n');
  const headers = lines.flatMap((l, i) => (l.startsWith('resource ') ? [i] : [])).slice(0, 3);
  const comments = [
    '  # palisade:ignore aws-ec2-imdsv2-required legacy AMI, tracked',
    '  // palisade:ignore aws-ebs-volume-encrypted scratch volume',
    '  /* palisade:ignore aws-ebs-snapshot-encrypted copied from an encrypted source */',
  ];
  // From the last header up, so the earlier indexes stay right.
  for (const [n, at] of [...headers.entries()].reverse()) lines.splice(at + 1, 0, comments[n]);
  return lines.join('\n');
}

/** What the reader makes of `text` saved as one `main.tf`: each block's line and suppressions. */
async function read(text: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-tf-suppress-'));
  await writeFile(join(dir, 'main.tf'), text);
  const { resources, files } = await readPaths([dir]);
  expect(files.filter((f) => f.error)).toEqual([]);
  return resources
    .map(
      (r) =>
        `${r.source.address}:${r.source.line}:` +
        (r.suppressions ?? []).map((s) => `${s.ruleId}=${s.reason}`).join(','),
    )
    .sort();
}

describe('Terraform inline suppressions', () => {
  it('are read from #, // and one-line /* */ comments', async () => {
    const blocks = await read(await suppressedEc2());
    const suppressed = blocks.filter((b) => !b.endsWith(':'));
    expect(suppressed).toEqual([
      'aws_ebs_snapshot.example_snapshot:55:aws-ebs-snapshot-encrypted=copied from an encrypted source',
      'aws_ebs_volume.web_host_storage:35:aws-ebs-volume-encrypted=scratch volume',
      'aws_instance.web_host:1:aws-ec2-imdsv2-required=legacy AMI, tracked',
    ]);
  });

  it('are read from /* */ comments over several lines, inside a block or just above it', async () => {
    const lines = (await readFile(EC2, 'utf8')).split('\n');
    const headers = lines.flatMap((l, i) => (l.startsWith('resource ') ? [i] : [])).slice(0, 3);
    const [first, second, third] = headers;
    // From the last header up, so the earlier indexes stay right.
    lines.splice(
      third,
      0,
      '/*',
      ' * palisade:ignore aws-ebs-snapshot-encrypted copied, see ADR-7',
      ' */',
    );
    lines.splice(
      second + 1,
      0,
      '  /* reviewed 2026-11',
      '     palisade:ignore aws-ebs-volume-encrypted scratch */',
    );
    // A comment that closes before the line above the header is not the block's, and a
    // suppression written in a string is no comment.
    lines.splice(first, 0, '/*', ' palisade:ignore aws-ec2-imdsv2-required far away', '*/', '');
    lines.splice(first + 5, 0, '  monitoring = "/* palisade:ignore aws-ec2-ebs-optimized x" != ""');
    const blocks = await read(lines.join('\n'));
    expect(blocks.filter((b) => !b.endsWith(':'))).toEqual([
      'aws_ebs_snapshot.example_snapshot:63:aws-ebs-snapshot-encrypted=copied, see ADR-7',
      'aws_ebs_volume.web_host_storage:39:aws-ebs-volume-encrypted=scratch',
    ]);
  });

  it('and block lines are the same with CRLF line endings', async () => {
    const text = await suppressedEc2();
    expect(await read(text.replaceAll('\n', '\r\n'))).toEqual(await read(text));
  });

  it('and block lines are the same with a UTF-8 byte order mark', async () => {
    const text = await suppressedEc2();
    const lf = await read(text);
    expect(lf).toContain('aws_instance.web_host:1:aws-ec2-imdsv2-required=legacy AMI, tracked');
    expect(await read(`\uFEFF${text}`)).toEqual(lf);
    expect(await read(`\uFEFF${text.replaceAll('\n', '\r\n')}`)).toEqual(lf);
  });
});
