import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import { readArmTemplate } from '../../../src/sources/arm/index.js';
import { fixtures, jsonFilesUnder, sharedData } from './arm-test-helpers.js';

const templates = [
  ...jsonFilesUnder(path.join(sharedData, 'iac/cloud-custodian-arm')),
  ...jsonFilesUnder(path.join(sharedData, 'iac/azure-quickstart-templates')),
  path.join(fixtures, 'web-tier.json'),
].map((file) => readFileSync(file, 'utf8'));

const FUNCTIONS = [
  'concat',
  'format',
  'string',
  'int',
  'bool',
  'json',
  'toLower',
  'substring',
  'replace',
  'split',
  'length',
  'empty',
  'contains',
  'first',
  'last',
  'take',
  'skip',
  'union',
  'intersection',
  'createArray',
  'createObject',
  'coalesce',
  'if',
  'equals',
  'not',
  'and',
  'or',
  'greater',
  'add',
  'sub',
  'mul',
  'div',
  'mod',
  'min',
  'max',
  'range',
  'uniqueString',
  'guid',
  'base64',
  'uri',
  'resourceGroup',
  'subscription',
  'resourceId',
  'reference',
  'listKeys',
  'copyIndex',
  'deployment',
  'environment',
  'utcNow',
  'parameters',
  'variables',
  'padLeft',
  'items',
  'nope',
];

/** Random ARM expressions, nested up to the given depth. */
const expression = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom("'a'", "'it''s'", '0', '800', '-1', "'{0}'", "'Microsoft.X/y'"),
    fc.constantFrom("parameters('prefix')", "variables('settings')", 'resourceGroup().id'),
    fc
      .tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('expr'), { maxLength: 4 }))
      .map(([name, args]) => `${name}(${args.join(', ')})`),
    fc
      .tuple(tie('expr'), fc.constantFrom('.id', '.name', '[0]', "['x']", '.tls'))
      .map(([target, access]) => `${target}${access}`),
  ),
})).expr;

/** Reads text; passes when it returns resources or throws SourceReadError, quickly. */
async function readsSafely(text: string): Promise<void> {
  const started = Date.now();
  try {
    const result = await readArmTemplate({ path: 'fuzz.json', text }, null);
    expect(Array.isArray(result.resources)).toBe(true);
  } catch (error) {
    if (!(error instanceof SourceReadError)) throw error;
  }
  expect(Date.now() - started).toBeLessThan(5_000);
}

function mutate(text: string, edits: { at: number; remove: number; insert: string }[]): string {
  let out = text;
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    out = out.slice(0, at) + edit.insert + out.slice(at + edit.remove);
  }
  return out;
}

function wrap(resources: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: { prefix: { type: 'string', defaultValue: 'web' } },
    variables: { settings: { tls: 'TLS1_2' } },
    resources,
    ...extra,
  });
}

describe('ARM reader under random input', () => {
  it('survives character-level mutations of real templates', async () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 40 }),
      insert: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom('[', ']', '{', '}', '"', ',', "'", '[[', '"[concat(', '\\', '\uFEFF'),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...templates),
        fc.array(edit, { minLength: 1, maxLength: 6 }),
        (text, edits) => readsSafely(mutate(text, edits)),
      ),
      { numRuns: 400 },
    );
  });

  it('survives random nested expressions in every resource field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(expression, { minLength: 1, maxLength: 6 }),
        fc.nat({ max: 5 }),
        (bodies, slot) => {
          const [first, ...rest] = bodies.map((body) => `[${body}]`);
          const resource: Record<string, unknown> = {
            type: 'Microsoft.Storage/storageAccounts',
            name: rest[0] ?? 'acct',
            location: first,
            dependsOn: rest,
            properties: { minimumTlsVersion: first, nested: { list: rest } },
          };
          if (slot === 0) resource.condition = first;
          if (slot === 1) resource.copy = { name: 'loop', count: first };
          if (slot === 2) resource.type = first;
          if (slot === 3)
            resource.properties = { copy: [{ name: 'p', count: first, input: rest }] };
          return readsSafely(wrap([resource]));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('survives deep nesting of JSON and of expressions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60_000 }), fc.boolean(), (depth, arrays) => {
        const open = arrays ? '[' : '{"a":';
        const close = arrays ? ']' : '}';
        const json = `${open.repeat(depth)}1${close.repeat(depth)}`;
        const deepExpression = `[${'concat('.repeat(depth % 3000)}'x'${')'.repeat(depth % 3000)}]`;
        return Promise.all([
          readsSafely(
            wrap([{ type: 'Microsoft.Web/sites', name: 'a', properties: 0 }]).replace(
              '"properties":0',
              `"properties":${json}`,
            ),
          ),
          readsSafely(`{"$schema": "deploymentTemplate", "resources": ${json}}`),
          readsSafely(wrap([{ type: 'Microsoft.Web/sites', name: deepExpression }])),
        ]).then(() => undefined);
      }),
      { numRuns: 25 },
    );
  });

  it('bounds huge copy counts, nested property copies and exploding variables', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.nat({ max: 60 }),
        (count, doublings) => {
          const variables: Record<string, unknown> = { v0: 'abcdefgh' };
          for (let i = 1; i <= doublings; i++) {
            variables[`v${i}`] = `[concat(variables('v${i - 1}'), variables('v${i - 1}'))]`;
          }
          const disks = {
            name: 'd',
            count,
            input: { copy: [{ name: 'e', count, input: "[copyIndex('e')]" }] },
          };
          const resource = {
            type: 'Microsoft.Compute/virtualMachines',
            name: "[concat('vm', copyIndex())]",
            copy: { name: 'vms', count },
            properties: { copy: [disks], tag: `[variables('v${doublings}')]` },
          };
          return readsSafely(wrap([resource], { variables }));
        },
      ),
      { numRuns: 30 },
    );
  });
});
