/**
 * A YAML tag CloudFormation does not know (`!NotATag`, a typo of `!GetAtt`, a tool's own such as
 * Rain's `!Rain::Embed`) is read as its plain value and named in a warning with its line.
 */

import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../src/sources/cloudformation/cfn-template-parser.js';

describe('CloudFormation templates with unknown tags', () => {
  it('warns with the line, and says nothing of the short forms it knows', () => {
    const text = [
      'Resources:',
      '  B:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      BucketName: !Sub "${AWS::StackName}-logs"',
      '      Tags:',
      '        - Key: owner',
      '          Value: !GetAttt Owner.Name',
      '        - Key: zone',
      '          Value: !Select [0, !GetAZs ""]',
    ].join('\n');
    const parsed = parseTemplate('t.yaml', text);
    expect(parsed.warnings).toEqual([
      't.yaml:8: Unresolved tag: !GetAttt; read as its plain value',
    ]);
    expect(parsed.template).toMatchObject({ Resources: { B: { Type: 'AWS::S3::Bucket' } } });
  });
});
