import { describe, expect, it } from 'vitest';
import { isUnknown, UNKNOWN_KEY } from '../../../src/model/resource.js';
import {
  classifyString,
  ExpressionSyntaxError,
  parseExpression,
} from '../../../src/sources/arm/expression-parser.js';
import {
  EvaluationBudget,
  TemplateScope,
  type EvalContext,
} from '../../../src/sources/arm/template-scope.js';

const template = {
  parameters: {
    name: { type: 'string', defaultValue: 'Web' },
    ports: { type: 'array', defaultValue: [22, 3389] },
    secret: { type: 'securestring' },
    derived: { type: 'string', defaultValue: "[concat(parameters('name'), '-x')]" },
  },
  variables: {
    config: { tiers: [{ size: 'S1' }, { size: 'P1v3' }], 'odd key': 1 },
    loopy: "[variables('loopy')]",
    copy: [
      { name: 'ips', count: 3, input: "[concat('10.0.', string(copyIndex('ips')), '.0/24')]" },
    ],
  },
};

function evaluate(text: string, ctx: Partial<EvalContext> = {}) {
  const warnings = new Set<string>();
  const scope = new TemplateScope({
    file: 't.json',
    template,
    budget: new EvaluationBudget('t.json'),
    warnings,
  });
  const value = scope.evaluateString(text, { mode: 'value', loops: [], ...ctx });
  return { value, warnings: [...warnings] };
}

const value = (text: string) => evaluate(text).value;

describe('ARM expression parser', () => {
  it('parses nested calls, property access, indexes and escaped quotes', () => {
    expect(parseExpression("concat('it''s', variables('a').b[0]['c'])")).toEqual({
      kind: 'call',
      name: 'concat',
      args: [
        { kind: 'string', value: "it's" },
        {
          kind: 'index',
          target: {
            kind: 'index',
            target: {
              kind: 'property',
              target: { kind: 'call', name: 'variables', args: [{ kind: 'string', value: 'a' }] },
              name: 'b',
            },
            index: { kind: 'number', value: 0 },
          },
          index: { kind: 'string', value: 'c' },
        },
      ],
    });
  });

  it('tells expressions from [[ escaped literals and plain text', () => {
    expect(classifyString("[parameters('a')]")).toEqual({
      kind: 'expression',
      body: "parameters('a')",
    });
    expect(classifyString('[[literal]')).toEqual({ kind: 'text', value: '[literal]' });
    expect(classifyString('plain [x]')).toEqual({ kind: 'text', value: 'plain [x]' });
  });

  it.each([
    "concat('a'",
    "concat('a',)",
    "'unterminated",
    'bareword',
    "concat('a') extra",
    'a.b(',
    '#',
  ])('rejects malformed expression %s', (body) => {
    expect(() => parseExpression(body)).toThrow(ExpressionSyntaxError);
  });

  it('refuses expressions nested deeper than its limit', () => {
    const deep = `${'not('.repeat(200)}true()${')'.repeat(200)}`;
    expect(() => parseExpression(deep)).toThrow(/nested too deeply/);
  });
});

