import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsConfigReader, configItems } from '../../../src/sources/aws/aws-config-reader.js';
import { isRecord } from '../../../src/sources/aws/aws-api-values.js';
import {
  configShape,
  jsonValue,
  S3_SUPPLEMENTARY_RENAMES,
  toPascal,
} from '../../../src/sources/aws/aws-config-shape.js';
import { isJsonObjectText } from '../../../src/sources/aws/json-object-text.js';
import { lazyField } from '../../../src/sources/lazy-field.js';

const CONFIG = path.resolve(process.cwd(), '../shared/data/cloud-inventory/aws');

const S3_RENAMED = S3_SUPPLEMENTARY_RENAMES;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** What `JSON.parse` says: an object, or not (array, scalar, or a syntax error). */
function parsesToObject(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** String-encoded configurations from the shared AWS Config items. */
function configTexts(): string[] {
  const texts: string[] = [];
  for (const file of walk(CONFIG).filter((f) => f.endsWith('.json'))) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    for (const item of configItems(data)) {
      const supplementary = (item.supplementaryConfiguration ?? {}) as Record<string, unknown>;
      for (const v of [item.configuration, ...Object.values(supplementary)])
        if (typeof v === 'string') texts.push(v);
    }
  }
  return texts;
}

describe('isJsonObjectText', () => {
  it('agrees with JSON.parse on hand-picked texts', () => {
    const cases = [
      '{}',
      ' {"a": [1, -2.5e+3, {"b": null}], "c": "x\\u00e9\\n\\"", "d": true, "e": false} ',
      '{"a":1,}',
      '{"a" 1}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":-}',
      '{"a":"\\x"}',
      '{"a":"\\u12G4"}',
      '{"a":"tab\there"}',
      '{"a":tru}',
      '{"a":[1,]}',
      '{"a":1}}',
      '{"a":1} x',
      '[{"a":1}]',
      '"{}"',
      'null',
      '{"a":"\ud800"}',
      '{"__proto__": {"x": 1}}',
      '\u00a0{}',
    ];
    for (const text of cases)
      expect([text, isJsonObjectText(text)]).toEqual([text, parsesToObject(text)]);
  });

  it('agrees with JSON.parse on the shared Config texts and on 50,000 mutations of them', () => {
    const seeds = configTexts();
    expect(seeds.length).toBeGreaterThan(20);
    let valid = 0;
    for (const text of seeds) {
      expect(isJsonObjectText(text)).toBe(parsesToObject(text));
      if (parsesToObject(text)) valid += 1;
    }
    expect(valid).toBeGreaterThan(10);
    const pieces = ['{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '-', '.', 'e', '0', '7'];
    pieces.push('t', 'f', 'n', 'u', '\u0001', '\u00a0', 'x');
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let mutatedValid = 0;
    for (let k = 0; k < 50_000; k += 1) {
      let text = seeds[random(seeds.length)].slice(0, 400);
      for (let e = 1 + random(2); e > 0; e -= 1) {
        const at = random(text.length + 1);
        const piece = pieces[random(pieces.length)];
        const op = random(3);
        text =
          op === 0
            ? text.slice(0, at) + piece + text.slice(at)
            : op === 1
              ? text.slice(0, at) + text.slice(at + 1)
              : text.slice(0, at) + piece + text.slice(at + 1);
      }
      const expected = parsesToObject(text);
      if (expected) mutatedValid += 1;
      if (isJsonObjectText(text) !== expected) expect([text, !expected]).toEqual([text, expected]);
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(mutatedValid).toBeGreaterThan(1000);
    expect(mutatedValid).toBeLessThan(49_000);
  });

  it('takes deep nesting without running out of stack', () => {
    const deep = `{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(isJsonObjectText(deep)).toBe(parsesToObject(deep));
  });
});

describe('lazyField', () => {
  it('computes on first read only, keeps its place among the keys and reads as a plain property', () => {
    let calls = 0;
    const target: Record<string, unknown> = { a: 1 };
    lazyField(target, 'b', () => {
      calls += 1;
      return { nested: [1, 2] };
    });
    target.c = 3;
    expect(calls).toBe(0);
    expect(Object.keys(target)).toEqual(['a', 'b', 'c']);
    expect(JSON.stringify(target)).toBe('{"a":1,"b":{"nested":[1,2]},"c":3}');
    expect({ ...target }).toEqual({ a: 1, b: { nested: [1, 2] }, c: 3 });
    expect(structuredClone(target)).toEqual({ a: 1, b: { nested: [1, 2] }, c: 3 });
    expect(target.b).toBe(target.b);
    expect(calls).toBe(1);
    // The state lives under a symbol nobody enumerates.
    expect(
      Object.getOwnPropertySymbols(target).filter((s) =>
        Object.prototype.propertyIsEnumerable.call(target, s),
      ),
    ).toEqual([]);
    target.b = 'replaced';
    expect(target.b).toBe('replaced');
    expect(calls).toBe(1);
  });

  it('keeps each object’s own value when many share the key', () => {
    const objects = [1, 2, 3].map((n) => {
      const o: Record<string, unknown> = {};
      lazyField(o, 'v', () => ({ n }));
      return o;
    });
    objects[1].v = 'set before read';
    expect(objects.map((o) => o.v)).toEqual([{ n: 1 }, 'set before read', { n: 3 }]);
  });
});

describe('AWS Config reader with lazily built properties', () => {
  it('gives every shared Config item the properties the eager conversion gives', async () => {
    let compared = 0;
    for (const file of walk(CONFIG).filter((f) => f.endsWith('.json'))) {
      const source = { path: file, text: readFileSync(file, 'utf8') };
      if (!awsConfigReader.detect(source)) continue;
      const { resources } = await awsConfigReader.read(source);
      const items = configItems(JSON.parse(source.text)).filter(
        (i) => typeof i.resourceType === 'string' && i.resourceId,
      );
      for (const resource of resources) {
        const item = items.find(
          (i) =>
            resource.id === (i.arn ?? i.ARN ?? i.resourceId) && i.resourceType === resource.type,
        )!;
        const eager = configShape(
          resource.type,
          item.configuration,
          item.supplementaryConfiguration,
          resource.name,
        );
        expect(JSON.stringify(resource.properties)).toBe(JSON.stringify(eager));
        expect(Object.keys(resource.properties)).toEqual(Object.keys(eager));
        if (resource.type === 'AWS::S3::Bucket') {
          // The bucket's string-encoded configurations against parsing them on the spot.
          const supplementary = (item.supplementaryConfiguration ?? {}) as Record<string, unknown>;
          for (const [from, to] of S3_RENAMED) {
            const parsed = jsonValue(supplementary[from]);
            expect(to in resource.properties).toBe(isRecord(parsed));
            if (isRecord(parsed)) expect(resource.properties[to]).toEqual(toPascal(parsed));
          }
        }
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('has a string-encoded bucket configuration key only when its text is a valid object', async () => {
    const item = (supplementary: Record<string, unknown>) => ({
      configurationItems: [
        {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'b',
          resourceName: 'b',
          arn: 'arn:aws:s3:::b',
          configuration: { name: 'b' },
          supplementaryConfiguration: supplementary,
        },
      ],
    });
    const read = async (supplementary: Record<string, unknown>) => {
      const text = JSON.stringify(item(supplementary));
      return (await awsConfigReader.read({ path: 'config.json', text })).resources[0].properties;
    };
    const good = await read({
      BucketLifecycleConfiguration: ' {"rules":[{"id":"x","status":"Enabled"}]} ',
      PublicAccessBlockConfiguration: '{"blockPublicAcls":true}',
    });
    expect(good.LifecycleConfiguration).toEqual({ Rules: [{ Id: 'x', Status: 'Enabled' }] });
    expect(good.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true });
    const broken = await read({
      BucketLifecycleConfiguration: '{"rules":[',
      BucketWebsiteConfiguration: '[{"a":1}]',
      BucketReplicationConfiguration: '"{\\"role\\":\\"r\\"}"',
    });
    expect('LifecycleConfiguration' in broken).toBe(false);
    expect('WebsiteConfiguration' in broken).toBe(false);
    // Encoded twice: still unwrapped, as before.
    expect(broken.ReplicationConfiguration).toEqual({ Role: 'r' });
  });
});
