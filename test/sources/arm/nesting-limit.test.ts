/**
 * An ARM template nested past the 500 levels Palisade's JSON readers follow is refused as they
 * refuse one: the error names the file, the line where nesting passes the limit, and the limit.
 * A template within the limit is read and evaluated whole, and comments open no level.
 */

import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import { readArmTemplate } from '../../../src/sources/arm/index.js';
import { MAX_JSON_DEPTH } from '../../../src/sources/json-syntax-error.js';

const FILE = '/tmp/azuredeploy.json';

/**
 * A storage account whose `properties.x` holds arrays nested `levels` deep from the template's
 * root, opened on line 11: the template, `resources`, the resource and `properties` are the
 * first four levels.
 */
function template(levels: number, before = ''): string {
  const arrays = levels - 4;
  return [
    '{',
    '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",',
    `  "contentVersion": "1.0.0.0",${before}`,
    '  "resources": [',
    '    {',
    '      "type": "Microsoft.Storage/storageAccounts",',
    '      "apiVersion": "2023-01-01",',
    '      "name": "deep",',
    '      "location": "westeurope",',
    '      "properties": {',
    `        "x": ${'['.repeat(arrays)}${']'.repeat(arrays)}`,
    '      }',
    '    }',
    '  ]',
    '}',
  ].join('\n');
}

async function refusal(text: string): Promise<SourceReadError> {
  try {
    await readArmTemplate({ path: FILE, text }, null);
  } catch (err) {
    if (err instanceof SourceReadError) return err;
    throw err;
  }
  throw new Error('the template was read without error');
}

describe('ARM templates nested past the limit', () => {
  it('reads and evaluates a template nested exactly as deep as the limit', async () => {
    expect(MAX_JSON_DEPTH).toBe(500);
    const { resources } = await readArmTemplate({ path: FILE, text: template(500) }, null);
    expect(resources).toHaveLength(1);
  });

  it('names the file, the line and the limit one level past it', async () => {
    const error = await refusal(template(501));
    expect(error).toMatchObject({ code: 'TOO_LARGE', file: FILE, line: 11 });
    expect(error.message).toBe(
      `${FILE}:11: JSON nested more than 500 levels deep, past the 500 levels Palisade's readers follow; flatten the document`,
    );
  });

  it('names the line and the limit for nesting far past what the parser could recurse into', async () => {
    const error = await refusal(template(200_000));
    expect(error).toMatchObject({ code: 'TOO_LARGE', line: 11 });
    expect(error.message).toMatch(/nested more than 500 levels deep/);
  });

  it('opens no level for brackets or quotes in comments, and counts their lines', async () => {
    const comments = ` // a "quote [[[\n  /* ${'['.repeat(600)}\n  ${'{'.repeat(600)} */`;
    const { resources } = await readArmTemplate(
      { path: FILE, text: template(500, comments) },
      null,
    );
    expect(resources).toHaveLength(1);
    expect(await refusal(template(501, comments))).toMatchObject({ code: 'TOO_LARGE', line: 13 });
  });

  it('ignores a parameters file nested past the limit, saying why', async () => {
    const parameters = `{"parameters": {"p": {"value": ${'['.repeat(600)}${']'.repeat(600)}}}}`;
    const { warnings } = await readArmTemplate({ path: FILE, text: template(10) }, parameters);
    expect(warnings).toEqual([
      expect.stringMatching(
        /parameters file ignored: .*\(parameters\):1: JSON nested more than 500 levels deep/,
      ),
    ]);
  });
});