describe('ARM template functions', () => {
  it.each([
    ["[concat('a', 'b', 1, true)]", 'ab1True'],
    ['[concat(createArray(1, 2), createArray(3))]', [1, 2, 3]],
    ["[format('{0}-{1}-{{x}}', 'a', 7)]", 'a-7-{x}'],
    ["[string(createObject('a', 1))]", '{"a":1}'],
    ["[int('42')]", 42],
    ["[bool('TRUE')]", true],
    ['[json(\'{"a":[1,2]}\').a[1]]', 2],
    ["[json('null')]", null],
    ["[toLower('AbC')]", 'abc'],
    ["[toUpper('AbC')]", 'ABC'],
    ["[substring('abcdef', 2, 3)]", 'cde'],
    ["[replace('a-b-c', '-', '/')]", 'a/b/c'],
    ["[split('a,b;c', createArray(',', ';'))]", ['a', 'b', 'c']],
    ["[length('abc')]", 3],
    ["[length(parameters('ports'))]", 2],
    ["[empty('')]", true],
    ['[empty(createObject())]', true],
    ["[contains('abc', 'b')]", true],
    ["[contains(parameters('ports'), 22)]", true],
    ["[contains(createObject('Key', 1), 'key')]", true],
    ["[first(parameters('ports'))]", 22],
    ["[last('xyz')]", 'z'],
    ['[take(createArray(1, 2, 3), 2)]', [1, 2]],
    ["[skip('abcd', 3)]", 'd'],
    ['[union(createArray(1, 2), createArray(2, 3))]', [1, 2, 3]],
    ["[union(createObject('a', 1), createObject('b', 2))]", { a: 1, b: 2 }],
    ['[intersection(createArray(1, 2, 3), createArray(3, 2))]', [2, 3]],
    ["[coalesce(null(), null(), 'x')]", 'x'],
    ["[if(equals(parameters('name'), 'Web'), 'yes', 'no')]", 'yes'],
    ["[if(true(), 'safe', div(1, 0))]", 'safe'],
    ['[not(equals(1, 2))]', true],
    ['[and(true(), or(false(), true()))]', true],
    ['[greater(3, 2)]', true],
    ["[lessOrEquals('a', 'b')]", true],
    ['[greaterOrEquals(2, 2)]', true],
    ['[less(5, 1)]', false],
    ['[add(2, mul(3, 4))]', 14],
    ['[sub(10, div(7, 2))]', 7],
    ['[mod(7, 3)]', 1],
    ['[min(createArray(4, 2, 9))]', 2],
    ['[max(4, 2, 9)]', 9],
    ['[range(5, 3)]', [5, 6, 7]],
    ["[base64('hi')]", 'aGk='],
    ["[base64ToString('aGk=')]", 'hi'],
    ["[uri('https://example.org/a/', 'b.json')]", 'https://example.org/a/b.json'],
    ["[variables('config').tiers[1].size]", 'P1v3'],
    ["[variables('CONFIG')['odd key']]", 1],
    ["[variables('ips')]", ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']],
    ["[filter(parameters('ports'), lambda('p', greater(lambdaVariables('p'), 100)))]", [3389]],
    ["[map(range(1, 3), lambda('i', mul(lambdaVariables('i'), 2)))]", [2, 4, 6]],
    [
      "[reduce(createArray(1, 2, 3), 10, lambda('a', 'n', add(lambdaVariables('a'), " +
        "lambdaVariables('n'))))]",
      16,
    ],
    [
      "[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), " +
        "lambdaVariables('b'))))]",
      [1, 2, 3],
    ],
    [
      "[toObject(variables('config').tiers, lambda('t', lambdaVariables('t').size))]",
      { S1: { size: 'S1' }, P1v3: { size: 'P1v3' } },
    ],
    ["[parameters('Derived')]", 'Web-x'],
    ['[resourceGroup().id]', '/subscriptions/{subscription}/resourceGroups/{resourceGroup}'],
    [
      "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'snet')]",
      '/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/' +
        'Microsoft.Network/virtualNetworks/vnet/subnets/snet',
    ],
    [
      "[resourceId('other-rg', 'microsoft.storage/STORAGEACCOUNTS', 'acct')]",
      '/subscriptions/{subscription}/resourceGroups/other-rg/providers/' +
        'Microsoft.Storage/storageAccounts/acct',
    ],
    [
      "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'abc')]",
      '/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/abc',
    ],
  ])('evaluates %s', (text, expected) => {
    expect(value(text)).toEqual(expected);
  });

  it('makes uniqueString and guid deterministic and well-shaped', () => {
    const a = value('[uniqueString(resourceGroup().id)]');
    expect(a).toMatch(/^[a-z2-7]{13}$/);
    expect(value('[uniqueString(resourceGroup().id)]')).toBe(a);
    expect(value("[uniqueString(resourceGroup().id, 'x')]")).not.toBe(a);
    expect(value("[guid('a', 'b')]")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('returns unknown markers for values only Azure knows', () => {
    for (const text of [
      "[parameters('secret')]",
      '[resourceGroup().location]',
      '[subscription().subscriptionId]',
      "[reference('acct').primaryEndpoints.blob]",
      "[listKeys('acct', '2023-01-01').keys[0].value]",
      '[utcNow()]',
      '[environment().suffixes.storage]',
      "[concat('prefix-', parameters('secret'))]",
      '[toLower(resourceGroup().location)]',
    ]) {
      expect(isUnknown(value(text)), text).toBe(true);
    }
    const marker = value("[parameters('secret')]") as Record<string, string>;
    expect(marker[UNKNOWN_KEY]).toBe("parameters('secret')");
  });

  it('records reference() and list*() targets for relationships', () => {
    const references = new Set<string>();
    evaluate("[reference(resourceId('Microsoft.Storage/storageAccounts', 'acct')).x]", {
      references,
    });
    evaluate("[listKeys('vault1', '2023-01-01')]", { references });
    expect([...references]).toEqual([
      '/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/' +
        'Microsoft.Storage/storageAccounts/acct',
      'vault1',
    ]);
  });

  it('gives placeholders instead of unknowns while building names', () => {
    const symbolic = evaluate("[format('{0}/{1}', parameters('secret'), resourceGroup().name)]", {
      mode: 'symbolic',
    });
    expect(symbolic.value).toBe('{secret}/{resourceGroup}');
  });

  it('uses copyIndex of the resource loop, with an offset, and of named loops', () => {
    const loops = [
      { name: 'vms', index: 2 },
      { name: 'disks', index: 5 },
    ];
    expect(evaluate('[copyIndex()]', { loops, resourceLoop: 'vms' }).value).toBe(2);
    expect(evaluate('[copyIndex(10)]', { loops, resourceLoop: 'vms' }).value).toBe(12);
    expect(evaluate("[copyIndex('disks', 1)]", { loops, resourceLoop: 'vms' }).value).toBe(6);
  });

  it.each([
    ['[div(1, 0)]', /by zero/],
    ["[substring('abc', 2, 5)]", /outside/],
    ["[variables('loopy')]", /refers to itself/],
    ["[parameters('missing')]", /not declared/],
    ["[madeUp('x')]", /not supported/],
    ['[range(0, 100000)]', /between 0 and 10000/],
    ["[variables('config').nope]", /does not exist/],
    ['[copyIndex()]', /outside a copy loop/],
  ])('turns %s into an unknown value with a warning', (text, reason) => {
    const result = evaluate(text);
    expect(isUnknown(result.value)).toBe(true);
    expect(result.warnings.join('\n')).toMatch(reason);
  });
});
