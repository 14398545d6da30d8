/**
 * The alias guard of Kubernetes manifests judges what aliases would expand to, not how many
 * there are: ordinary files that reuse one value or one map many times read, and alias bombs are
 * refused before anything expands.
 */

import { describe, expect, it } from 'vitest';
import {
  MAX_ALIAS_EXPANSION,
  parseManifestObjects,
} from '../../../src/sources/kubernetes/manifest-documents.js';
import { aliasBombLines } from './shared-data.js';

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: anchors, namespace: prod}\n';

function read(text: string) {
  return parseManifestObjects('manifest.yaml', text).map((o) => o.value);
}

describe('YAML alias expansion guard', () => {
  it('reads a ConfigMap with 150 aliases of one value', () => {
    const keys = Array.from({ length: 150 }, (_, i) => `  k${i}: *base\n`).join('');
    const [object] = read(`${CONFIG_MAP}data:\n  base: &base hello\n${keys}`) as {
      data: Record<string, string>;
    }[];
    expect(Object.keys(object.data)).toHaveLength(151);
    expect(object.data.k149).toBe('hello');
  });

  it('reads a List whose 120 items merge one container template', () => {
    const items = Array.from(
      { length: 120 },
      (_, i) =>
        `  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p${i}}\n` +
        `    spec:\n      containers:\n        - <<: *c\n          name: c${i}\n`,
    ).join('');
    const text = `apiVersion: v1\nkind: List\ndefs:\n  c: &c {image: nginx:1.27, securityContext: {privileged: true}}\nitems:\n${items}`;
    const pods = read(text) as { spec: { containers: Record<string, unknown>[] } }[];
    expect(pods).toHaveLength(120);
    expect(pods[119].spec.containers[0]).toEqual({
      image: 'nginx:1.27',
      securityContext: { privileged: true },
      name: 'c119',
    });
  });

  it('gives every alias of a map its own copy', () => {
    const text = `${CONFIG_MAP}data:\n  a: &m {x: 1}\n  b: *m\n`;
    const [object] = read(text) as { data: { a: object; b: object } }[];
    expect(object.data.b).toEqual({ x: 1 });
    expect(object.data.b).not.toBe(object.data.a);
  });

  it('refuses a bomb at the alias that passes the budget, without expanding it', () => {
    const lines = aliasBombLines();
    const text = `${CONFIG_MAP}data:\n  ${lines.join('\n  ')}\n`;
    const started = Date.now();
    expect(() => read(text)).toThrow(
      expect.objectContaining({
        code: 'TOO_LARGE',
        line: 10,
        message: expect.stringContaining('possible alias bomb'),
      }),
    );
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('counts the budget over the whole file, not each document', () => {
    // An anchor of 1,000 nodes, aliased just past half the budget's worth of times.
    const aliases = Math.floor(MAX_ALIAS_EXPANSION / 2 / 1000) + 1;
    const document =
      `${CONFIG_MAP}data:\n  a: &a [${Array(999).fill('x').join(',')}]\n` +
      `  b: [${Array(aliases).fill('*a').join(',')}]\n`;
    expect(read(document)).toHaveLength(1);
    expect(() => read(`${document}---\n${document}`)).toThrow(
      expect.objectContaining({ code: 'TOO_LARGE', line: 13 }),
    );
  });

  it('refuses an alias inside the node it names', () => {
    expect(() => read(`${CONFIG_MAP}data:\n  a: &a [x, *a]\n`)).toThrow(
      expect.objectContaining({
        code: 'TOO_LARGE',
        message: expect.stringContaining('*a refers to a node that contains it'),
      }),
    );
  });

  it('reports an alias to no anchor as invalid YAML', () => {
    expect(() => read(`${CONFIG_MAP}data:\n  a: *nowhere\n`)).toThrow(
      expect.objectContaining({ code: 'PARSE_ERROR' }),
    );
  });
});
