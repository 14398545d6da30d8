/**
 * JSON templates are read by JSON.parse, never the YAML parser: a syntax error is JSON's, with
 * its line and column; runaway nesting and files far past CloudFormation's own size limit are
 * refused at once with the limit named; a template of thousands of resources reads in seconds.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import {
  MAX_TEMPLATE_BYTES,
  parseTemplate,
} from '../../../src/sources/cloudformation/cfn-template-parser.js';
import { readPaths } from '../../../src/sources/read-paths.js';

/** A JSON template of `count` buckets, one property per line as editors write it. */
function buckets(count: number): string {
  const resources = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `Bucket${i}`,
      { Type: 'AWS::S3::Bucket', Properties: { BucketName: `b-${i}` } },
    ]),
  );
  return JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }, null, 2);
}

function thrown(run: () => unknown): SourceReadError {
  try {
    run();
  } catch (error) {
    if (error instanceof SourceReadError) return error;
    throw error;
  }
  throw new Error('expected a SourceReadError');
}

describe('JSON CloudFormation templates', () => {
  it('reports a broken .json template with a JSON error naming its line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-cfn-json-'));
    const file = join(dir, 'broken.json');
    writeFileSync(
      file,
      '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "B": {"Type": "AWS::S3::Bucket",}\n  }\n}\n',
    );
    const [report] = (await readPaths([file])).files;
    expect(report.error).toMatchObject({ code: 'PARSE_ERROR', line: 4, column: 37 });
    expect(report.error!.message).toMatch(/invalid JSON: .* at line 4, column 37$/);
  });

  it('gives a missing bracket JSON’s message, not YAML’s', () => {
    const error = thrown(() =>
      parseTemplate('t.json', '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}'),
    );
    expect(error.message).toMatch(/invalid JSON/);
    expect(error.message).not.toMatch(/flow|block|collection/i);
  });

  it('refuses a template nested 5,000 levels deep, naming the 500-level limit', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const text = `{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"X": ${deep}}}}}`;
    const error = thrown(() => parseTemplate('deep.json', text));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(/more than 500 levels deep/);
  });

  it('refuses a template far past CloudFormation’s size limit at once, naming the limits', () => {
    const padding = ' '.repeat(MAX_TEMPLATE_BYTES);
    const started = Date.now();
    const error = thrown(() => parseTemplate('huge.json', `${buckets(1)}${padding}`));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(/up to 10\.0 MiB \(CloudFormation itself takes at most 1 MB\)/);
  });

  it('notes the line of each resource, whatever its logical id holds', () => {
    const text =
      '{\n "Resources": {\n  "A": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "Resources"}]}},\n  "B\\"{x": {\n   "Type": "AWS::S3::Bucket"}\n }\n}';
    const { resourceLines } = parseTemplate('t.json', text);
    expect(Object.fromEntries(resourceLines)).toEqual({ A: 3, 'B"{x': 4 });
  });

  it('still reads a .template file opening with a YAML flow mapping of short-form tags', () => {
    const { template } = parseTemplate(
      't.template',
      '{Resources: {B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref Name}}}}',
    );
    expect(template).toEqual({
      Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'Name' } } } },
    });
  });

  it('reads a template of 8,000 resources in seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-cfn-big-'));
    const file = join(dir, 'big.json');
    writeFileSync(file, buckets(8000));
    const started = Date.now();
    const { resources } = await readPaths([file]);
    expect(resources).toHaveLength(8000);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 60_000);
});
