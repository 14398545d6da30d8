import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import { cloudformationReader } from '../../../src/sources/cloudformation/cloudformation-reader.js';

const SHARED = path.resolve(process.cwd(), '../shared/data/iac/aws-cloudformation-templates');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const templates = walk(SHARED).map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));

/** Reads `text`; returns 'ok' or 'error', and fails the property on any other exception. */
function readOutcome(file: string, text: string): 'ok' | 'error' {
  const started = Date.now();
  try {
    const result = cloudformationReader.read({ path: file, text });
    if (result instanceof Promise) throw new Error('reader must be synchronous here');
    expect(Array.isArray(result.resources)).toBe(true);
    JSON.stringify(result.resources);
    return 'ok';
  } catch (err) {
    if (!(err instanceof SourceReadError)) throw err;
    return 'error';
  } finally {
    expect(Date.now() - started).toBeLessThan(2000);
  }
}

const mutation = fc.record({
  template: fc.integer({ min: 0, max: templates.length - 1 }),
  at: fc.nat(),
  cut: fc.nat({ max: 40 }),
  insert: fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
      '!Ref',
      '!GetAtt x',
      '!If [',
      ': &a',
      '*a',
      '- ',
      '{',
      '}',
      '[',
      '"',
      '\n  ',
      '!Sub ${',
      'Fn::If',
      '<<: *a',
      '\t',
      ': !Join [',
    ),
  ),
});

describe('cloudformation reader under fuzzing', () => {
  it('returns resources or a SourceReadError for mutated real templates', () => {
    fc.assert(
      fc.property(mutation, ({ template, at, cut, insert }) => {
        const source = templates[template]!;
        const pos = at % (source.text.length + 1);
        const text = source.text.slice(0, pos) + insert + source.text.slice(pos + cut);
        readOutcome(source.path, text);
      }),
      { numRuns: 400 },
    );
  });

  it('survives random YAML-ish and JSON-ish input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.json()), (body) => {
        readOutcome('fuzz.yaml', `AWSTemplateFormatVersion: '2010-09-09'\n${body}`);
        readOutcome(
          'fuzz.json',
          `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ${body}}`,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('stops an alias bomb quickly with a SourceReadError', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = levels.map((l) => `  ${l}`).join('\n');
    const text = `AWSTemplateFormatVersion: '2010-09-09'\nBomb:\n${bomb}\nResources: {}\n`;
    expect(readOutcome('bomb.yaml', text)).toBe('error');
  });

  it('does not loop on self-referencing conditions', () => {
    const text = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Conditions:',
      '  A: !Condition B',
      '  B: !Not [!Condition A]',
      'Resources:',
      '  Q:',
      '    Type: AWS::SQS::Queue',
      '    Condition: A',
      '    Properties: { QueueName: !If [B, x, y] }',
    ].join('\n');
    expect(readOutcome('loop.yaml', text)).toBe('ok');
  });
});
