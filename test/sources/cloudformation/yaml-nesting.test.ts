/**
 * A YAML template nested past the 500 levels Palisade reads is refused as a JSON one is: the error
 * names the file, the line where nesting passes the limit, and the limit, in block or flow style
 * and however deep it runs; an alias bomb is still refused as one.
 */

import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import {
  MAX_TEMPLATE_DEPTH,
  parseTemplate,
} from '../../../src/sources/cloudformation/cfn-template-parser.js';

const HEAD =
  'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n';

/**
 * A bucket whose `Properties` nest maps `levels` deep, one key a line: the template is level 1,
 * `Resources` level 2, the bucket level 3, and `Properties` opens level 4 on line 6, so level n
 * opens on line n + 2.
 */
function blockNested(levels: number): string {
  const keys = Array.from({ length: levels - 3 }, (_, i) => `${'  '.repeat(i + 3)}k:`);
  return `${HEAD}    Properties:\n${keys.join('\n')}\n${'  '.repeat(levels)}v\n`;
}

function thrown(text: string): SourceReadError {
  try {
    parseTemplate('/tmp/deep.yaml', text);
  } catch (err) {
    if (err instanceof SourceReadError) return err;
    throw err;
  }
  throw new Error('the template was read without error');
}

describe('CloudFormation YAML templates nested past the limit', () => {
  it('reads a template nested exactly as deep as the limit', () => {
    expect(MAX_TEMPLATE_DEPTH).toBe(500);
    const { template } = parseTemplate('/tmp/deep.yaml', blockNested(500));
    expect(Object.keys(template.Resources as object)).toEqual(['B']);
  });

  it('names the file, the line and the limit one level past it', () => {
    const error = thrown(blockNested(501));
    expect(error).toMatchObject({ code: 'TOO_LARGE', file: '/tmp/deep.yaml', line: 503 });
    expect(error.message).toBe(
      '/tmp/deep.yaml:503: template nests maps and lists more than 500 levels deep, past the 500 levels Palisade reads',
    );
  });

  it('names the line where nesting passes the limit when the parser gives out far deeper', () => {
    const error = thrown(blockNested(1_500));
    expect(error).toMatchObject({ code: 'TOO_LARGE', line: 503 });
    expect(error.message).toMatch(/more than 500 levels deep, past the 500 levels Palisade reads/);
  });

  it('names the line and the limit for flow nesting', () => {
    const flow = `${'['.repeat(600)}${']'.repeat(600)}`;
    const error = thrown(`${HEAD}    Properties:\n      X: ${flow}\n`);
    expect(error).toMatchObject({ code: 'TOO_LARGE', line: 6 });
    expect(error.message).toMatch(/more than 500 levels deep/);
  });
});
